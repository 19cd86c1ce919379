import { ApiError } from '@contract/client';
import type { LimitRow, ProcessDetails, ProcessHistorySeries } from '@contract/processes';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Sparkline } from '../../components/Sparkline';
import { formatBytes } from '../../components/format';
import { mergeSeries, type LiveSamples } from './series';
import { CgroupTab, EnvironmentTab, FilesTab, LimitsTab, MapsTab, OverviewTab, ThreadsTab } from './DetailsTabs';

export const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'threads', label: 'Threads' },
  { id: 'files', label: 'Files' },
  { id: 'maps', label: 'Memory maps' },
  { id: 'env', label: 'Environment' },
  { id: 'limits', label: 'Limits' },
  { id: 'cgroup', label: 'Cgroup & namespaces' },
] as const;
export type TabId = (typeof TABS)[number]['id'];

export type ControlKind = 'signal' | 'renice' | 'ioprio' | 'affinity' | 'oom';

interface Props {
  pid: number;
  startTicks: number;
  /** Bumped after a control action so the pane re-reads at once. */
  refresh: number;
  /** This process's ticks from the live stream since the pane opened. */
  live: LiveSamples;
  tab: TabId;
  onTab(tab: TabId): void;
  onOpenPid(pid: number): void;
  onControl(kind: ControlKind, details: ProcessDetails): void;
  onEditLimit(row: LimitRow, details: ProcessDetails): void;
  onClose(): void;
}

/** Everything about one process, re-read every few seconds while open. */
export function DetailsPane({ pid, startTicks, refresh, live, tab, onTab, onOpenPid, onControl, onEditLimit, onClose }: Props) {
  const [details, setDetails] = useState<ProcessDetails | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [history, setHistory] = useState<ProcessHistorySeries | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.processes.details({ pid }).then(
        (d) => {
          if (!live) return;
          setDetails(d);
          setError(null);
        },
        (e) => live && setError(e),
      );
    load();
    const timer = setInterval(load, 3000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [pid, refresh]);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.processes.history({ processes: [{ pid, startTicks }], seconds: 300 }).then(
        (h) => live && setHistory(h[0] ?? null),
        () => live && setHistory(null),
      );
    load();
    const timer = setInterval(load, 5000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [pid, startTicks]);

  const replaced = details !== null && details.startTicks !== startTicks;
  // Once the process is gone the last reading stays on screen, marked, without actions.
  const exited = error instanceof ApiError && error.code === 'ESRCH';
  const { cpu, rss } = useMemo(() => mergeSeries(history, live), [history, live]);
  return (
    <section className="proc-details" aria-label={`Process ${pid}`} data-testid="proc-details">
      <header className="proc-details-head">
        <h2>
          {details?.comm ?? '…'} <span className="dim mono">{pid}</span>
        </h2>
        <span className="proc-spark" title="CPU % over the last 5 minutes (history, then live)" data-testid="proc-spark-cpu" data-points={cpu.length}>
          CPU <Sparkline values={cpu} width={90} height={18} color="var(--c1)" /> <span className="mono">{cpu.length ? `${cpu[cpu.length - 1].toFixed(1)}%` : '–'}</span>
        </span>
        <span className="proc-spark" title="Resident memory over the last 5 minutes (history, then live)">
          RSS <Sparkline values={rss} width={90} height={18} color="var(--c2)" /> <span className="mono">{rss.length ? formatBytes(rss[rss.length - 1]) : '–'}</span>
        </span>
        <div className="proc-details-actions">
          {details && !replaced && !exited && (
            <>
              <button onClick={() => onControl('signal', details)} title="Send a signal (k)">
                Signal…
              </button>
              <button onClick={() => onControl('renice', details)} title="Change nice (+ / −)">
                Nice…
              </button>
              <button onClick={() => onControl('ioprio', details)}>I/O priority…</button>
              <button onClick={() => onControl('affinity', details)}>Affinity…</button>
              <button onClick={() => onControl('oom', details)}>OOM adj…</button>
            </>
          )}
          <button onClick={onClose} aria-label="Close details" title="Close (Esc)">
            ×
          </button>
        </div>
      </header>
      <div className="proc-tabs" role="tablist" aria-label="Process details">
        {TABS.map((t) => (
          <button key={t.id} role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'active' : ''} onClick={() => onTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="proc-tab-body" role="tabpanel">
        {exited ? (
          <div className="banner" data-testid="proc-exited">
            Process {pid} has exited{details ? '; this is the last reading' : ''}.
          </div>
        ) : (
          <ErrorBanner error={error} />
        )}
        {replaced && <div className="banner">Process {pid} has exited; its number now names another process.</div>}
        {details && !replaced && (
          <>
            {tab === 'overview' && <OverviewTab d={details} onOpenPid={onOpenPid} />}
            {tab === 'threads' && <ThreadsTab pid={pid} />}
            {tab === 'files' && <FilesTab d={details} />}
            {tab === 'maps' && <MapsTab pid={pid} />}
            {tab === 'env' && <EnvironmentTab d={details} />}
            {tab === 'limits' && <LimitsTab d={details} onEdit={(row) => onEditLimit(row, details)} />}
            {tab === 'cgroup' && <CgroupTab d={details} />}
          </>
        )}
        {!details && !error && <p className="dim">Reading /proc/{pid}…</p>}
      </div>
    </section>
  );
}
