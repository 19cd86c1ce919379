import type { ProcessTable } from '@contract/processes';
import { formatBytes, formatDuration } from '../../components/format';

export type ColumnId =
  | 'pid'
  | 'user'
  | 'state'
  | 'cpu'
  | 'mem'
  | 'rss'
  | 'vsz'
  | 'swap'
  | 'threads'
  | 'nice'
  | 'priority'
  | 'read'
  | 'write'
  | 'ctx'
  | 'cputime'
  | 'started'
  | 'command'
  | 'cgroup'
  | 'tty'
  | 'wchan';

export interface Column {
  id: ColumnId;
  label: string;
  /** What the column means, for the header tooltip and the column menu. */
  title: string;
  /** Width in px; the command column takes what is left. */
  width: number;
  align: 'left' | 'right';
  /** Sorting starts descending for quantities (largest first), ascending for names. */
  firstDesc: boolean;
  /** Sort key: a number, or text compared case-insensitively. */
  key: (t: ProcessTable, i: number) => number | string;
  text: (t: ProcessTable, i: number) => string;
}

const num = (v: number | null): number => (v === null ? -1 : v);
/** Table cells are narrow: "126 KiB" rather than "126.4 KiB", one decimal below 100. */
export function compactBytes(v: number): string {
  const s = formatBytes(v, 1);
  const sp = s.indexOf(' ');
  const n = Number(s.slice(0, sp));
  return n >= 100 ? `${Math.round(n)}${s.slice(sp)}` : s;
}
const rate = (v: number | null): string => (v === null ? '–' : v === 0 ? '0' : `${compactBytes(v)}/s`);
const bytes = (v: number): string => (v === 0 ? '0' : compactBytes(v));

/** 1736000000000 → "10:42" today, "Nov 21" before. */
export function formatStarted(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const n = new Date(now);
  const pad = (x: number) => String(x).padStart(2, '0');
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) {
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return d.getFullYear() === n.getFullYear() ? `${months[d.getMonth()]} ${d.getDate()}` : String(d.getFullYear());
}

/** CPU time as `top` shows TIME+: "1:02.34" (m:ss.hh), hours as "3h12m" when long. */
export function formatCpuTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const totalSec = ms / 1000;
  if (totalSec >= 3600) return formatDuration(totalSec);
  const m = Math.floor(totalSec / 60);
  const s = totalSec - m * 60;
  return `${m}:${s.toFixed(2).padStart(5, '0')}`;
}

export const STATE_NAMES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk wait',
  Z: 'zombie',
  T: 'stopped',
  t: 'traced',
  X: 'dead',
  I: 'idle',
};

export const COLUMNS: readonly Column[] = [
  { id: 'pid', label: 'PID', title: 'Process id', width: 68, align: 'right', firstDesc: false, key: (t, i) => t.pid[i], text: (t, i) => String(t.pid[i]) },
  { id: 'user', label: 'User', title: 'Owner (real user)', width: 90, align: 'left', firstDesc: false, key: (t, i) => t.user[i], text: (t, i) => t.user[i] },
  { id: 'state', label: 'S', title: 'State: R running, S sleeping, D disk wait, Z zombie, T stopped, I idle', width: 30, align: 'left', firstDesc: false, key: (t, i) => t.state[i], text: (t, i) => t.state[i] },
  { id: 'cpu', label: 'CPU%', title: 'Share of one core over the last interval (200 = two cores)', width: 62, align: 'right', firstDesc: true, key: (t, i) => t.cpuPercent[i], text: (t, i) => t.cpuPercent[i].toFixed(1) },
  { id: 'mem', label: 'MEM%', title: 'Resident memory as a share of RAM', width: 60, align: 'right', firstDesc: true, key: (t, i) => t.memPercent[i], text: (t, i) => t.memPercent[i].toFixed(1) },
  { id: 'rss', label: 'RSS', title: 'Resident set size: memory in RAM', width: 84, align: 'right', firstDesc: true, key: (t, i) => t.rssBytes[i], text: (t, i) => bytes(t.rssBytes[i]) },
  { id: 'vsz', label: 'VSZ', title: 'Virtual memory size', width: 84, align: 'right', firstDesc: true, key: (t, i) => t.vszBytes[i], text: (t, i) => bytes(t.vszBytes[i]) },
  { id: 'swap', label: 'Swap', title: 'Memory swapped out', width: 76, align: 'right', firstDesc: true, key: (t, i) => t.swapBytes[i], text: (t, i) => bytes(t.swapBytes[i]) },
  { id: 'threads', label: 'Thr', title: 'Threads', width: 48, align: 'right', firstDesc: true, key: (t, i) => t.threads[i], text: (t, i) => String(t.threads[i]) },
  { id: 'nice', label: 'NI', title: 'Nice value (-20 favoured … 19 yields)', width: 40, align: 'right', firstDesc: false, key: (t, i) => t.nice[i], text: (t, i) => String(t.nice[i]) },
  { id: 'priority', label: 'PRI', title: 'Kernel scheduling priority', width: 42, align: 'right', firstDesc: false, key: (t, i) => t.priority[i], text: (t, i) => String(t.priority[i]) },
  { id: 'read', label: 'Read/s', title: 'Disk read rate (– when /proc/PID/io is not readable)', width: 84, align: 'right', firstDesc: true, key: (t, i) => num(t.readBytesPerSec[i]), text: (t, i) => rate(t.readBytesPerSec[i]) },
  { id: 'write', label: 'Write/s', title: 'Disk write rate (– when /proc/PID/io is not readable)', width: 84, align: 'right', firstDesc: true, key: (t, i) => num(t.writeBytesPerSec[i]), text: (t, i) => rate(t.writeBytesPerSec[i]) },
  { id: 'ctx', label: 'Ctx/s', title: 'Context switches per second (voluntary + involuntary)', width: 60, align: 'right', firstDesc: true, key: (t, i) => t.ctxSwitchesPerSec[i], text: (t, i) => String(Math.round(t.ctxSwitchesPerSec[i])) },
  { id: 'cputime', label: 'Time', title: 'CPU time used since start (user + system)', width: 74, align: 'right', firstDesc: true, key: (t, i) => t.cpuTimeMs[i], text: (t, i) => formatCpuTime(t.cpuTimeMs[i]) },
  { id: 'started', label: 'Started', title: 'When the process started', width: 62, align: 'right', firstDesc: true, key: (t, i) => t.startedAt[i], text: (t, i) => formatStarted(t.startedAt[i]) },
  { id: 'tty', label: 'TTY', title: 'Controlling terminal', width: 62, align: 'left', firstDesc: false, key: (t, i) => t.tty[i], text: (t, i) => t.tty[i] || '–' },
  { id: 'wchan', label: 'WChan', title: 'Kernel function the process is waiting in', width: 120, align: 'left', firstDesc: false, key: (t, i) => t.wchan[i], text: (t, i) => t.wchan[i] || '–' },
  { id: 'cgroup', label: 'Cgroup', title: 'Control group path', width: 200, align: 'left', firstDesc: false, key: (t, i) => t.cgroup[i], text: (t, i) => t.cgroup[i] },
  { id: 'command', label: 'Command', title: 'Name (bold) and arguments', width: 0, align: 'left', firstDesc: false, key: (t, i) => t.comm[i], text: (t, i) => commandText(t, i) },
];

