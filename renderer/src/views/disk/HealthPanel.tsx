import type { MountHealth } from '@contract/disk';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes, formatPercent } from '../../components/format';
import { Sparkline } from '../../components/Sparkline';

const STATE_LABEL: Record<MountHealth['state'], string> = { ok: 'ok', 'read-only': 'read-only', errors: 'errors', full: 'full' };

function pct(used: number, total: number): number {
  return total > 0 ? (used / total) * 100 : 0;
}

/** Every mounted file system: space and inodes, state, kernel error counters, SMART, trend. */
export function HealthPanel() {
  const [mounts, setMounts] = useState<MountHealth[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    const read = () =>
      api.disk.mounts({ trendSeconds: 86_400 }).then(
        (m) => {
          if (!live) return;
          setMounts(m);
          setError(null);
        },
        (e) => live && setError(e),
      );
    void read();
    const t = setInterval(read, 10_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);

  return (
    <div>
      <ErrorBanner error={error} />
      {!mounts && !error && <p className="dim">Reading mounts…</p>}
      <div className="cards disk-mounts" data-testid="disk-mounts">
        {(mounts ?? []).map((m) => {
          const used = pct(m.usedBytes, m.totalBytes);
          const inodes = pct(m.inodesUsed, m.inodesTotal);
          const errors = m.errorCounters.filter((c) => c.value > 0);
          return (
            <section key={m.mountPoint} className="card disk-mount" aria-label={`Mount ${m.mountPoint}`} data-mount={m.mountPoint}>
              <h2>
                <span className="mono disk-mount-point">{m.mountPoint}</span>
                <span className={`disk-badge state-${m.state}`}>{STATE_LABEL[m.state]}</span>
              </h2>
              <div className="dim disk-mount-dev">
                <span className="mono">{m.device}</span> · {m.fsType}
                {m.readOnly && m.state !== 'read-only' ? ' · ro' : ''}
              </div>
              <div className="disk-usage-row">
                <span>Space</span>
                <div className="bar" title={`${formatPercent(used)} used`}>
                  <div style={{ width: `${used}%`, background: used > 95 ? 'var(--bad)' : used > 85 ? 'var(--warn)' : 'var(--accent)' }} />
                </div>
                <span className="num">
                  {formatBytes(m.usedBytes)} / {formatBytes(m.totalBytes)} ({formatPercent(used, 0)})
                </span>
              </div>
              <div className="disk-usage-row">
                <span>Inodes</span>
                <div className="bar" title={`${formatPercent(inodes)} used`}>
                  <div style={{ width: `${inodes}%`, background: inodes > 95 ? 'var(--bad)' : 'var(--c6)' }} />
                </div>
                <span className="num">{m.inodesTotal > 0 ? `${m.inodesUsed.toLocaleString()} / ${m.inodesTotal.toLocaleString()}` : 'not counted by this fs'}</span>
              </div>
              <dl className="kv disk-mount-kv">
                <dt>Free</dt>
                <dd>{formatBytes(m.availableBytes)}</dd>
                <dt>Error counters</dt>
                <dd>{m.errorCounters.length === 0 ? 'none exposed' : errors.length === 0 ? 'all zero' : errors.map((c) => `${c.name} ${c.value}`).join(', ')}</dd>
                <dt>SMART</dt>
                <dd title={m.smart.available ? m.smart.summary : m.smart.reason}>
                  {m.smart.available ? (
                    <span className={m.smart.passed ? 'disk-good' : 'error-text'}>
                      {m.smart.passed ? 'passed' : 'FAILED'} ({m.smart.device})
                    </span>
                  ) : (
                    <span className="dim">{m.smart.reason}</span>
                  )}
                </dd>
                <dt>Used, last 24 h</dt>
                <dd>{m.trend.usedBytes.length >= 2 ? <Sparkline values={m.trend.usedBytes} width={120} height={18} /> : <span className="dim">collecting</span>}</dd>
              </dl>
            </section>
          );
        })}
      </div>
    </div>
  );
}
