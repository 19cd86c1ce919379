import type { HistoryRange } from '@contract/history';
import type { HostInfo, MonitorCost, SystemSnapshot } from '@contract/system';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../components/format';
import { TimeSeriesChart, type ChartSeries } from '../../components/TimeSeriesChart';
import { ViewHeader } from '../../components/ViewHeader';
import { useStore } from '../../store';
import { useSystemStream } from '../../store/system-stream';
import { useHistoryRange } from './use-history-range';
import './overview.css';

const PALETTE = ['var(--c1)', 'var(--c2)', 'var(--c3)', 'var(--c4)', 'var(--c5)', 'var(--c6)', 'var(--c7)', 'var(--c8)'];
type RangeChoice = 'live' | Exclude<HistoryRange, '5m' | '90d'>;
const RANGES: { id: RangeChoice; label: string }[] = [
  { id: 'live', label: 'Live 5 min' },
  { id: '1h', label: '1 h' },
  { id: '24h', label: '24 h' },
  { id: '7d', label: '7 d' },
];

function liveRows(snaps: SystemSnapshot[], pick: (s: SystemSnapshot) => Record<string, number>) {
  return snaps.map((s) => ({ ts: s.ts, ...pick(s) }));
}

export default function OverviewView() {
  useSystemStream();
  const snapshots = useStore((s) => s.system.snapshots);
  const latest = useStore((s) => s.system.latest);
  const streamError = useStore((s) => s.system.error);
  const [range, setRange] = useState<RangeChoice>('live');
  const [host, setHost] = useState<HostInfo | null>(null);
  const [cost, setCost] = useState<MonitorCost | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.system.info(undefined).then(setHost, setError);
    const poll = () => api.system.cost(undefined).then(setCost, () => {});
    poll();
    const t = setInterval(poll, 5000);
    return () => clearInterval(t);
  }, []);

  const disks = latest?.disks.map((d) => d.name) ?? [];
  const ifaces = latest?.interfaces.map((n) => n.name) ?? [];
  const history = useHistoryRange(range === 'live' ? null : range, disks, ifaces);

  const cpuSeries: ChartSeries[] = [
    { key: 'user', label: 'user', color: 'var(--c1)' },
    { key: 'system', label: 'system', color: 'var(--c3)' },
    { key: 'iowait', label: 'iowait', color: 'var(--c5)' },
  ];
  const memSeries: ChartSeries[] = [
    { key: 'used', label: 'used', color: 'var(--c1)' },
    { key: 'cached', label: 'cache', color: 'var(--c2)' },
    { key: 'swap', label: 'swap used', color: 'var(--c5)' },
  ];
  const diskSeries: ChartSeries[] = disks.flatMap((d, i) => [
    { key: `${d}.read`, label: `${d} read`, color: PALETTE[(2 * i) % PALETTE.length] },
    { key: `${d}.write`, label: `${d} write`, color: PALETTE[(2 * i + 1) % PALETTE.length] },
  ]);
  const netSeries: ChartSeries[] = ifaces.flatMap((n, i) => [
    { key: `${n}.rx`, label: `${n} ↓`, color: PALETTE[(2 * i) % PALETTE.length] },
    { key: `${n}.tx`, label: `${n} ↑`, color: PALETTE[(2 * i + 1) % PALETTE.length] },
  ]);

  const live = useMemo(
    () => ({
      cpu: liveRows(snapshots, (s) => ({ user: s.cpu.user, system: s.cpu.system, iowait: s.cpu.iowait })),
      mem: liveRows(snapshots, (s) => ({ used: s.memory.usedBytes, cached: s.memory.cachedBytes, swap: s.memory.swapUsedBytes })),
      disk: liveRows(snapshots, (s) => Object.fromEntries(s.disks.flatMap((d) => [[`${d.name}.read`, d.readBytesPerSec], [`${d.name}.write`, d.writeBytesPerSec]]))),
      net: liveRows(snapshots, (s) => Object.fromEntries(s.interfaces.flatMap((n) => [[`${n.name}.rx`, n.rxBytesPerSec], [`${n.name}.tx`, n.txBytesPerSec]]))),
    }),
    [snapshots],
  );
  const rows = range === 'live' ? live : history.rows;
  const longRange = range === '24h' || range === '7d';

  return (
    <>
      <ViewHeader title="Overview">
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button key={r.id} aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
              {r.label}
            </button>
          ))}
        </div>
      </ViewHeader>
      <div className="view-body">
        <ErrorBanner error={error ?? history.error ?? (streamError ? new Error(streamError) : null)} />
        {range !== 'live' && history.tier && (
          <p className="dim" style={{ margin: '0 0 8px' }}>
            From history ({history.tier} tier{history.empty ? ', nothing recorded in this range yet' : ''}).
          </p>
        )}
        <div className="cards">
          <section className="card" aria-label="CPU">
            <h2>
              CPU <span className="big" data-testid="cpu-total">{latest ? formatPercent(latest.cpu.total) : '–'}</span>
            </h2>
            <TimeSeriesChart testId="cpu-chart" data={rows.cpu} series={cpuSeries} stacked yMax={100} formatValue={(v) => `${v.toFixed(0)}%`} longRange={longRange} />
            <div className="cores" aria-label="Per core">
              {latest?.cpu.perCore.map((v, i) => (
                <div key={i} className="core" title={`core ${i}: ${formatPercent(v)}`}>
                  <span className="dim mono">{i}</span>
                  <div className="bar">
                    <div style={{ width: `${v}%` }} />
                  </div>
                  <span className="mono">{v.toFixed(0)}%</span>
                </div>
              ))}
            </div>
            <dl className="kv">
              <dt>Load (1, 5, 15 min)</dt>
              <dd data-testid="load">{latest ? latest.load.map((l) => l.toFixed(2)).join('  ') : '–'}</dd>
              <dt>Tasks</dt>
              <dd>{latest ? `${latest.tasks.total} (${latest.tasks.running} running)` : '–'}</dd>
            </dl>
          </section>
          <section className="card" aria-label="Memory">
            <h2>
              Memory <span className="big">{latest ? formatBytes(latest.memory.usedBytes) : '–'}</span>
            </h2>
            <TimeSeriesChart testId="mem-chart" data={rows.mem} series={memSeries} formatValue={(v) => formatBytes(v, 0)} longRange={longRange} />
            {latest && (
              <dl className="kv">
                <dt>Total</dt>
                <dd>{formatBytes(latest.memory.totalBytes)}</dd>
                <dt>Available</dt>
                <dd>{formatBytes(latest.memory.availableBytes)}</dd>
                <dt>Page cache + reclaimable</dt>
                <dd>{formatBytes(latest.memory.cachedBytes)}</dd>
                <dt>Swap</dt>
                <dd>{latest.memory.swapTotalBytes ? `${formatBytes(latest.memory.swapUsedBytes)} of ${formatBytes(latest.memory.swapTotalBytes)}` : 'none configured'}</dd>
              </dl>
            )}
          </section>
          <section className="card" aria-label="Disk I/O">
            <h2>Disk I/O</h2>
            {disks.length ? (
              <TimeSeriesChart data={rows.disk} series={diskSeries} formatValue={(v) => formatRate(v)} longRange={longRange} />
            ) : (
              <p className="dim">No block devices are visible to this system.</p>
            )}
            <table className="plain">
              <thead>
                <tr><th>Device</th><th className="num">Read</th><th className="num">Write</th><th className="num">Busy</th></tr>
              </thead>
              <tbody>
                {latest?.disks.map((d) => (
                  <tr key={d.name}><td className="mono">{d.name}</td><td className="num">{formatRate(d.readBytesPerSec)}</td><td className="num">{formatRate(d.writeBytesPerSec)}</td><td className="num">{formatPercent(d.busyPercent, 0)}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="card" aria-label="Network">
            <h2>Network</h2>
            <TimeSeriesChart testId="net-chart" data={rows.net} series={netSeries} formatValue={(v) => formatRate(v)} longRange={longRange} />
            <table className="plain">
              <thead>
                <tr><th>Interface</th><th className="num">Receive</th><th className="num">Send</th><th className="num">Total ↓ / ↑</th></tr>
              </thead>
              <tbody>
                {latest?.interfaces.map((n) => (
                  <tr key={n.name}>
                    <td className="mono">{n.name} {n.up ? '' : <span className="dim">(down)</span>}</td>
                    <td className="num">{formatRate(n.rxBytesPerSec)}</td>
                    <td className="num">{formatRate(n.txBytesPerSec)}</td>
                    <td className="num dim">{formatBytes(n.rxBytes)} / {formatBytes(n.txBytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="card" aria-label="Sensors and power">
            <h2>Sensors and power</h2>
            <dl className="kv">
              {latest?.temperatures.length ? (
                latest.temperatures.map((t) => (
                  <FragmentRow key={t.label} label={t.label} value={`${t.celsius.toFixed(1)} °C`} />
                ))
              ) : (
                <FragmentRow label="Temperatures" value="no sensors exposed (hwmon, thermal zones)" />
              )}
              <FragmentRow label="Battery" value={latest?.battery ? `${latest.battery.percent}% (${latest.battery.status})` : 'none'} />
              <FragmentRow label="Uptime" value={latest ? formatDuration(latest.uptimeSeconds) : '–'} testId="uptime" />
            </dl>
          </section>
          <section className="card" aria-label="Host">
            <h2>Host</h2>
            {host ? (
              <dl className="kv">
                <FragmentRow label="Hostname" value={host.hostname} />
                <FragmentRow label="System" value={host.os} />
                <FragmentRow label="Kernel" value={`${host.kernel} (${host.arch})`} />
                <FragmentRow label="CPU" value={`${host.cpuModel}, ${host.cores} cores / ${host.threads} threads`} />
                <FragmentRow label="Memory" value={formatBytes(host.memoryBytes)} />
                {host.virtualization && <FragmentRow label="Virtualisation" value={host.virtualization} />}
              </dl>
            ) : (
              <p className="dim">Reading host facts…</p>
            )}
          </section>
          <section className="card" aria-label="About this monitor">
            <h2>About this monitor</h2>
            {cost ? (
              <>
                <dl className="kv">
                  <FragmentRow label="Vantage CPU" value={formatPercent(cost.cpuPercent, 2)} testId="self-cpu" />
                  <FragmentRow label="Vantage memory (RSS)" value={formatBytes(cost.rssBytes)} />
                </dl>
                <table className="plain" style={{ marginTop: 8 }}>
                  <thead>
                    <tr><th>Collector</th><th className="num">Every</th><th className="num">CPU / tick</th><th className="num">Ticks</th></tr>
                  </thead>
                  <tbody>
                    {cost.collectors.map((c) => (
                      <tr key={c.name}>
                        <td>{c.name}</td>
                        <td className="num">{c.intervalMs ? `${c.intervalMs / 1000} s` : 'idle'}</td>
                        <td className="num">{c.meanCpuMs.toFixed(2)} ms</td>
                        <td className="num">{c.ticks}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : (
              <p className="dim">Measuring…</p>
            )}
          </section>
        </div>
      </div>
    </>
  );
}

function FragmentRow({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </>
  );
}
