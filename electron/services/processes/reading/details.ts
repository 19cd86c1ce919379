import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import type {
  CgroupRow,
  FdKind,
  FdRow,
  IoPriorityClass,
  LimitRow,
  NamespaceRow,
  ProcessDetails,
  ProcessRef,
  RlimitResource,
  SocketInfo,
} from '../../../contract/processes';
import { ServiceError } from '../../../contract/errors';
import { bootTimeMs } from './collector';
import { parseStat } from './fallback';
import type { ProcReader } from './raw';
import type { ReaderAddon } from './reader';
import { readSocketTable } from './sockets';

/** A read failure said so a user understands why, keeping the errno name first. */
export function explainError(err: unknown, pid: number): string {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  if (code === 'EACCES' || code === 'EPERM') return `${code}: needs ptrace access to process ${pid}, which belongs to another user (or is protected)`;
  if (code === 'ENOENT' || code === 'ESRCH') return `${code}: process ${pid} exited while being read`;
  return `${code || 'ERROR'}: ${(err as Error)?.message ?? String(err)}`;
}

const LIMIT_RESOURCES: Record<string, RlimitResource> = {
  'Max cpu time': 'cpu',
  'Max file size': 'fsize',
  'Max data size': 'data',
  'Max stack size': 'stack',
  'Max core file size': 'core',
  'Max resident set': 'rss',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max locked memory': 'memlock',
  'Max address space': 'as',
  'Max file locks': 'locks',
  'Max pending signals': 'sigpending',
  'Max msgqueue size': 'msgqueue',
  'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio',
  'Max realtime timeout': 'rttime',
};

export function parseLimits(text: string): LimitRow[] {
  const rows: LimitRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)\s*(\S*)\s*$/.exec(line);
    if (!m) continue;
    const value = (v: string): number | 'unlimited' => (v === 'unlimited' ? 'unlimited' : Number(v));
    rows.push({ name: m[1], resource: LIMIT_RESOURCES[m[1]] ?? null, soft: value(m[2]), hard: value(m[3]), units: m[4] });
  }
  return rows;
}

export function parseCgroups(text: string): CgroupRow[] {
  const rows: CgroupRow[] = [];
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    rows.push({ hierarchy: Number(line.slice(0, a)), controllers: line.slice(a + 1, b), path: line.slice(b + 1) });
  }
  return rows;
}

export function parseEnviron(text: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const entry of text.split('\0')) {
    if (!entry) continue;
    const eq = entry.indexOf('=');
    out.push(eq < 0 ? { name: entry, value: '' } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) });
  }
  return out;
}

/** "0-3,8,10-11" → [0,1,2,3,8,10,11]. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) out.push(c);
  }
  return out;
}

const CAP_NAMES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'linux_immutable',
  'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot',
  'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease',
  'audit_write', 'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read',
  'perfmon', 'bpf', 'checkpoint_restore',
];

/** A capability mask from status (hex) as names: "none", "all", or "cap_net_raw,cap_sys_admin". */
export function describeCaps(hex: string): string {
  const mask = BigInt(`0x${hex}`);
  if (mask === 0n) return 'none';
  const names: string[] = [];
  let known = 0;
  for (let bit = 0; bit < 64; bit++) {
    if (!(mask & (1n << BigInt(bit)))) continue;
    if (bit < CAP_NAMES.length) known++;
    names.push(bit < CAP_NAMES.length ? `cap_${CAP_NAMES[bit]}` : `cap_${bit}`);
  }
  return known === CAP_NAMES.length && names.length === known ? 'all' : names.join(',');
}