export const COLUMN_BY_ID: Record<ColumnId, Column> = Object.fromEntries(COLUMNS.map((c) => [c.id, c])) as Record<ColumnId, Column>;

export const DEFAULT_COLUMNS: readonly ColumnId[] = ['pid', 'user', 'state', 'cpu', 'mem', 'rss', 'threads', 'nice', 'read', 'write', 'cputime', 'command'];

/**
 * The command column shows the name and what follows it on the command line. Kernel threads
 * have no command line: their name is shown in brackets, as `ps` does.
 */
export function commandParts(t: ProcessTable, i: number): { name: string; args: string } {
  const comm = t.comm[i];
  const cmd = t.cmdline[i];
  if (!cmd) return { name: t.kernel[i] ? `[${comm}]` : comm, args: '' };
  // argv[0] may be a path (/usr/bin/python3) or something the program rewrote (sshd: user@pts/0).
  const sp = cmd.indexOf(' ');
  const argv0 = sp < 0 ? cmd : cmd.slice(0, sp);
  const rest = sp < 0 ? '' : cmd.slice(sp + 1);
  const base = argv0.slice(argv0.lastIndexOf('/') + 1);
  if (base === comm || base.startsWith(comm)) return { name: base, args: rest };
  return { name: comm, args: cmd };
}

function commandText(t: ProcessTable, i: number): string {
  const p = commandParts(t, i);
  return p.args ? `${p.name} ${p.args}` : p.name;
}

const STORAGE_KEY = 'vantage.processes.columns';

/** The chosen columns, in table order; unknown or missing entries fall back to the defaults. */
export function loadColumns(storage: Pick<Storage, 'getItem'> | null): ColumnId[] {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return [...DEFAULT_COLUMNS];
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [...DEFAULT_COLUMNS];
    const chosen = new Set(parsed.filter((x): x is ColumnId => typeof x === 'string' && x in COLUMN_BY_ID));
    chosen.add('command');
    return COLUMNS.filter((c) => chosen.has(c.id)).map((c) => c.id);
  } catch {
    return [...DEFAULT_COLUMNS];
  }
}

export function saveColumns(storage: Pick<Storage, 'setItem'> | null, ids: readonly ColumnId[]): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(ids));
  } catch {
    // Storage full or disabled: the choice lasts for this session only.
  }
}

/** Shows or hides one column, keeping table order; the command column always stays. */
export function toggleColumn(ids: readonly ColumnId[], id: ColumnId): ColumnId[] {
  if (id === 'command') return [...ids];
  const set = new Set(ids);
  if (set.has(id)) set.delete(id);
  else set.add(id);
  return COLUMNS.filter((c) => set.has(c.id)).map((c) => c.id);
}
