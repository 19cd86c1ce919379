import { readdirSync, readFileSync, readlinkSync, statfsSync } from 'node:fs';

/** A read-only table computed from the machine each time a query scans it. */
export interface LiveTable {
  name: string;
  columns: { name: string; type: string }[];
  scan(): unknown[][];
}

const CLK_TCK = 100;
const PAGE = 4096;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

let usersCache: Map<number, string> | null = null;
function userName(uid: number): string {
  if (!usersCache) {
    usersCache = new Map();
    for (const line of (read('/etc/passwd') ?? '').split('\n')) {
      const f = line.split(':');
      if (f.length > 2) usersCache.set(Number(f[2]), f[0]);
    }
  }
  return usersCache.get(uid) ?? String(uid);
}

function bootTimeMs(): number {
  const m = /^btime (\d+)/m.exec(read('/proc/stat') ?? '');
  return m ? Number(m[1]) * 1000 : 0;
}

interface Stat {
  comm: string;
  state: string;
  ppid: number;
  utime: number;
  stime: number;
  nice: number;
  threads: number;
  starttime: number;
  vsz: number;
  rss: number;
}

/** Parses /proc/<pid>/stat; comm may contain spaces and parentheses, so split at the last ')'. */
export function parseStat(text: string): Stat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(open + 1, close),
    state: f[0],
    ppid: Number(f[1]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    nice: Number(f[16]),
    threads: Number(f[17]),
    starttime: Number(f[19]),
    vsz: Number(f[20]),
    rss: Number(f[21]) * PAGE,
  };
}

function uidOf(pid: number | string): number | null {
  const m = /^Uid:\s+(\d+)/m.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) : null;
}

function uptimeSeconds(): number {
  return Number((read('/proc/uptime') ?? '0').split(' ')[0]);
}

export function scanProcesses(): unknown[][] {
  const boot = bootTimeMs();
  const up = uptimeSeconds();
  const rows: unknown[][] = [];
  for (const pid of pids()) {
    const text = read(`/proc/${pid}/stat`);
    const st = text ? parseStat(text) : null;
    if (!st) continue;
    const uid = uidOf(pid);
    const cmd = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
    const age = up - st.starttime / CLK_TCK;
    // Average CPU over the process lifetime: the only figure one read can give without a second sample.
    const cpu = age > 0 ? Math.round(((st.utime + st.stime) / CLK_TCK / age) * 1000) / 10 : null;
    rows.push([
      pid,
      st.ppid,
      uid === null ? null : userName(uid),
      uid,
      st.state,
      st.comm,
      cmd,
      st.threads,
      st.rss,
      st.vsz,
      cpu,
      st.nice,
      boot + Math.round((st.starttime / CLK_TCK) * 1000),
    ]);
  }
  return rows;
}

export function scanThreads(): unknown[][] {
  const rows: unknown[][] = [];
  for (const pid of pids()) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const text = read(`/proc/${pid}/task/${tid}/stat`);
      const st = text ? parseStat(text) : null;
      if (!st) continue;
      rows.push([pid, Number(tid), st.comm, st.state, st.utime / CLK_TCK, st.stime / CLK_TCK, st.nice]);
    }
  }
  return rows;
}

