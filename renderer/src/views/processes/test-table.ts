import type { ProcessTable } from '@contract/processes';

export interface RowSpec {
  pid: number;
  ppid?: number;
  comm?: string;
  cmdline?: string;
  user?: string;
  cpu?: number;
  rss?: number;
  startTicks?: number;
  read?: number | null;
  kernel?: boolean;
}

/** A columnar table built from a few rows, for unit tests of the pure modules. */
export function tableOf(rows: RowSpec[], ts = 1000): ProcessTable {
  return {
    ts,
    count: rows.length,
    pid: rows.map((r) => r.pid),
    ppid: rows.map((r) => r.ppid ?? 0),
    uid: rows.map(() => 0),
    user: rows.map((r) => r.user ?? 'root'),
    state: rows.map(() => 'S'),
    threads: rows.map(() => 1),
    nice: rows.map(() => 0),
    priority: rows.map(() => 20),
    rssBytes: rows.map((r) => r.rss ?? 0),
    vszBytes: rows.map(() => 0),
    swapBytes: rows.map(() => 0),
    cpuPercent: rows.map((r) => r.cpu ?? 0),
    memPercent: rows.map(() => 0),
    cpuTimeMs: rows.map(() => 0),
    readBytesPerSec: rows.map((r) => (r.read === undefined ? 0 : r.read)),
    writeBytesPerSec: rows.map(() => 0),
    ctxSwitchesPerSec: rows.map(() => 0),
    startTicks: rows.map((r) => r.startTicks ?? r.pid * 10),
    startedAt: rows.map(() => 0),
    comm: rows.map((r) => r.comm ?? `p${r.pid}`),
    cmdline: rows.map((r) => r.cmdline ?? ''),
    cgroup: rows.map(() => '/'),
    wchan: rows.map(() => ''),
    tty: rows.map(() => ''),
    kernel: rows.map((r) => r.kernel ?? false),
  };
}
