import type { DupesActionReport, DupesEvent, DupesResult } from '@contract/disk';
import { ApiError } from '@contract/client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes, formatDateTime } from '../../components/format';
import { DupesDone, DupesFolders, DupesPreview, ACTION_LABEL, type DupesAction } from './DupesOutcome';
import { formatElapsed, groupInFolders, parseSize, plural } from './model';

type Keep = 'newest' | 'oldest' | 'shortest-path' | 'in-folder';
type Action = DupesAction;
type Progress = Extract<DupesEvent, { type: 'progress' }>;

const STAGES: { id: Progress['stage']; label: string }[] = [
  { id: 'walk', label: 'walk' },
  { id: 'size', label: 'same size' },
  { id: 'partial', label: 'first/last blocks' },
  { id: 'full', label: 'full hash' },
];
const KEEP_LABEL: Record<Keep, string> = { newest: 'newest', oldest: 'oldest', 'shortest-path': 'shortest path', 'in-folder': 'the one in folder…' };
const PAGE = 200;

/** Duplicate files: search with staged progress, groups by wasted bytes, keep rules, preview, act. */
export function DupesPanel({ defaultRoot }: { defaultRoot: string | null }) {
  const [roots, setRoots] = useState(defaultRoot ?? '/');
  const [minSizeText, setMinSizeText] = useState('1');
  const [oneFs, setOneFs] = useState(true);
  const [jobId, setJobId] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [result, setResult] = useState<DupesResult | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [keep, setKeep] = useState<Keep>('newest');
  const [keepFolder, setKeepFolder] = useState('');
  const [action, setAction] = useState<Action>('trash');
  const [preview, setPreview] = useState<DupesActionReport | null>(null);
  const [done, setDone] = useState<DupesActionReport | null>(null);
  const [sub, setSub] = useState<'groups' | 'folders'>('groups');
  const [shown, setShown] = useState(PAGE);
  const [pair, setPair] = useState<string[] | null>(null);
  const stopRef = useRef<(() => void) | null>(null);
  useEffect(() => () => stopRef.current?.(), []);

  const rootList = roots
    .split(/[\n,]/)
    .map((r) => r.trim())
    .filter(Boolean);
  const minSize = parseSize(minSizeText);
  const invalid = rootList.length === 0 ? 'Give at least one folder' : rootList.find((r) => !r.startsWith('/')) ? 'Folders must be absolute paths' : minSize === null ? 'Min size is not a size (e.g. 1M, 100k, 4096)' : null;

  const find = async () => {
    if (invalid || minSize === null) return;
    setError(null);
    setResult(null);
    setPreview(null);
    setDone(null);
    setProgress(null);
    try {
      const { jobId: id } = await api.disk.dupes({ roots: rootList, minSize, oneFileSystem: oneFs });
      setJobId(id);
      setRunning(true);
      stopRef.current?.();
      stopRef.current = api.disk.dupesProgress(
        { jobId: id, intervalMs: 200 },
        (e) => {
          if (e.type === 'progress') setProgress(e);
          else if (e.type === 'done') {
            setResult(e.result);
            setPair(null);
            setChosen(new Set(e.result.groups.map((g) => g.id)));
            setShown(PAGE);
            setRunning(false);
          } else {
            setError(new ApiError(e.code as ApiError['code'], e.message));
            setRunning(false);
          }
        },
        (err) => {
          setError(new ApiError(err.code, err.message));
          setRunning(false);
        },
      );
    } catch (e) {
      setError(e);
    }
  };

  const cancel = async () => {
    if (!jobId) return;
    try {
      const partial = await api.disk.cancelDupes({ jobId });
      if (partial) {
        setResult(partial);
        setChosen(new Set(partial.groups.map((g) => g.id)));
      }
      setRunning(false);
    } catch (e) {
      setError(e);
    }
  };

  const allGroups = useMemo(() => [...(result?.groups ?? [])].sort((a, b) => b.wastedBytes - a.wastedBytes), [result]);
  const groups = useMemo(() => (pair ? allGroups.filter((g) => groupInFolders(g.files, pair)) : allGroups), [allGroups, pair]);
  const chosenWaste = allGroups.filter((g) => chosen.has(g.id)).reduce((a, g) => a + g.wastedBytes, 0);
  const keepInvalid = keep === 'in-folder' && !keepFolder.trim().startsWith('/') ? 'Give the folder whose copies are kept (absolute path)' : null;

  const act = async (dryRun: boolean) => {
    if (!result || chosen.size === 0 || keepInvalid) return;
    setError(null);
    try {
      const report = await api.disk.dupesAct({
        jobId: result.jobId,
        groupIds: [...chosen],
        action,
        keep,
        keepFolder: keep === 'in-folder' ? keepFolder.trim() : undefined,
        dryRun,
      });
      if (dryRun) setPreview(report);
      else {
        setPreview(null);
        setDone(report);
      }
    } catch (e) {
      setPreview(null);
      setError(e);
    }
  };

  const s = running ? (progress?.stats ?? null) : (result?.stats ?? progress?.stats ?? null);
  const stageIndex = progress ? STAGES.findIndex((x) => x.id === progress.stage) : -1;
  return (
    <div className="disk-dupes">
      <form
        className="disk-root"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <label className="disk-root-field">
          Folders{' '}
          <input aria-label="Folders to search for duplicates" className="mono" value={roots} onChange={(e) => setRoots(e.target.value)} placeholder="/home/me, /mnt/photos" spellCheck={false} />
        </label>
        <label>
          Min size <input aria-label="Minimum file size" className="mono disk-minsize" value={minSizeText} onChange={(e) => setMinSizeText(e.target.value)} />
        </label>
        <label>
          <input type="checkbox" checked={oneFs} onChange={(e) => setOneFs(e.target.checked)} /> one file system
        </label>
        {running ? (
          <button type="button" onClick={() => void cancel()}>
            Cancel
          </button>
        ) : (
          <button type="submit" className="primary" disabled={invalid !== null}>
            Find duplicates
          </button>
        )}
      </form>
      {invalid && <p className="dim">{invalid}</p>}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {(running || s) && (
        <div className="disk-progress" role="status" data-testid="dupes-progress">
          {running && <span className="disk-spinner" aria-hidden />}
          <ol className="disk-stages">
            {STAGES.map((st, i) => (
              <li key={st.id} className={running ? (i < stageIndex ? 'past' : i === stageIndex ? 'now' : '') : 'past'}>
                {st.label}
              </li>
            ))}
          </ol>
          {s && (
            <>
              <span>{s.filesSeen.toLocaleString()} files</span>
              <span>{s.sizeGroups.toLocaleString()} same-size groups</span>
              <span>
                {s.partialHashed.toLocaleString()} partly / {s.fullHashed.toLocaleString()} fully hashed
              </span>
              <span>{formatBytes(s.bytesHashed)} read</span>
              {s.cacheHits > 0 && <span>{s.cacheHits.toLocaleString()} from cache</span>}
              <span>{formatElapsed(s.elapsedMs)}</span>
            </>
          )}
        </div>
      )}
      {result && (
        <>
          <div className="disk-toolbar">
            <strong data-testid="dupes-summary">
              {plural(result.groups.length, 'group')}, {formatBytes(result.wastedBytes)} wasted
            </strong>
            {!result.complete && <span className="disk-badge warn">partial</span>}
            <div className="segmented" role="group" aria-label="Show">
              <button aria-pressed={sub === 'groups'} onClick={() => setSub('groups')}>
                Groups
              </button>
              <button aria-pressed={sub === 'folders'} onClick={() => setSub('folders')}>
                By folder
              </button>
            </div>
          </div>
          {sub === 'groups' ? (
            <>
              <div className="disk-actions">
                {pair && (
                  <span className="disk-badge" data-testid="dupes-pair">
                    only {pair[0] === pair[1] || pair.length === 1 ? `within ${pair[0]}` : pair.join(' ↔ ')}{' '}
                    <button className="disk-linkish" aria-label="Show all groups" onClick={() => setPair(null)}>
                      ×
                    </button>
                  </span>
                )}
                <button onClick={() => setChosen(new Set(groups.map((g) => g.id)))}>{pair ? 'Select these' : 'Select all'}</button>
                <button onClick={() => setChosen(new Set())}>None</button>
                <span className="dim">
                  {chosen.size} chosen, {formatBytes(chosenWaste)} to free
                </span>
                <label>
                  Keep{' '}
                  <select aria-label="Which copy to keep" value={keep} onChange={(e) => setKeep(e.target.value as Keep)}>
                    {(Object.keys(KEEP_LABEL) as Keep[]).map((k) => (
                      <option key={k} value={k}>
                        {KEEP_LABEL[k]}
                      </option>
                    ))}
                  </select>
                </label>
                {keep === 'in-folder' && (
                  <>
                    <input aria-label="Folder whose copies are kept" className="mono" placeholder="/path/to/keep" value={keepFolder} onChange={(e) => setKeepFolder(e.target.value)} />
                    {pair && <span className="dim">use</span>}
                    {pair &&
                      [...new Set(pair)].map((f) => (
                        <button key={f} className="disk-linkish mono" title="Keep the copies in this folder" onClick={() => setKeepFolder(f)}>
                          {f.split('/').pop() || f}
                        </button>
                      ))}
                  </>
                )}
                <label>
                  Action{' '}
                  <select aria-label="What to do with the other copies" value={action} onChange={(e) => setAction(e.target.value as Action)}>
                    {(Object.keys(ACTION_LABEL) as Action[]).map((a) => (
                      <option key={a} value={a}>
                        {ACTION_LABEL[a]}
                      </option>
                    ))}
                  </select>
                </label>
                <button className="primary" disabled={chosen.size === 0 || keepInvalid !== null} onClick={() => void act(true)} title={keepInvalid ?? 'Dry run: shows what would be kept and what acted on'}>
                  Preview…
                </button>
              </div>
              <ul className="disk-groups" data-testid="dupes-groups">
                {groups.slice(0, shown).map((g) => (
                  <li key={g.id} className="disk-group" data-group-id={g.id}>
                    <label className="disk-group-head">
                      <input
                        type="checkbox"
                        checked={chosen.has(g.id)}
                        onChange={() =>
                          setChosen((c) => {
                            const n = new Set(c);
                            if (n.has(g.id)) n.delete(g.id);
                            else n.add(g.id);
                            return n;
                          })
                        }
                      />
                      <strong>{formatBytes(g.wastedBytes)} wasted</strong>
                      <span className="dim">
                        {plural(g.files.length, 'copy', 'copies')} × {formatBytes(g.size)} · <span className="mono" title={g.hash}>{g.hash.slice(0, 12)}</span>
                      </span>
                    </label>
                    <ul className="disk-group-files">
                      {g.files.map((f) => (
                        <li key={f.path}>
                          <span className="mono">{f.path}</span>
                          {f.nameHex && (
                            <span className="disk-hex" title={`raw name bytes: ${f.nameHex}`}>
                              hex
                            </span>
                          )}
                          <span className="dim"> · {formatDateTime(f.mtimeMs)}</span>
                          {f.hardLinks.length > 0 && (
                            <span className="dim" title={f.hardLinks.join('\n')}>
                              {' '}
                              · also hard-linked as {f.hardLinks.length === 1 ? f.hardLinks[0] : `${f.hardLinks.length} other names`}
                            </span>
                          )}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
              {groups.length > shown && <button onClick={() => setShown((n) => n + PAGE)}>Show {Math.min(PAGE, groups.length - shown)} more groups</button>}
            </>
          ) : (
            <DupesFolders
              pairs={result.byFolder}
              onPick={(folders) => {
                setPair(folders);
                setChosen(new Set(allGroups.filter((g) => groupInFolders(g.files, folders)).map((g) => g.id)));
                setShown(PAGE);
                setSub('groups');
              }}
            />
          )}
        </>
      )}
      {done && <DupesDone report={done} onDismiss={() => setDone(null)} />}
      {preview && <DupesPreview report={preview} keepText={keep === 'in-folder' ? `the copy in ${keepFolder}` : KEEP_LABEL[keep]} onConfirm={() => void act(false)} onCancel={() => setPreview(null)} />}
    </div>
  );
}