function socketOwners(): Map<number, number> {
  const owners = new Map<number, number>();
  for (const pid of pids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && !owners.has(Number(m[1]))) owners.set(Number(m[1]), pid);
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return owners;
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** Kernel hex address (host byte order per 32-bit word) to text. */
export function decodeAddr(hex: string): string {
  if (hex.length === 8) {
    const n = parseInt(hex, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

export function scanConnections(): unknown[][] {
  const owners = socketOwners();
  const rows: unknown[][] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const lines = (read(`/proc/net/${proto}`) ?? '').split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const [la, lp] = f[1].split(':');
      const [ra, rp] = f[2].split(':');
      const inode = Number(f[9]);
      const state = proto.startsWith('tcp') ? (TCP_STATES[f[3]] ?? f[3]) : f[3] === '07' ? 'UNCONN' : f[3] === '01' ? 'ESTABLISHED' : f[3];
      rows.push([proto, decodeAddr(la), parseInt(lp, 16), decodeAddr(ra), parseInt(rp, 16), state, inode, Number(f[7]), owners.get(inode) ?? null]);
    }
  }
  return rows;
}

export function scanInterfaces(): unknown[][] {
  const rows: unknown[][] = [];
  for (const line of (read('/proc/net/dev') ?? '').split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1];
    const n = m[2].trim().split(/\s+/).map(Number);
    const sys = (f: string) => read(`/sys/class/net/${name}/${f}`)?.trim() ?? null;
    const mtu = sys('mtu');
    const flags = sys('flags');
    const speed = sys('speed');
    rows.push([
      name,
      mtu === null ? null : Number(mtu),
      sys('address'),
      flags === null ? null : parseInt(flags, 16) & 1,
      sys('operstate'),
      speed === null || !/^\d+$/.test(speed) ? null : Number(speed),
      n[0],
      n[1],
      n[2],
      n[3],
      n[8],
      n[9],
      n[10],
      n[11],
    ]);
  }
  return rows;
}

/** Undoes the octal escapes mountinfo uses for spaces, tabs, newlines and backslashes. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function scanMounts(): unknown[][] {
  const rows: unknown[][] = [];
  for (const line of (read('/proc/self/mountinfo') ?? '').split('\n')) {
    if (!line) continue;
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const l = left.split(' ');
    const r = right.split(' ');
    const mountpoint = unescape(l[4]);
    let size: number | null = null;
    let avail: number | null = null;
    let free: number | null = null;
    let inodes: number | null = null;
    let ifree: number | null = null;
    try {
      const s = statfsSync(mountpoint);
      size = s.blocks * s.bsize;
      free = s.bfree * s.bsize;
      avail = s.bavail * s.bsize;
      inodes = s.files;
      ifree = s.ffree;
    } catch {
      /* not reachable from here (permission, stale mount) */
    }
    rows.push([
      Number(l[0]),
      unescape(r[1]),
      mountpoint,
      r[0],
      l[5],
      r[2] ?? '',
      l[2],
      unescape(l[3]),
      size,
      size === null || free === null ? null : size - free,
      avail,
      inodes,
      inodes === null || ifree === null ? null : inodes - ifree,
    ]);
  }
  return rows;
}

const cols = (spec: string) =>
  spec.split(',').map((c) => {
    const [name, type] = c.trim().split(' ');
    return { name, type };
  });

export function liveTables(extra: LiveTable[] = []): LiveTable[] {
  return [
    {
      name: 'processes',
      columns: cols('pid INTEGER, ppid INTEGER, user TEXT, uid INTEGER, state TEXT, comm TEXT, cmdline TEXT, threads INTEGER, rss INTEGER, vsz INTEGER, cpu_percent REAL, nice INTEGER, start_time INTEGER'),
      scan: scanProcesses,
    },
    { name: 'threads', columns: cols('pid INTEGER, tid INTEGER, comm TEXT, state TEXT, utime REAL, stime REAL, nice INTEGER'), scan: scanThreads },
    {
      name: 'connections',
      columns: cols('proto TEXT, local_addr TEXT, local_port INTEGER, remote_addr TEXT, remote_port INTEGER, state TEXT, inode INTEGER, uid INTEGER, pid INTEGER'),
      scan: scanConnections,
    },
    {
      name: 'interfaces',
      columns: cols(
        'name TEXT, mtu INTEGER, mac TEXT, up INTEGER, operstate TEXT, speed_mbps INTEGER, rx_bytes INTEGER, rx_packets INTEGER, rx_errors INTEGER, rx_dropped INTEGER, tx_bytes INTEGER, tx_packets INTEGER, tx_errors INTEGER, tx_dropped INTEGER',
      ),
      scan: scanInterfaces,
    },
    {
      name: 'mounts',
      columns: cols('id INTEGER, device TEXT, mountpoint TEXT, fstype TEXT, options TEXT, super_options TEXT, dev TEXT, root TEXT, size INTEGER, used INTEGER, avail INTEGER, inodes INTEGER, inodes_used INTEGER'),
      scan: scanMounts,
    },
    ...extra,
  ];
}
