import { ApiError } from '@contract/client';
import type { ContractError } from '@contract/core';
import type { ProcessMaps } from '@contract/memory';
import type { FdKind, FdRow, LimitRow, ProcessDetails, ThreadSample } from '@contract/processes';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes, formatDateTime } from '../../components/format';
import { formatCpuList } from './actions';
import { STATE_NAMES, formatCpuTime } from './columns';

/** A field the service could not read shows why, never a blank. */
export function Unreadable({ d, field }: { d: ProcessDetails; field: string }) {
  const why = d.unreadable[field];
  if (!why) return <span className="dim">–</span>;
  const privileged = /EACCES|EPERM|ptrace|privilege/i.test(why);
  return (
    <span className="proc-unreadable" data-testid={`unreadable-${field}`}>
      {privileged ? 'needs privilege: ' : 'unavailable: '}
      {why}
    </span>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

export function OverviewTab({ d, onOpenPid }: { d: ProcessDetails; onOpenPid(pid: number): void }) {
  return (
    <dl className="kv proc-kv" data-testid="proc-overview">
      <Row label="Command line">
        {d.argv.length ? (
          <span className="mono proc-wrap" data-testid="proc-cmdline">
            {d.argv.join(' ')}
          </span>
        ) : d.unreadable.argv ? (
          <Unreadable d={d} field="argv" />
        ) : (
          <span className="dim">none (kernel thread)</span>
        )}
      </Row>
      <Row label="Executable">{d.exe ? <span className="mono">{d.exe}</span> : <Unreadable d={d} field="exe" />}</Row>
      <Row label="Working directory">{d.cwd ? <span className="mono">{d.cwd}</span> : <Unreadable d={d} field="cwd" />}</Row>
      <Row label="Root">{d.root ? <span className="mono">{d.root}</span> : <Unreadable d={d} field="root" />}</Row>
      <Row label="Parents">
        {d.parentChain.length === 0 ? (
          <span className="dim">none</span>
        ) : (
          <span className="proc-chain">
            {d.parentChain.map((p, k) => (
              <span key={p.pid}>
                {k > 0 && <span className="dim"> ← </span>}
                <button className="linkish proc-link" onClick={() => onOpenPid(p.pid)} title={`Open ${p.pid} (${p.user})`}>
                  {p.comm} <span className="dim mono">{p.pid}</span>
                </button>
              </span>
            ))}
          </span>
        )}
      </Row>
      <Row label={`Children (${d.children.length})`}>
        {d.children.length === 0 ? (
          <span className="dim">none</span>
        ) : (
          <span className="proc-chain" data-testid="proc-children">
            {d.children.slice(0, 50).map((c) => (
              <button key={c.pid} className="linkish proc-link" onClick={() => onOpenPid(c.pid)}>
                {c.comm} <span className="dim mono">{c.pid}</span>
              </button>
            ))}
            {d.children.length > 50 && <span className="dim"> and {d.children.length - 50} more</span>}
          </span>
        )}
      </Row>
      <Row label="User">
        {d.user} <span className="dim">(uid {d.uid}, gid {d.gid})</span>
      </Row>
      <Row label="Started">{formatDateTime(d.startedAt)}</Row>
      <Row label="State">
        {d.state} <span className="dim">{STATE_NAMES[d.state] ?? ''}</span> · {d.threads} thread{d.threads === 1 ? '' : 's'}
      </Row>
      <Row label="Nice">{d.nice}</Row>
      <Row label="I/O priority">{d.ioPriority ? `${d.ioPriority.class} ${d.ioPriority.class === 'idle' || d.ioPriority.class === 'none' ? '' : d.ioPriority.level}` : <Unreadable d={d} field="ioPriority" />}</Row>
      <Row label="CPU affinity">{d.affinity ? <span className="mono">{formatCpuList(d.affinity)}</span> : <Unreadable d={d} field="affinity" />}</Row>
      <Row label="OOM score / adj">
        {d.oomScore ?? <Unreadable d={d} field="oomScore" />} / {d.oomScoreAdj ?? <Unreadable d={d} field="oomScoreAdj" />}
      </Row>
      <Row label="Seccomp">{d.seccomp === null ? <Unreadable d={d} field="seccomp" /> : ['off', 'strict', 'filter'][d.seccomp] ?? String(d.seccomp)}</Row>
      <Row label="Capabilities">
        {d.capabilities ? (
          <span className="mono proc-wrap">
            effective: {d.capabilities.effective || 'none'}
            <br />
            permitted: {d.capabilities.permitted || 'none'}
          </span>
        ) : (
          <Unreadable d={d} field="capabilities" />
        )}
      </Row>
    </dl>
  );
}

export function ThreadsTab({ pid }: { pid: number }) {
  const [sample, setSample] = useState<ThreadSample | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  useEffect(() => api.processes.threads({ pid, intervalMs: 1000 }, setSample, setError), [pid]);
  const rows = useMemo(() => (sample ? [...sample.threads].sort((a, b) => b.cpuPercent - a.cpuPercent || a.tid - b.tid) : []), [sample]);
  if (error) return <ErrorBanner error={new ApiError(error.code, error.message)} />;
  if (!sample) return <p className="dim">Reading threads…</p>;
  return (
    <table className="plain proc-small" data-testid="proc-threads">
      <thead>
        <tr>
          <th className="num">TID</th>
          <th>Name</th>
          <th>S</th>
          <th className="num">CPU%</th>
          <th className="num">Time</th>
          <th className="num">NI</th>
          <th className="num">CPU</th>
          <th className="num">Vol / invol ctx</th>
          <th>WChan</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={t.tid}>
            <td className="num mono">{t.tid}</td>
            <td>{t.comm}</td>
            <td title={STATE_NAMES[t.state]}>{t.state}</td>
            <td className="num">{t.cpuPercent.toFixed(1)}</td>
            <td className="num">{formatCpuTime(t.cpuTimeMs)}</td>
            <td className="num">{t.nice}</td>
            <td className="num">{t.processor}</td>
            <td className="num">
              {t.voluntaryCtxSwitches} / {t.involuntaryCtxSwitches}
            </td>
            <td className="mono dim">{t.wchan || '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const FD_ICONS: Record<FdKind, string> = { file: '📄', socket: '🔌', pipe: '⇶', anon: '◌', device: '⚙', other: '?' };

function fdTarget(f: FdRow): string {
  if (f.socket) {
    const s = f.socket;
    if (s.protocol === 'unix') return `unix ${s.local || '(unnamed)'}${s.remote ? ` → ${s.remote}` : ''} ${s.state}`;
    return `${s.protocol} ${s.local}${s.remote ? ` → ${s.remote}` : ''} ${s.state}`;
  }
  return f.target;
}

export function FilesTab({ d }: { d: ProcessDetails }) {
  const [q, setQ] = useState('');
  if (!d.fds) return <Unreadable d={d} field="fds" />;
  const rows = d.fds.filter((f) => !q || fdTarget(f).toLowerCase().includes(q.toLowerCase()) || String(f.fd) === q);
  return (
    <>
      <input className="proc-tab-search" aria-label="Search files" placeholder="Search descriptors…" value={q} onChange={(e) => setQ(e.target.value)} />
      <span className="dim"> {d.fds.length} open descriptors</span>
      <table className="plain proc-small" data-testid="proc-fds">
        <thead>
          <tr>
            <th className="num">FD</th>
            <th>Kind</th>
            <th>Target</th>
            <th>Mode</th>
            <th className="num">Offset</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="dim">
                {d.fds.length === 0 ? 'No open file descriptors.' : 'No descriptor matches the search.'}
              </td>
            </tr>
          )}
          {rows.map((f) => (
            <tr key={f.fd}>
              <td className="num mono">{f.fd}</td>
              <td>
                <span aria-hidden>{FD_ICONS[f.kind]}</span> {f.kind}
              </td>
              <td className="mono proc-wrap">{fdTarget(f)}</td>
              <td className="mono">{f.mode}</td>
              <td className="num">{f.position ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function MapsTab({ pid }: { pid: number }) {
  const [maps, setMaps] = useState<ProcessMaps | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    api.memory.maps({ pid }).then(
      (m) => live && setMaps(m),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [pid]);
  if (error) return <ErrorBanner error={error} />;
  if (!maps) return <p className="dim">Reading smaps…</p>;
  return (
    <>
      <p className="dim">
        {maps.groups.length} groups · thread stacks found by {maps.stackDetection} ·{' '}
        <a href="#/memory" className="proc-link">
          Memory view
        </a>{' '}
        has live heap and leak analysis (open PID {pid} there).
      </p>
      <table className="plain proc-small" data-testid="proc-maps">
        <thead>
          <tr>
            <th>Region</th>
            <th>Kind</th>
            <th className="num">Size</th>
            <th className="num">RSS</th>
            <th className="num">PSS</th>
            <th className="num">Private</th>
            <th className="num">Swap</th>
            <th>Perms</th>
          </tr>
        </thead>
        <tbody>
          {maps.groups.map((g, k) => (
            <tr key={`${g.kind}:${g.name}:${k}`}>
              <td className="mono proc-wrap">{g.name}</td>
              <td className="dim">{g.kind}</td>
              <td className="num">{formatBytes(g.sizeBytes)}</td>
              <td className="num">{formatBytes(g.rssBytes)}</td>
              <td className="num">{formatBytes(g.pssBytes)}</td>
              <td className="num">{formatBytes(g.privateBytes)}</td>
              <td className="num">{formatBytes(g.swapBytes)}</td>
              <td className="mono dim">{g.perms.join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function EnvironmentTab({ d }: { d: ProcessDetails }) {
  const [q, setQ] = useState('');
  if (!d.environment) return <Unreadable d={d} field="environment" />;
  const needle = q.toLowerCase();
  const rows = d.environment.filter((e) => !needle || e.name.toLowerCase().includes(needle) || e.value.toLowerCase().includes(needle));
  return (
    <>
      <input className="proc-tab-search" aria-label="Search environment" placeholder="Search names and values…" value={q} onChange={(e) => setQ(e.target.value)} />
      <span className="dim">
        {' '}
        {rows.length} of {d.environment.length} variables (as at start)
      </span>
      <table className="plain proc-small" data-testid="proc-env">
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td className="dim">{d.environment.length === 0 ? 'The environment is empty.' : 'No variable matches the search.'}</td>
            </tr>
          )}
          {rows.map((e, k) => (
            <tr key={`${e.name}:${k}`}>
              <td className="mono proc-env-name">{e.name}</td>
              <td className="mono proc-wrap">{e.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function LimitsTab({ d, onEdit }: { d: ProcessDetails; onEdit(row: LimitRow): void }) {
  if (d.limits.length === 0) return <Unreadable d={d} field="limits" />;
  return (
    <table className="plain proc-small" data-testid="proc-limits">
      <thead>
        <tr>
          <th>Limit</th>
          <th className="num">Soft</th>
          <th className="num">Hard</th>
          <th>Units</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {d.limits.map((l) => (
          <tr key={l.name}>
            <td>{l.name}</td>
            <td className="num mono">{String(l.soft)}</td>
            <td className="num mono">{String(l.hard)}</td>
            <td className="dim">{l.units}</td>
            <td>
              {l.resource ? (
                <button className="proc-mini" onClick={() => onEdit(l)} aria-label={`Edit ${l.name}`}>
                  Edit…
                </button>
              ) : (
                <span className="dim">fixed</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CgroupTab({ d }: { d: ProcessDetails }) {
  return (
    <div className="proc-two">
      <div>
        <h4 className="proc-sub">Cgroups</h4>
        {d.cgroups.length === 0 ? (
          <Unreadable d={d} field="cgroups" />
        ) : (
          <table className="plain proc-small">
            <tbody>
              {d.cgroups.map((c) => (
                <tr key={`${c.hierarchy}:${c.controllers}`}>
                  <td className="dim">{c.controllers || 'unified (v2)'}</td>
                  <td className="mono proc-wrap">{c.path}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div>
        <h4 className="proc-sub">Namespaces</h4>
        {d.namespaces.length === 0 ? (
          <Unreadable d={d} field="namespaces" />
        ) : (
          <table className="plain proc-small">
            <tbody>
              {d.namespaces.map((n) => (
                <tr key={n.type}>
                  <td>{n.type}</td>
                  <td className="mono num">{n.inode}</td>
                  <td>{n.isolated ? <span className="proc-badge">isolated</span> : <span className="dim">host</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {d.namespaces.length > 0 && d.unreadable.namespaces && <Unreadable d={d} field="namespaces" />}
      </div>
    </div>
  );
}
