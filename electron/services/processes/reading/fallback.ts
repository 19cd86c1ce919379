import { readFileSync, readdirSync } from 'node:fs';
import { pickCgroup, type ProcReader, type RawProcessTable, type RawThreadTable } from './raw';

const PF_KTHREAD = 0x00200000;
/** Idle processes re-read their cgroup every this many reads (another process can move them). */
const CGROUP_EVERY = 8;

/** /proc text is mostly ASCII, but names and command lines are the user's bytes: read them as UTF-8, as the addon does. */
function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The fields of /proc/PID/stat after the command name; `rest[n - 3]` is field n of proc(5). */
export interface StatLine {
  comm: string;
  rest: string[];
}

export function parseStat(text: string): StatLine | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  return { comm: text.slice(open + 1, close), rest: text.slice(close + 2).split(' ') };
}

/** The status lines the table needs. */
export interface StatusFields {
  uid: number;
  voluntary: number;
  involuntary: number;
  swapBytes: number;
}

export function parseStatus(text: string): StatusFields {
  const out: StatusFields = { uid: -1, voluntary: 0, involuntary: 0, swapBytes: 0 };
  for (const line of text.split('\n')) {
    if (line.startsWith('Uid:')) out.uid = Number(line.slice(4).trim().split(/\s+/)[1]);
    else if (line.startsWith('VmSwap:')) out.swapBytes = Number(line.slice(7).trim().split(/\s+/)[0]) * 1024;
    else if (line.startsWith('voluntary_ctxt_switches:')) out.voluntary = Number(line.slice(24));
    else if (line.startsWith('nonvoluntary_ctxt_switches:')) out.involuntary = Number(line.slice(27));
  }
  return out;
}

export function parseIo(text: string): { read: number; write: number } {
  const r = /^read_bytes:\s*(\d+)/m.exec(text);
  const w = /^write_bytes:\s*(\d+)/m.exec(text);
  return { read: r ? Number(r[1]) : -1, write: w ? Number(w[1]) : -1 };
}

export function joinCmdline(raw: string): string {
  let end = raw.length;
  while (end > 0 && raw.charCodeAt(end - 1) === 0) end--;
  return raw.slice(0, end).replace(/\0/g, ' ');
}

/** /etc/passwd, read once: the fallback has no getpwuid. */
function passwdNames(): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of (read('/etc/passwd') ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && !map.has(Number(f[2]))) map.set(Number(f[2]), f[0]);
  }
  return map;
}

/**
 * Reads /proc with plain Node file reads: several times slower than the addon, used when it is
 * not built. Processes that vanish between files are skipped, like the native reader does.
 */
