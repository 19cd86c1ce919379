/**
 * What a reader returns for every process: the raw kernel counters, column by column. The
 * collector turns counters into rates; the native addon and the TypeScript fallback both fill it.
 */
export interface RawProcessTable {
  count: number;
  pid: Int32Array;
  ppid: Int32Array;
  /** Effective uid (as `ps -o user`). */
  uid: Int32Array;
  /** State letter as a char code (R S D Z T t X I ...). */
  state: Uint8Array;
  /** 1 for kernel threads (PF_KTHREAD). */
  kernel: Uint8Array;
  threads: Int32Array;
  nice: Int32Array;
  priority: Int32Array;
  /** Controlling terminal device number from stat (0: none). */
  ttyNr: Int32Array;
  rssBytes: Float64Array;
  vszBytes: Float64Array;
  swapBytes: Float64Array;
  /** utime + stime, clock ticks. */
  cpuTicks: Float64Array;
  startTicks: Float64Array;
  /** Bytes the process caused to be read from / written to storage; -1 when /proc/PID/io is unreadable. */
  readBytes: Float64Array;
  writeBytes: Float64Array;
  /** Voluntary + involuntary context switches since start. */
  ctxSwitches: Float64Array;
  comm: string[];
  /** Arguments joined by spaces. */
  cmdline: string[];
  cgroup: string[];
  wchan: string[];
}

export interface RawThreadTable {
  count: number;
  tid: Int32Array;
  state: Uint8Array;
  nice: Int32Array;
  priority: Int32Array;
  processor: Int32Array;
  cpuTicks: Float64Array;
  startTicks: Float64Array;
  voluntary: Float64Array;
  involuntary: Float64Array;
  comm: string[];
  wchan: string[];
}

/** A way to read /proc: the native batch reader or the TypeScript fallback. */
export interface ProcReader {
  kind: 'native' | 'fallback';
  /** Why the fallback is used (the addon's load failure). */
  reason?: string;
  readAll(): RawProcessTable;
  /** Every thread of one process; null when the process does not exist. */
  readThreads(pid: number): RawThreadTable | null;
  userName(uid: number): string;
  /** Lets go of what the reader keeps between reads (the native reader's open /proc files). */
  release(): void;
  /** Forget what is kept for one process, so the next read sees changes made to it at once. */
  refresh?(pid: number): void;
  clockTicks: number;
  pageSize: number;
}

/** Device number from stat's tty_nr to the name `ps` shows (pts/3, tty1, ttyS0), "" for none. */
export function ttyName(nr: number, lookup: (major: number, minor: number) => string | null = () => null): string {
  if (nr === 0) return '';
  const major = (nr >> 8) & 0xfff;
  const minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  if (major === 5 && minor === 1) return 'console';
  if (major === 5 && minor === 0) return 'tty';
  return lookup(major, minor) ?? `${major}:${minor}`;
}

/** Picks the unified (v2) path, or on a hybrid system the v1 memory or cpu hierarchy's path. */
export function pickCgroup(text: string): string {
  let unified = '';
  let v1 = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const controllers = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (line.startsWith('0::')) unified = path;
    else if (!v1 && /(^|,)(memory|cpu)(,|$)/.test(controllers)) v1 = path;
  }
  return v1 || unified;
}
