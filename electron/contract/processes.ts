import { z } from 'zod';
import { call, stream } from './core';

/**
 * Every process at one instant, column by column: index i of each array is one process. Thousands
 * of rows cross the boundary each second, so they travel as arrays, not as objects with keys.
 */
export interface ProcessTable {
  ts: number;
  count: number;
  pid: number[];
  ppid: number[];
  uid: number[];
  user: string[];
  /** One letter as in `ps` STAT's first column: R S D Z T t X I. */
  state: string[];
  threads: number[];
  nice: number[];
  priority: number[];
  rssBytes: number[];
  vszBytes: number[];
  swapBytes: number[];
  /** Share of one core over the last interval (so 200 means two cores), as `top` shows it. */
  cpuPercent: number[];
  memPercent: number[];
  /** User + system CPU time since start, milliseconds. */
  cpuTimeMs: number[];
  /** null when /proc/PID/io is unreadable for this user (needs ptrace access). */
  readBytesPerSec: (number | null)[];
  writeBytesPerSec: (number | null)[];
  /** Voluntary + involuntary context switches per second. */
  ctxSwitchesPerSec: number[];
  /** Clock ticks after boot: with pid it names one process for good (pid reuse). */
  startTicks: number[];
  /** Wall clock start, ms since the epoch. */
  startedAt: number[];
  comm: string[];
  /** Arguments joined by spaces; empty for kernel threads. */
  cmdline: string[];
  /** The unified (v2) path, or the v1 path of the cpu/memory hierarchy. */
  cgroup: string[];
  wchan: string[];
  /** Controlling terminal as a device name (pts/3), or "". */
  tty: string[];
  /** Whether the row is a kernel thread (no memory map). */
  kernel: boolean[];
}

export interface ProcessSnapshot {
  table: ProcessTable;
  cpuCount: number;
  memTotalBytes: number;
  /** What reading /proc cost this tick (native batch read + deltas), ms. */
  readMs: number;
  /** How the table was read: the native addon, or the TypeScript fallback and why. */
  reader: { kind: 'native' } | { kind: 'fallback'; reason: string };
}

export interface ThreadRow {
  tid: number;
  comm: string;
  state: string;
  cpuPercent: number;
  cpuTimeMs: number;
  nice: number;
  priority: number;
  /** CPU the thread last ran on. */
  processor: number;
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  wchan: string;
}

export interface ThreadSample {
  pid: number;
  ts: number;
  threads: ThreadRow[];
}

export type FdKind = 'file' | 'socket' | 'pipe' | 'anon' | 'device' | 'other';

export interface SocketInfo {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix' | 'raw' | 'netlink' | 'other';
  local: string;
  remote: string;
  state: string;
}

export interface FdRow {
  fd: number;
  kind: FdKind;
  /** The readlink target: a path, "socket:[123]", "pipe:[456]", "anon_inode:[eventfd]". */
  target: string;
  /** Open flags as letters (r, w, rw) plus O_APPEND/O_NONBLOCK/O_CLOEXEC when set. */
  mode: string;
  /** Byte offset from fdinfo, when readable. */
  position: number | null;
  socket: SocketInfo | null;
}

export interface LimitRow {
  /** Kernel name as in /proc/PID/limits, e.g. "Max open files". */
  name: string;
  /** The `prlimit` resource it maps to, when it can be set. */
  resource: RlimitResource | null;
  soft: number | 'unlimited';
  hard: number | 'unlimited';
  units: string;
}

export interface CgroupRow {
  hierarchy: number;
  /** "" for the unified hierarchy. */
  controllers: string;
  path: string;
}

export interface NamespaceRow {
  type: string;
  inode: number;
  /** Whether this namespace differs from PID 1's. */
  isolated: boolean;
}

export interface ProcessRef {
  pid: number;
  comm: string;
  user: string;
}

export interface ProcessDetails {
  pid: number;
  ppid: number;
  comm: string;
  argv: string[];
  exe: string | null;
  cwd: string | null;
  root: string | null;
  state: string;
  uid: number;
  user: string;
  gid: number;
  threads: number;
  nice: number;
  startTicks: number;
  startedAt: number;
  /** Parent, grandparent, ... up to PID 1. */
  parentChain: ProcessRef[];
  children: ProcessRef[];
  /** null when unreadable; the reason is in `unreadable.environment`. */
  environment: { name: string; value: string }[] | null;
  limits: LimitRow[];
  cgroups: CgroupRow[];
  namespaces: NamespaceRow[];
  fds: FdRow[] | null;
  ioPriority: { class: IoPriorityClass; level: number } | null;
  /** CPUs the process may run on. */
  affinity: number[] | null;
  oomScore: number | null;
  oomScoreAdj: number | null;
  seccomp: number | null;
  capabilities: { effective: string; permitted: string } | null;
  /** What could not be read and why, by field name, e.g. {environment: "EACCES: owned by root"}. */
  unreadable: Record<string, string>;
}