const O_ACCMODE = 0o3;
const OPEN_FLAGS: [number, string][] = [
  [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'],
  [0o2000000, 'O_CLOEXEC'],
];

/** fdinfo "flags:" (octal) → "r" | "w" | "rw" plus the flags that matter to a reader. */
export function describeOpenFlags(octal: string): string {
  const flags = parseInt(octal, 8);
  const acc = flags & O_ACCMODE;
  const parts = [acc === 0 ? 'r' : acc === 1 ? 'w' : 'rw'];
  for (const [bit, name] of OPEN_FLAGS) if (flags & bit) parts.push(name);
  return parts.join(' ');
}

export function fdKind(target: string, isDevice: boolean): FdKind {
  if (target.startsWith('socket:[')) return 'socket';
  if (target.startsWith('pipe:[')) return 'pipe';
  if (target.startsWith('anon_inode:')) return 'anon';
  if (target.startsWith('/')) return isDevice ? 'device' : 'file';
  return 'other';
}

const IO_CLASSES: IoPriorityClass[] = ['none', 'realtime', 'best-effort', 'idle'];

/** ioprio_get's value; class none means "derived from nice", as the kernel's level is then (nice + 20) / 5. */
export function decodeIoPriority(raw: number, nice: number): { class: IoPriorityClass; level: number } {
  const cls = IO_CLASSES[raw >> 13] ?? 'none';
  return { class: cls, level: cls === 'none' ? Math.floor((nice + 20) / 5) : raw & 0x1fff };
}

function statusField(status: string, name: string): string | null {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
  return m ? m[1].trim() : null;
}

function readFds(pid: number, unreadable: Record<string, string>): FdRow[] | null {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    unreadable.fds = explainError(err, pid);
    return null;
  }
  let sockets: Map<number, SocketInfo> | null = null;
  const rows: FdRow[] = [];
  for (const name of names) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${name}`);
    } catch {
      continue; // closed between the listing and the readlink
    }
    let isDevice = false;
    if (target.startsWith('/')) {
      try {
        const st = statSync(`/proc/${pid}/fd/${name}`);
        isDevice = st.isCharacterDevice() || st.isBlockDevice();
      } catch {}
    }
    let mode = '';
    let position: number | null = null;
    try {
      const info = readFileSync(`/proc/${pid}/fdinfo/${name}`, 'latin1');
      const pos = /^pos:\s*(\d+)/m.exec(info);
      const flags = /^flags:\s*([0-7]+)/m.exec(info);
      if (pos) position = Number(pos[1]);
      if (flags) mode = describeOpenFlags(flags[1]);
    } catch {}
    const kind = fdKind(target, isDevice);
    let socket: SocketInfo | null = null;
    if (kind === 'socket') {
      sockets ??= readSocketTable(pid);
      const inode = Number(/\[(\d+)\]/.exec(target)?.[1]);
      socket = sockets.get(inode) ?? { protocol: 'other', local: '', remote: '', state: '' };
    }
    rows.push({ fd: Number(name), kind, target, mode, position, socket });
  }
  return rows.sort((a, b) => a.fd - b.fd);
}

function readNamespaces(pid: number, unreadable: Record<string, string>): NamespaceRow[] {
  const inodeOf = (p: number | 'self', type: string): number | null => {
    try {
      return Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${p}/ns/${type}`))?.[1]);
    } catch {
      return null;
    }
  };
  let types: string[];
  try {
    types = readdirSync(`/proc/${pid}/ns`);
  } catch (err) {
    unreadable.namespaces = explainError(err, pid);
    return [];
  }
  const rows: NamespaceRow[] = [];
  let failed: unknown = null;
  for (const type of types) {
    let inode: number;
    try {
      inode = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${type}`))?.[1]);
    } catch (err) {
      failed = err;
      continue;
    }
    // PID 1's namespaces are the host's; when they are unreadable (not root), ours stand in.
    const reference = inodeOf(1, type) ?? inodeOf('self', type);
    rows.push({ type, inode, isolated: reference !== null && reference !== inode });
  }
  if (failed && !rows.length) unreadable.namespaces = explainError(failed, pid);
  return rows;
}

export interface DetailsDeps {
  reader: ProcReader;
  /** The addon's ioprio_get, when built. */
  addon: ReaderAddon | null;
  /** Why the addon is missing, for `unreadable.ioPriority`. */
  addonReason?: string;
}

/** Everything about one process. Unknown pid → ESRCH; whatever cannot be read lands in `unreadable`. */
export function readProcessDetails(pid: number, deps: DetailsDeps): ProcessDetails {
  const dir = `/proc/${pid}/`;
  let statText: string;
  let status: string;
  try {
    statText = readFileSync(dir + 'stat', 'latin1');
    status = readFileSync(dir + 'status', 'latin1');
  } catch {
    throw new ServiceError('ESRCH', `process ${pid} does not exist (or has exited)`);
  }
  const stat = parseStat(statText);
  if (!stat) throw new ServiceError('ESRCH', `process ${pid} has an unreadable stat line`);
  const f = stat.rest;
  const unreadable: Record<string, string> = {};
  const zombie = f[0] === 'Z';
  const attempt = <T>(field: string, fn: () => T): T | null => {
    try {
      return fn();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      unreadable[field] =
        zombie && (code === 'ENOENT' || code === 'ESRCH')
          ? `${code}: process ${pid} is a zombie (it exited; its parent has not collected it yet)`
          : explainError(err, pid);
      return null;
    }
  };
  const text = (name: string) => readFileSync(dir + name, 'latin1');
  const link = (name: string) => readlinkSync(dir + name);

  const uid = Number((statusField(status, 'Uid') ?? '0 0').split(/\s+/)[1]);
  const gid = Number((statusField(status, 'Gid') ?? '0 0').split(/\s+/)[1]);
  const nice = Number(f[16]);
  const startTicks = Number(f[19]);

  // One table read gives names for the parent chain and the children.
  // A fresh read (not the last tick): children started a moment ago must be there. The kernel's
  // task/*/children list would be cheaper, but needs CONFIG_PROC_CHILDREN, which many lack.
  const table = deps.reader.readAll();
  const byPid = new Map<number, number>();
  for (let i = 0; i < table.count; i++) byPid.set(table.pid[i], i);
  const ref = (i: number): ProcessRef => ({ pid: table.pid[i], comm: table.comm[i], user: deps.reader.userName(table.uid[i]) });
  const parentChain: ProcessRef[] = [];
  const seen = new Set<number>([pid]);
  for (let p = Number(f[1]); p > 0 && !seen.has(p); ) {
    seen.add(p);
    const i = byPid.get(p);
    if (i === undefined) break;
    parentChain.push(ref(i));
    p = table.ppid[i];
  }
  const children: ProcessRef[] = [];
  for (let i = 0; i < table.count; i++) if (table.ppid[i] === pid) children.push(ref(i));

  const cmdline = attempt('argv', () => text('cmdline'));
  let ioPriority: ProcessDetails['ioPriority'] = null;
  if (deps.addon) {
    const addon = deps.addon;
    const raw = attempt('ioPriority', () => addon.readIoPriority(pid));
    if (raw !== null) ioPriority = decodeIoPriority(raw, nice);
  } else {
    unreadable.ioPriority = `UNAVAILABLE: ${deps.addonReason ?? 'the native addon is not built'}`;
  }
  const capEff = statusField(status, 'CapEff');
  const capPrm = statusField(status, 'CapPrm');
  const seccomp = statusField(status, 'Seccomp');
  const cpusAllowed = statusField(status, 'Cpus_allowed_list');
  const numberFile = (name: string) => attempt(name === 'oom_score' ? 'oomScore' : 'oomScoreAdj', () => Number(text(name).trim()));

  return {
    pid,
    ppid: Number(f[1]),
    comm: stat.comm,
    argv: cmdline === null ? [] : cmdline.replace(/\0+$/, '').split('\0').filter((a, i, all) => a !== '' || all.length > 1),
    exe: attempt('exe', () => link('exe')),
    cwd: attempt('cwd', () => link('cwd')),
    root: attempt('root', () => link('root')),
    state: f[0],
    uid,
    user: deps.reader.userName(uid),
    gid,
    threads: Number(f[17]),
    nice,
    startTicks,
    startedAt: Math.round(bootTimeMs() + (startTicks / deps.reader.clockTicks) * 1000),
    parentChain,
    children,
    environment: attempt('environment', () => parseEnviron(text('environ'))),
    limits: attempt('limits', () => parseLimits(text('limits'))) ?? [],
    cgroups: attempt('cgroups', () => parseCgroups(text('cgroup'))) ?? [],
    namespaces: readNamespaces(pid, unreadable),
    fds: readFds(pid, unreadable),
    ioPriority,
    affinity: cpusAllowed ? parseCpuList(cpusAllowed) : null,
    oomScore: numberFile('oom_score'),
    oomScoreAdj: numberFile('oom_score_adj'),
    seccomp: seccomp === null ? null : Number(seccomp),
    capabilities: capEff && capPrm ? { effective: describeCaps(capEff), permitted: describeCaps(capPrm) } : null,
    unreadable,
  };
}