export function createFallbackReader(reason: string, pageSize = 4096): ProcReader {
  let users: Map<number, string> | null = null;
  type Row = { pid: number; stat: StatLine; status: StatusFields; io: { read: number; write: number }; cmdline: string; cgroup: string; wchan: string };
  const known = new Map<number, { startTicks: number; sched: string; state: string; rss: number; row: Row; seen: number }>();
  let generation = 0;
  return {
    kind: 'fallback',
    reason,
    clockTicks: 100,
    pageSize,
    release() {
      known.clear();
    },
    userName(uid) {
      users ??= passwdNames();
      return users.get(uid) ?? String(uid);
    },
    readAll() {
      const rows: Row[] = [];
      generation++;
      for (const name of readdirSync('/proc')) {
        const c = name.charCodeAt(0);
        if (c < 48 || c > 57) continue;
        const pid = Number(name);
        const dir = `/proc/${name}/`;
        const statText = read(dir + 'stat');
        const stat = statText && parseStat(statText);
        if (!stat) continue;
        const f = stat.rest;
        const startTicks = Number(f[19]);
        const rss = Number(f[21]);
        // As the native reader does: a single-threaded process whose schedstat (run time, times
        // scheduled), state and RSS did not move has not run, so what only it can change is reused.
        const sched = read(dir + 'schedstat') ?? '';
        const last = known.get(pid);
        const idle =
          last !== undefined &&
          last.startTicks === startTicks &&
          sched !== '' &&
          sched === last.sched &&
          f[0] !== 'R' &&
          last.state !== 'R' &&
          f[17] === '1' &&
          last.row.stat.rest[17] === '1' &&
          rss === last.rss;
        let row: (typeof rows)[number];
        if (idle) {
          row = { ...last.row, stat };
          if ((pid + generation) % CGROUP_EVERY === 0) row.cgroup = pickCgroup(read(dir + 'cgroup') ?? '');
        } else {
          const statusText = read(dir + 'status');
          const cmdline = statusText && read(dir + 'cmdline');
          if (!statusText || cmdline === null) continue;
          const ioText = read(dir + 'io');
          const wchan = read(dir + 'wchan') ?? '';
          row = {
            pid,
            stat,
            status: parseStatus(statusText),
            io: ioText ? parseIo(ioText) : { read: -1, write: -1 },
            cmdline: joinCmdline(cmdline),
            cgroup: pickCgroup(read(dir + 'cgroup') ?? ''),
            wchan: wchan === '0' ? '' : wchan,
          };
        }
        known.set(pid, { startTicks, sched, state: f[0], rss, row, seen: generation });
        rows.push(row);
      }
      for (const [pid, k] of known) if (k.seen !== generation) known.delete(pid);
      const n = rows.length;
      const t: RawProcessTable = {
        count: n,
        pid: new Int32Array(n),
        ppid: new Int32Array(n),
        uid: new Int32Array(n),
        state: new Uint8Array(n),
        kernel: new Uint8Array(n),
        threads: new Int32Array(n),
        nice: new Int32Array(n),
        priority: new Int32Array(n),
        ttyNr: new Int32Array(n),
        rssBytes: new Float64Array(n),
        vszBytes: new Float64Array(n),
        swapBytes: new Float64Array(n),
        cpuTicks: new Float64Array(n),
        startTicks: new Float64Array(n),
        readBytes: new Float64Array(n),
        writeBytes: new Float64Array(n),
        ctxSwitches: new Float64Array(n),
        comm: [],
        cmdline: [],
        cgroup: [],
        wchan: [],
      };
      rows.forEach((r, i) => {
        const f = r.stat.rest;
        t.pid[i] = r.pid;
        t.ppid[i] = Number(f[1]);
        t.uid[i] = r.status.uid;
        t.state[i] = f[0].charCodeAt(0);
        t.kernel[i] = Number(f[6]) & PF_KTHREAD ? 1 : 0;
        t.threads[i] = Number(f[17]);
        t.nice[i] = Number(f[16]);
        t.priority[i] = Number(f[15]);
        t.ttyNr[i] = Number(f[4]);
        t.rssBytes[i] = Number(f[21]) * pageSize;
        t.vszBytes[i] = Number(f[20]);
        t.swapBytes[i] = r.status.swapBytes;
        t.cpuTicks[i] = Number(f[11]) + Number(f[12]);
        t.startTicks[i] = Number(f[19]);
        t.readBytes[i] = r.io.read;
        t.writeBytes[i] = r.io.write;
        t.ctxSwitches[i] = r.status.voluntary + r.status.involuntary;
        t.comm.push(r.stat.comm);
        t.cmdline.push(r.cmdline);
        t.cgroup.push(r.cgroup);
        t.wchan.push(r.wchan);
      });
      return t;
    },
    readThreads(pid) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        return null;
      }
      const rows: { tid: number; stat: StatLine; status: StatusFields; wchan: string }[] = [];
      for (const name of tids) {
        const dir = `/proc/${pid}/task/${name}/`;
        const statText = read(dir + 'stat');
        const stat = statText && parseStat(statText);
        const statusText = stat && read(dir + 'status');
        if (!stat || !statusText) continue;
        const wchan = read(dir + 'wchan') ?? '';
        rows.push({ tid: Number(name), stat, status: parseStatus(statusText), wchan: wchan === '0' ? '' : wchan });
      }
      const n = rows.length;
      const t: RawThreadTable = {
        count: n,
        tid: new Int32Array(n),
        state: new Uint8Array(n),
        nice: new Int32Array(n),
        priority: new Int32Array(n),
        processor: new Int32Array(n),
        cpuTicks: new Float64Array(n),
        startTicks: new Float64Array(n),
        voluntary: new Float64Array(n),
        involuntary: new Float64Array(n),
        comm: [],
        wchan: [],
      };
      rows.forEach((r, i) => {
        const f = r.stat.rest;
        t.tid[i] = r.tid;
        t.state[i] = f[0].charCodeAt(0);
        t.nice[i] = Number(f[16]);
        t.priority[i] = Number(f[15]);
        t.processor[i] = Number(f[36]);
        t.cpuTicks[i] = Number(f[11]) + Number(f[12]);
        t.startTicks[i] = Number(f[19]);
        t.voluntary[i] = r.status.voluntary;
        t.involuntary[i] = r.status.involuntary;
        t.comm.push(r.stat.comm);
        t.wchan.push(r.wchan);
      });
      return t;
    },
  };
}
