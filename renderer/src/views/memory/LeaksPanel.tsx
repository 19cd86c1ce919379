import type { LeakReport, MemoryHint } from '@contract/memory';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes } from '../../components/format';
import { TimeSeriesChart, type ChartSeries } from '../../components/TimeSeriesChart';

const EVIDENCE: ChartSeries[] = [{ key: 'v', label: 'private memory', color: 'var(--c5)' }];

/** Processes whose private memory rises steadily, with the fitted rate, R² and the series behind it. */
export function LeaksPanel({ onOpen }: { onOpen: (pid: number) => void }) {
  const [report, setReport] = useState<LeakReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [expanded, setExpanded] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    const poll = () =>
      api.memory.leaks(undefined).then(
        (r) => {
          if (!live) return;
          setReport(r);
          setError(null);
        },
        (e) => live && setError(e),
      );
    poll();
    const t = setInterval(poll, 3000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  const flagged = report?.candidates.filter((c) => c.flagged) ?? [];
  const open = flagged.find((c) => c.pid === expanded) ?? flagged[0];
  const rows = useMemo(() => (open ? open.evidence.ts.map((ts, i) => ({ ts, v: open.evidence.values[i] })) : []), [open]);
  return (
    <section className="card mem-wide" aria-label="Leaks" id="mem-chart-leaks">
      <h2>
        Steady growth (possible leaks)
        <span className="dim">{report ? `window ${report.windowSeconds} s · slope ≥ ${formatBytes(report.minBytesPerSecond)}/s · R² ≥ ${report.minR2}` : ''}</span>
      </h2>
      <ErrorBanner error={error} />
      {report && !flagged.length && (
        <p className="dim" data-testid="mem-leaks-none">
          None of the {report.candidates.length} tracked processes grew steadily over the last {report.windowSeconds} s.
          {report.candidates.length === 0 && ' Series are recorded while the app (or vantage serve) runs.'}
        </p>
      )}
      {flagged.length > 0 && (
        <table className="plain mem-table" data-testid="mem-leaks">
          <thead>
            <tr><th className="num">PID</th><th>Command</th><th className="num">Growth</th><th className="num">R²</th><th className="num">Now</th><th>Series</th><th /></tr>
          </thead>
          <tbody>
            {flagged.map((c) => (
              <tr key={c.series} className={open?.pid === c.pid ? 'selected' : ''} data-pid={c.pid}>
                <td className="num mono">{c.pid}</td>
                <td className="mono">{c.comm}{c.alive ? '' : ' (exited)'}</td>
                <td className="num">{formatBytes(c.bytesPerSecond * 60)}/min</td>
                <td className="num">{c.r2.toFixed(3)}</td>
                <td className="num">{formatBytes(c.lastBytes)}</td>
                <td className="dim">{c.metric.toUpperCase()}, {c.samples} samples</td>
                <td>
                  <button onClick={() => setExpanded(c.pid)}>Evidence</button>{' '}
                  {c.alive && <button onClick={() => onOpen(c.pid)}>Open</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <TimeSeriesChart testId="mem-leak-evidence" data={rows} series={EVIDENCE} height={130} formatValue={(v) => formatBytes(v, 0)} />}
    </section>
  );
}

/** Findings with their evidence; each links to the process or chart that shows it. */
export function HintsPanel({ onOpen }: { onOpen: (pid: number) => void }) {
  const [hints, setHints] = useState<MemoryHint[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    const poll = () => api.memory.hints(undefined).then((h) => live && setHints(h), (e) => live && setError(e));
    poll();
    const t = setInterval(poll, 5000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  const go = (h: MemoryHint) => {
    if (h.link.kind === 'process') onOpen(h.link.pid);
    else document.getElementById(`mem-chart-${h.link.chart}`)?.scrollIntoView({ behavior: 'smooth' });
  };
  return (
    <section className="card" aria-label="Hints">
      <h2>Findings</h2>
      <ErrorBanner error={error} />
      {hints && !hints.length && <p className="dim">Nothing stands out: commit charge, swap activity, pressure, slab, cold anonymous memory and growth are within bounds.</p>}
      <ul className="mem-hints" data-testid="mem-hints">
        {hints?.map((h) => (
          <li key={h.id} className={`sev-${h.severity}`}>
            <button className="linkish" onClick={() => go(h)}>{h.title}</button>
            <div className="dim">{h.evidence}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
