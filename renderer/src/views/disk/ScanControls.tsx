import { useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes, formatDateTime } from '../../components/format';
import { formatElapsed, normaliseRoot, parseExcludes, pushRecent } from './model';
import type { ScanApi } from './use-scan';

const RECENT_KEY = 'vantage.disk.recentRoots';

function loadRecent(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Root picker, options, Scan / Cancel, the live progress line and the finished scan's summary. */
export function ScanControls({ scan }: { scan: ScanApi }) {
  const [recent, setRecent] = useState(loadRecent);
  const [root, setRoot] = useState(() => recent[0] ?? '/');
  const [oneFs, setOneFs] = useState(true);
  const [excludes, setExcludes] = useState('');
  const [inputError, setInputError] = useState<string | null>(null);

  const submit = () => {
    const r = normaliseRoot(root);
    if (!r.ok) {
      setInputError(r.message);
      return;
    }
    setInputError(null);
    setRoot(r.root);
    const next = pushRecent(recent, r.root);
    setRecent(next);
    localStorage.setItem(RECENT_KEY, JSON.stringify(next));
    void scan.start(r.root, oneFs, parseExcludes(excludes));
  };

  const p = scan.progress;
  const s = scan.summary;
  return (
    <div className="disk-scan">
      <form
        className="disk-root"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="disk-root-field">
          Folder{' '}
          <input
            aria-label="Folder to scan"
            className="mono"
            list="disk-recent-roots"
            value={root}
            onChange={(e) => setRoot(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={inputError !== null}
          />
        </label>
        <datalist id="disk-recent-roots">
          {recent.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
        <label title="Do not cross into other mounted file systems">
          <input type="checkbox" checked={oneFs} onChange={(e) => setOneFs(e.target.checked)} /> one file system
        </label>
        <label>
          Exclude{' '}
          <input aria-label="Exclude patterns" className="mono disk-excludes" placeholder="node_modules, .git" value={excludes} onChange={(e) => setExcludes(e.target.value)} />
        </label>
        {scan.running ? (
          <button type="button" onClick={() => void scan.cancel()}>
            Cancel
          </button>
        ) : (
          <button type="submit" className="primary">
            Scan
          </button>
        )}
      </form>
      {inputError && (
        <div className="banner error" role="alert" data-code="INVALID_INPUT">
          <strong className="mono">INVALID_INPUT</strong> {inputError}
        </div>
      )}
      <ErrorBanner error={scan.error} onDismiss={scan.clearError} />
      {scan.running && (
        <div className="disk-progress" role="status" aria-live="polite" data-testid="disk-progress">
          <span className="disk-spinner" aria-hidden />
          {p ? (
            <>
              <span>{p.files.toLocaleString()} files</span>
              <span>{p.dirs.toLocaleString()} folders</span>
              <span>{formatBytes(p.allocatedBytes)}</span>
              <span>{formatElapsed(p.elapsedMs)}</span>
              {p.errors > 0 && <span className="error-text">{p.errors} unreadable</span>}
              <span className="mono dim disk-current" title={p.currentPath}>
                {p.currentPath}
              </span>
            </>
          ) : (
            <span>starting…</span>
          )}
        </div>
      )}
      {s && !scan.running && (
        <div className="disk-summary" data-testid="disk-summary">
          <span className="mono">{s.root}</span>
          <span data-testid="disk-total" data-allocated={s.allocatedBytes} data-apparent={s.apparentBytes}>
            <strong>{formatBytes(s.allocatedBytes)}</strong> allocated · {formatBytes(s.apparentBytes)} apparent
          </span>
          <span>
            {s.files.toLocaleString()} files · {s.dirs.toLocaleString()} folders
          </span>
          {!s.complete && (
            <span className="disk-badge warn" data-testid="disk-partial" title="The scan was cancelled: totals are what was read before">
              partial
            </span>
          )}
          {s.previous && (
            <span title={`Previous scan ${formatDateTime(s.previous.scannedAt)}`}>
              {s.allocatedBytes >= s.previous.allocatedBytes ? '+' : '−'}
              {formatBytes(Math.abs(s.allocatedBytes - s.previous.allocatedBytes))} since {formatDateTime(s.previous.scannedAt)}
            </span>
          )}
          <span className="dim">
            in {formatElapsed(s.elapsedMs)}
            {s.hardLinksSkipped > 0 && ` · ${s.hardLinksSkipped.toLocaleString()} hard links counted once`}
            {s.symlinks > 0 && ` · ${s.symlinks.toLocaleString()} symlinks`}
            {` · ${Math.round(s.bytesPerEntry)} B/entry in memory`}
          </span>
          {s.errors > 0 && (
            <details className="disk-errors">
              <summary className="error-text">{s.errors.toLocaleString()} unreadable</summary>
              <ul>
                {s.firstErrors.map((e) => (
                  <li key={e.path}>
                    <span className="mono">{e.path}</span> — {e.error}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </div>
  );
}
