import { loadAddon } from '../../native/load';
import { createFallbackReader } from './fallback';
import type { ProcReader, RawProcessTable, RawThreadTable } from './raw';

type Joined<T, K extends keyof T> = Omit<T, K> & { [P in K]: string };
/** The addon hands text columns over as one NUL-separated string each (far cheaper than arrays of strings). */
export type NativeProcessTable = Joined<RawProcessTable, 'comm' | 'cmdline' | 'cgroup' | 'wchan'>;
export type NativeThreadTable = Joined<RawThreadTable, 'comm' | 'wchan'>;

/** What `vantage_proc.node` exports for reading (native/addon/proc/reader.cc). */
export interface ReaderAddon {
  readProcesses(): NativeProcessTable;
  readThreads(pid: number): NativeThreadTable | null;
  /** Closes the /proc files readProcesses keeps open between calls. */
  releaseProcesses(): void;
  /** The next readProcesses reads this process in full instead of reusing what it kept. */
  refreshProcess(pid: number): void;
  userName(uid: number): string;
  /** ioprio_get(IOPRIO_WHO_PROCESS, pid): the raw value (class << 13 | level); throws with .code on failure. */
  readIoPriority(pid: number): number;
  /** sched_getaffinity: the CPUs the process may run on; throws with .code on failure. */
  readAffinity(pid: number): number[];
  clockTicks: number;
  pageSize: number;
}

let cached: ProcReader | null = null;

/** The addon's reader functions, or why they are unavailable. */
export function readerAddon(): { ok: true; addon: ReaderAddon } | { ok: false; reason: string } {
  const loaded = loadAddon<Partial<ReaderAddon>>('vantage_proc');
  if (!loaded.ok) return loaded;
  if (typeof loaded.addon.readProcesses !== 'function') {
    return { ok: false, reason: 'native addon vantage_proc was built without the batch reader (rebuild with `npm run build:native`)' };
  }
  return { ok: true, addon: loaded.addon as ReaderAddon };
}

function split(joined: string, count: number): string[] {
  return count === 0 ? [] : joined.split('\0');
}

/** A uid without a name may get one (useradd): such misses are looked up again after this long. */
const NAMELESS_RETRY_MS = 60_000;

export function nativeReader(addon: ReaderAddon): ProcReader {
  const names = new Map<number, string>();
  const nameless = new Map<number, number>();
  return {
    kind: 'native',
    clockTicks: addon.clockTicks,
    pageSize: addon.pageSize,
    release: () => addon.releaseProcesses(),
    refresh: (pid) => addon.refreshProcess(pid),
    readAll() {
      const t = addon.readProcesses();
      const count = t.count;
      return { ...t, comm: split(t.comm, count), cmdline: split(t.cmdline, count), cgroup: split(t.cgroup, count), wchan: split(t.wchan, count) };
    },
    readThreads(pid) {
      const t = addon.readThreads(pid);
      return t && { ...t, comm: split(t.comm, t.count), wchan: split(t.wchan, t.count) };
    },
    userName(uid) {
      const name = names.get(uid);
      if (name !== undefined) return name;
      const missedAt = nameless.get(uid);
      if (missedAt !== undefined && Date.now() - missedAt < NAMELESS_RETRY_MS) return String(uid);
      const found = addon.userName(uid);
      if (found === String(uid)) nameless.set(uid, Date.now());
      else {
        names.set(uid, found);
        nameless.delete(uid);
      }
      return found;
    },
  };
}

/**
 * The native batch reader when the addon is built, else the TypeScript fallback with the reason.
 * VANTAGE_PROC_READER=fallback forces the fallback (benchmarks, tests of the fallback path).
 */
export function openReader(): ProcReader {
  if (cached) return cached;
  if (process.env.VANTAGE_PROC_READER === 'fallback') {
    cached = createFallbackReader('forced by VANTAGE_PROC_READER=fallback');
    return cached;
  }
  const a = readerAddon();
  cached = a.ok ? nativeReader(a.addon) : createFallbackReader(a.reason);
  return cached;
}
