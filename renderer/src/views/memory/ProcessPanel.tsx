import type { GcStats, MapGroupKind, ProcessMaps, ProcessMemory } from '@contract/memory';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes, formatTime } from '../../components/format';
import { TimeSeriesChart, type ChartSeries } from '../../components/TimeSeriesChart';

const KINDS: { kind: MapGroupKind; label: string; color: string }[] = [
  { kind: 'heap', label: 'heap', color: 'var(--c1)' },
  { kind: 'stack', label: 'main stack', color: 'var(--c3)' },
  { kind: 'thread-stack', label: 'thread stacks', color: 'var(--c7)' },
  { kind: 'anonymous', label: 'anonymous', color: 'var(--c4)' },
  { kind: 'file', label: 'file-backed', color: 'var(--c2)' },
  { kind: 'vdso', label: 'vdso/vvar', color: 'var(--c8)' },
];
const SERIES: ChartSeries[] = KINDS.map((k) => ({ key: k.kind, label: k.label, color: k.color }));
const b = (v: number | null) => (v === null ? '–' : formatBytes(v));

/** One process: rollup, OOM score editor, GC stats for Node, grouped maps and their change over time. */
export function ProcessPanel({ pid }: { pid: number }) {
  const [info, setInfo] = useState<ProcessMemory | null>(null);
  const [samples, setSamples] = useState<ProcessMaps[]>([]);
  const [gc, setGc] = useState<GcStats | null>(null);
  const [gcNote, setGcNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [mapsError, setMapsError] = useState<string | null>(null);
  const [adj, setAdj] = useState('');
  const [confirm, setConfirm] = useState<number | null>(null);
  const buf = useRef<ProcessMaps[]>([]);

  useEffect(() => {
    let live = true;
    setInfo(null);
    setGc(null);
    setGcNote(null);
    setError(null);
    setMapsError(null);
    buf.current = [];
    setSamples([]);
    const refresh = () =>
      api.memory.process({ pid }).then(
        (p) => live && setInfo(p),
        (e) => live && setError(e),
      );
    const readGc = () =>
      api.memory.gc({ pid }).then(
        (g) => live && setGc(g),
        (e: Error & { code?: string }) => live && setGcNote(`${e.code ?? 'ERROR'}: ${e.message}`),
      );
    refresh();
    readGc();
    const t = setInterval(() => {
      refresh();
      readGc();
    }, 2000);
    const stop = api.memory.mapsSamples(
      { pid, intervalMs: 2000 },
      (m) => {
        buf.current = [...buf.current.slice(-299), m];
        if (live) setSamples(buf.current);
      },
      (e) => live && setMapsError(`${e.code}: ${e.message}`),
    );
    return () => {
      live = false;
      clearInterval(t);
      stop();
    };
  }, [pid]);

  useEffect(() => {
    if (info?.oomScoreAdj !== undefined && info.oomScoreAdj !== null && adj === '') setAdj(String(info.oomScoreAdj));
  }, [info, adj]);
  useEffect(() => setAdj(''), [pid]);

  const maps = samples[samples.length - 1] ?? null;
  const rows = useMemo(() => samples.map((m) => ({ ts: m.ts, ...Object.fromEntries(KINDS.map((k) => [k.kind, m.totals[k.kind].rssBytes])) })), [samples]);
  const wanted = Number(adj);
  const validAdj = adj.trim() !== '' && Number.isInteger(wanted) && wanted >= -1000 && wanted <= 1000;

  const apply = async (value: number) => {
    setConfirm(null);
    try {
      setInfo(await api.memory.setOomScoreAdj({ pid, value }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card mem-wide" aria-label="Process memory" data-testid="mem-process" id={`mem-process-${pid}`}>
      <h2>
        {info ? `${info.comm} (${pid})` : `Process ${pid}`}
        <span className="dim">{info ? `source: ${info.source}` : ''}</span>
      </h2>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {info?.unreadable && <div className="banner" role="status">PSS, USS and swap unavailable: {info.unreadable}</div>}
      {info && (
        <div className="mem-proc-grid">
          <dl className="kv">
            <dt>RSS</dt><dd>{formatBytes(info.rssBytes)}</dd>
            <dt>PSS</dt><dd>{b(info.pssBytes)}</dd>
            <dt>USS (private)</dt><dd data-testid="mem-uss">{b(info.ussBytes)}</dd>
            <dt>Shared</dt><dd>{b(info.sharedBytes)}</dd>
            <dt>Swap (SwapPss)</dt><dd>{b(info.swapBytes)} ({b(info.swapPssBytes)})</dd>
            <dt>Anonymous / referenced</dt><dd>{b(info.anonymousBytes)} / {b(info.referencedBytes)}</dd>
            <dt>Faults/s minor / major</dt><dd>{info.minorFaultsPerSec.toFixed(0)} / {info.majorFaultsPerSec.toFixed(0)}</dd>
          </dl>
          <div>
            <dl className="kv">
              <dt>OOM score</dt><dd data-testid="mem-oom-score">{info.oomScore ?? '–'}</dd>
              <dt>oom_score_adj</dt><dd>{info.oomScoreAdj ?? '–'}</dd>
            </dl>
            <form
              className="mem-oom"
              onSubmit={(e) => {
                e.preventDefault();
                if (validAdj) setConfirm(wanted);
              }}
            >
              <label>
                Set oom_score_adj (−1000…1000){' '}
                <input aria-label="oom_score_adj" value={adj} onChange={(e) => setAdj(e.target.value)} size={6} className="mono" />
              </label>
              <button type="submit" disabled={!validAdj}>Apply…</button>
            </form>
            <h3 className="mem-sub">Garbage-collected heap</h3>
            {gc ? (
              <dl className="kv" data-testid="mem-gc">
                <dt>Heap used / total</dt><dd>{formatBytes(gc.heapUsedBytes)} / {formatBytes(gc.heapTotalBytes)}</dd>
                <dt>From</dt><dd>{gc.source === 'self' ? 'Vantage itself (v8)' : gc.endpoint}</dd>
                {gc.gc.map((k) => (
                  <FragmentKv key={k.kind} k={`GC ${k.kind}`} v={`${k.count}×, ${k.totalMs.toFixed(1)} ms`} />
                ))}
                <dt>Counting since</dt><dd>{formatTime(gc.since)}</dd>
              </dl>
            ) : (
              <p className="dim">{gcNote ?? 'reading…'}</p>
            )}
          </div>
        </div>
      )}
      <h3 className="mem-sub">Heap and stack analysis (RSS by group while this is open)</h3>
      {mapsError && <div className="banner error" role="alert">{mapsError}</div>}
      <TimeSeriesChart testId="mem-maps-chart" data={rows} series={SERIES} stacked height={150} formatValue={(v) => formatBytes(v, 0)} />
      {maps && (
        <>
          <p className="dim">
            {maps.threads} threads; thread stacks found by {maps.stackDetection}.
          </p>
          <table className="plain mem-table" data-testid="mem-maps">
            <thead>
              <tr><th>Group</th><th>Name</th><th className="num">Regions</th><th className="num">Size</th><th className="num">RSS</th><th className="num">PSS</th><th className="num">Private</th><th>Perms</th></tr>
            </thead>
            <tbody>
              {maps.groups.slice(0, 40).map((g) => (
                <tr key={`${g.kind}:${g.name}`}>
                  <td>{g.kind}</td>
                  <td className="mono mem-path" title={g.name}>{g.name}</td>
                  <td className="num">{g.regions}</td>
                  <td className="num">{formatBytes(g.sizeBytes)}</td>
                  <td className="num">{formatBytes(g.rssBytes)}</td>
                  <td className="num">{formatBytes(g.pssBytes)}</td>
                  <td className="num">{formatBytes(g.privateBytes)}</td>
                  <td className="mono dim">{g.perms.join(' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {maps.groups.length > 40 && <p className="dim">{maps.groups.length - 40} smaller groups not shown (see `vantage maps {pid}`).</p>}
        </>
      )}
      {confirm !== null && info && (
        <ConfirmDialog
          title="Change OOM score adjustment"
          confirmLabel={`Set to ${confirm}`}
          danger={confirm > (info.oomScoreAdj ?? 0)}
          onConfirm={() => apply(confirm)}
          onCancel={() => setConfirm(null)}
        >
          Write {confirm} to /proc/{pid}/oom_score_adj of {info.comm} (now {info.oomScoreAdj}).{' '}
          {confirm > (info.oomScoreAdj ?? 0)
            ? 'The kernel will pick this process sooner when it runs out of memory.'
            : 'The kernel will spare it longer when memory runs out; lowering needs CAP_SYS_RESOURCE.'}
        </ConfirmDialog>
      )}
    </section>
  );
}

function FragmentKv({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </>
  );
}