export interface ProcessHistorySeries {
  pid: number;
  startTicks: number;
  ts: number[];
  cpuPercent: (number | null)[];
  rssBytes: (number | null)[];
}

export type IoPriorityClass = 'none' | 'realtime' | 'best-effort' | 'idle';

export const RLIMIT_RESOURCES = [
  'as',
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
] as const;
export type RlimitResource = (typeof RLIMIT_RESOURCES)[number];

export interface SignalInfo {
  name: string;
  number: number;
  /** What it does, in a few words a user understands. */
  meaning: string;
  /** Ends or stops the process by default: the view confirms first. */
  destructive: boolean;
}

/** The standard Linux signals (x86-64 / arm64 numbering), real-time ones by number. */
export const SIGNALS: readonly SignalInfo[] = [
  { name: 'SIGHUP', number: 1, meaning: 'Hang up: many daemons reload their configuration', destructive: true },
  { name: 'SIGINT', number: 2, meaning: 'Interrupt, as Ctrl+C', destructive: true },
  { name: 'SIGQUIT', number: 3, meaning: 'Quit and dump core, as Ctrl+\\', destructive: true },
  { name: 'SIGILL', number: 4, meaning: 'Illegal instruction (ends with core dump)', destructive: true },
  { name: 'SIGTRAP', number: 5, meaning: 'Trace trap, for debuggers', destructive: true },
  { name: 'SIGABRT', number: 6, meaning: 'Abort and dump core', destructive: true },
  { name: 'SIGBUS', number: 7, meaning: 'Bus error (ends with core dump)', destructive: true },
  { name: 'SIGFPE', number: 8, meaning: 'Arithmetic error (ends with core dump)', destructive: true },
  { name: 'SIGKILL', number: 9, meaning: 'Kill now: cannot be caught or ignored', destructive: true },
  { name: 'SIGUSR1', number: 10, meaning: 'User-defined 1 (ends the process unless it handles it)', destructive: true },
  { name: 'SIGSEGV', number: 11, meaning: 'Invalid memory reference (ends with core dump)', destructive: true },
  { name: 'SIGUSR2', number: 12, meaning: 'User-defined 2 (ends the process unless it handles it)', destructive: true },
  { name: 'SIGPIPE', number: 13, meaning: 'Broken pipe', destructive: true },
  { name: 'SIGALRM', number: 14, meaning: 'Timer expired', destructive: true },
  { name: 'SIGTERM', number: 15, meaning: 'Ask to terminate cleanly', destructive: true },
  { name: 'SIGSTKFLT', number: 16, meaning: 'Coprocessor stack fault', destructive: true },
  { name: 'SIGCHLD', number: 17, meaning: 'A child stopped or exited (ignored by default)', destructive: false },
  { name: 'SIGCONT', number: 18, meaning: 'Continue a stopped process', destructive: false },
  { name: 'SIGSTOP', number: 19, meaning: 'Stop (pause) now: cannot be caught', destructive: true },
  { name: 'SIGTSTP', number: 20, meaning: 'Stop from the terminal, as Ctrl+Z', destructive: true },
  { name: 'SIGTTIN', number: 21, meaning: 'Background read from the terminal (stops)', destructive: true },
  { name: 'SIGTTOU', number: 22, meaning: 'Background write to the terminal (stops)', destructive: true },
  { name: 'SIGURG', number: 23, meaning: 'Urgent data on a socket (ignored by default)', destructive: false },
  { name: 'SIGXCPU', number: 24, meaning: 'CPU time limit exceeded (ends with core dump)', destructive: true },
  { name: 'SIGXFSZ', number: 25, meaning: 'File size limit exceeded (ends with core dump)', destructive: true },
  { name: 'SIGVTALRM', number: 26, meaning: 'Virtual timer expired', destructive: true },
  { name: 'SIGPROF', number: 27, meaning: 'Profiling timer expired', destructive: true },
  { name: 'SIGWINCH', number: 28, meaning: 'Terminal window resized (ignored by default)', destructive: false },
  { name: 'SIGIO', number: 29, meaning: 'I/O is possible', destructive: true },
  { name: 'SIGPWR', number: 30, meaning: 'Power failure', destructive: true },
  { name: 'SIGSYS', number: 31, meaning: 'Bad system call (ends with core dump)', destructive: true },
];

