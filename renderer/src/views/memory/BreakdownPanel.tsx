import type { MemorySnapshot } from '@contract/memory';
import { useMemo } from 'react';
import { formatBytes, formatPercent } from '../../components/format';
import { TimeSeriesChart, type ChartSeries } from '../../components/TimeSeriesChart';

const PARTS: (ChartSeries & { pick: (s: MemorySnapshot) => number })[] = [
  // "used" already holds shmem, unreclaimable slab and reserved huge pages; each gets its own band.
  {
    key: 'used',
    label: 'programs',
    color: 'var(--c1)',
    pick: (s) => Math.max(0, s.breakdown.usedBytes - s.breakdown.shmemBytes - s.breakdown.slabUnreclaimableBytes - s.breakdown.hugePagesBytes),
  },
  { key: 'huge', label: 'huge pages', color: 'var(--c8)', pick: (s) => s.breakdown.hugePagesBytes },
  { key: 'slabU', label: 'slab unreclaimable', color: 'var(--c4)', pick: (s) => s.breakdown.slabUnreclaimableBytes },
  { key: 'shmem', label: 'shared', color: 'var(--c7)', pick: (s) => s.breakdown.shmemBytes },
  { key: 'cache', label: 'page cache', color: 'var(--c2)', pick: (s) => s.breakdown.pageCacheBytes },
  { key: 'buffers', label: 'buffers', color: 'var(--c6)', pick: (s) => s.breakdown.buffersBytes },
  { key: 'slabR', label: 'slab reclaimable', color: 'var(--c3)', pick: (s) => s.breakdown.slabReclaimableBytes },
  { key: 'swap', label: 'swap used (on disk)', color: 'var(--c5)', pick: (s) => s.breakdown.swapUsedBytes },
];
const SERIES: ChartSeries[] = PARTS.map(({ key, label, color }) => ({ key, label, color }));
const RATE_SERIES: ChartSeries[] = [
  { key: 'minor', label: 'page faults/s', color: 'var(--c1)' },
  { key: 'major', label: 'major faults/s', color: 'var(--c5)' },
  { key: 'swapin', label: 'swap-in pages/s', color: 'var(--c3)' },
  { key: 'swapout', label: 'swap-out pages/s', color: 'var(--c4)' },
];

export function BreakdownPanel({ latest, window }: { latest: MemorySnapshot | null; window: MemorySnapshot[] }) {
  const rows = useMemo(() => window.map((s) => ({ ts: s.ts, ...Object.fromEntries(PARTS.map((p) => [p.key, p.pick(s)])) })), [window]);
  const rateRows = useMemo(
    () =>
      window.map((s) => ({
        ts: s.ts,
        minor: s.rates.pgfaultPerSec,
        major: s.rates.pgmajfaultPerSec,
        swapin: s.rates.pswpinPerSec,
        swapout: s.rates.pswpoutPerSec,
      })),
    [window],
  );
  const b = latest?.breakdown;
  const commitPct = b && b.commitLimitBytes ? (b.committedBytes / b.commitLimitBytes) * 100 : NaN;
  return (
    <>
      <section className="card mem-wide" aria-label="Breakdown" id="mem-chart-breakdown">
        <h2>
          Where memory goes <span className="big" data-testid="mem-used" title="used: total − free − buffers − page cache − reclaimable slab">{b ? formatBytes(b.usedBytes) : '–'}</span>
        </h2>
        <TimeSeriesChart testId="mem-breakdown-chart" data={rows} series={SERIES} stacked height={180} formatValue={(v) => formatBytes(v, 1)} />
        {b && (
          <dl className="kv mem-kv" data-testid="mem-breakdown">
            <dt>Total</dt><dd>{formatBytes(b.totalBytes)}</dd>
            <dt>Available</dt><dd>{formatBytes(b.availableBytes)}</dd>
            <dt>Free</dt><dd>{formatBytes(b.freeBytes)}</dd>
            <dt>Page cache</dt><dd>{formatBytes(b.pageCacheBytes)}</dd>
            <dt>Buffers</dt><dd>{formatBytes(b.buffersBytes)}</dd>
            <dt>Slab reclaimable / not</dt><dd>{formatBytes(b.slabReclaimableBytes)} / {formatBytes(b.slabUnreclaimableBytes)}</dd>
            <dt>Shared (shmem)</dt><dd>{formatBytes(b.shmemBytes)}</dd>
            <dt>Huge pages</dt><dd>{formatBytes(b.hugePagesBytes)}</dd>
            <dt>Swap</dt><dd>{b.swapTotalBytes ? `${formatBytes(b.swapUsedBytes)} of ${formatBytes(b.swapTotalBytes)}` : 'none configured'}</dd>
            <dt>Dirty / writeback</dt><dd>{formatBytes(b.dirtyBytes)} / {formatBytes(b.writebackBytes)}</dd>
            <dt>Committed / CommitLimit</dt><dd>{formatBytes(b.committedBytes)} / {formatBytes(b.commitLimitBytes)} ({formatPercent(commitPct, 0)})</dd>
          </dl>
        )}
      </section>
      <section className="card" aria-label="Pressure and faults" id="mem-chart-pressure">
        <h2>Pressure and faults</h2>
        {latest &&
          (latest.pressure.available ? (
            <dl className="kv" data-testid="mem-psi">
              <dt>Some stalled (10 s / 60 s / 300 s)</dt>
              <dd>{[latest.pressure.some.avg10, latest.pressure.some.avg60, latest.pressure.some.avg300].map((v) => formatPercent(v, 2)).join('  ')}</dd>
              <dt>All stalled (10 s)</dt>
              <dd>{latest.pressure.full ? formatPercent(latest.pressure.full.avg10, 2) : '–'}</dd>
            </dl>
          ) : (
            <p className="dim" data-testid="mem-psi">{latest.pressure.reason}</p>
          ))}
        <div id="mem-chart-rates">
          <TimeSeriesChart data={rateRows} series={RATE_SERIES} height={130} formatValue={(v) => v.toFixed(0)} />
        </div>
        {latest && (
          <p className="dim mem-cost">
            This tick: statm sweep of {latest.processCount} processes {latest.cost.statmSweepMs.toFixed(1)} ms, {latest.cost.rollups} smaps_rollup reads{' '}
            {latest.cost.rollupMs.toFixed(1)} ms, total {latest.cost.totalMs.toFixed(1)} ms.
          </p>
        )}
      </section>
    </>
  );
}