const pid = z.number().int().min(1).max(4_194_304);
/** A signal by name (SIGTERM, TERM, sigterm), by number (1–64), or SIGRTMIN+n. */
const signalSpec = z.union([z.string().min(1).max(16), z.number().int()]);
const limitValue = z.union([z.literal('unlimited'), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and _');

export interface ControlResult {
  pid: number;
  /** What was done, said plainly: "sent SIGTERM (15)", "nice 0 → 5". */
  done: string;
  /** Whether it went through vantage-helper. */
  via: 'direct' | 'helper';
}

export interface PrivilegeStatus {
  /** Vantage itself runs as root: the helper is spawned directly. */
  root: boolean;
  helperPath: string | null;
  pkexecPath: string | null;
  policyInstalled: boolean;
  /** Which path privileged actions take, or why there is none and how to get one. */
  mode: 'root' | 'pkexec' | 'none';
  explanation: string;
}

export interface LaunchedProcess {
  id: string;
  pid: number;
  argv: string[];
  cwd: string;
  startedAt: number;
  exited: { code: number | null; signal: string | null; at: number } | null;
  /** Bytes of output kept (bounded ring). */
  outputBytes: number;
}

export type LaunchEvent =
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; code: number | null; signal: string | null };

export const processes = {
  snapshots: stream<ProcessSnapshot>()(
    z.object({ intervalMs: z.number().int().min(250).max(60_000).default(1000) }).strict(),
    'Every process with CPU, memory, I/O and context-switch rates, at the asked interval (columnar).',
  ),
  list: call<ProcessSnapshot>()(z.object({}).strict().optional(), 'One snapshot now, with rates since the previous read.'),
  threads: stream<ThreadSample>()(
    z.object({ pid, intervalMs: z.number().int().min(250).max(60_000).default(1000) }).strict(),
    'The threads of one process with their own CPU share, while the details view is open.',
  ),
  details: call<ProcessDetails>()(
    z.object({ pid }).strict(),
    'Everything about one process: files and sockets, environment, limits, cgroups, namespaces, parents.',
  ),
  history: call<ProcessHistorySeries[]>()(
    z
      .object({
        processes: z.array(z.object({ pid, startTicks: z.number().int().nonnegative() }).strict()).min(1).max(500),
        seconds: z.number().int().min(10).max(90 * 86_400).default(300),
      })
      .strict(),
    'CPU and RSS history of processes (those the collector recorded), for sparklines and charts.',
  ),
  signals: call<readonly SignalInfo[]>()(z.object({}).strict().optional(), 'The signals Vantage can send, with what each does.'),
  privilege: call<PrivilegeStatus>()(z.object({}).strict().optional(), 'How actions on other users’ processes would be authorised here.'),
  signal: call<ControlResult>()(
    z.object({ pid, signal: signalSpec, startTicks: z.number().int().nonnegative().optional() }).strict(),
    'Sends a signal. With startTicks, refuses (ESRCH) when the pid now names another process.',
  ),
  renice: call<ControlResult>()(
    z.object({ pid, nice: z.number().int().min(-20).max(19) }).strict(),
    'Sets the nice value of every thread of a process; lowering it needs the privilege path.',
  ),
  ioprio: call<ControlResult>()(
    z
      .object({
        pid,
        class: z.enum(['none', 'realtime', 'best-effort', 'idle']),
        level: z.number().int().min(0).max(7).default(4),
      })
      .strict(),
    'Sets the I/O scheduling class and level (ioprio_set); realtime needs the privilege path.',
  ),
  affinity: call<ControlResult>()(
    z.object({ pid, cpus: z.array(z.number().int().min(0).max(8191)).min(1).max(8192) }).strict(),
    'Restricts a process (all its threads) to these CPUs (sched_setaffinity).',
  ),
  rlimit: call<ControlResult>()(
    z.object({ pid, resource: z.enum(RLIMIT_RESOURCES), soft: limitValue, hard: limitValue }).strict(),
    'Sets a resource limit (prlimit); raising the hard limit needs the privilege path.',
  ),
  oomScoreAdj: call<ControlResult>()(
    z.object({ pid, value: z.number().int().min(-1000).max(1000) }).strict(),
    'Writes oom_score_adj; lowering it needs the privilege path.',
  ),
  launch: call<LaunchedProcess>()(
    z
      .object({
        argv: z.array(z.string().max(65_536)).min(1).max(4096),
        cwd: z.string().max(4096).optional(),
        env: z.record(envName, z.string().max(65_536)).optional(),
        nice: z.number().int().min(-20).max(19).optional(),
      })
      .strict(),
    'Starts a command detached from Vantage with its output captured (for a terminal tab use terminal.open).',
  ),
  launched: call<LaunchedProcess[]>()(z.object({}).strict().optional(), 'Commands started from Vantage in this session.'),
  launchOutput: stream<LaunchEvent>()(
    z.object({ id: z.string().regex(/^l[0-9a-z]+$/, 'not a launch id') }).strict(),
    'Output of a launched command: what it printed so far (bounded), then new output, then its exit.',
  ),
};
