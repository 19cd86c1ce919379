import { readdirSync, readFileSync } from 'node:fs';
import type { MapGroup, MapGroupKind, MapRegion, ProcessMaps } from '../../contract/memory';
import { describeReadError, readStat } from './process-memory';

export interface SmapsRegion {
  start: bigint;
  end: bigint;
  perms: string;
  path: string;
  sizeBytes: number;
  rssBytes: number;
  pssBytes: number;
  privateBytes: number;
  swapBytes: number;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s*(.*)$/;

export function parseSmaps(text: string): SmapsRegion[] {
  const regions: SmapsRegion[] = [];
  let cur: SmapsRegion | null = null;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      cur = {
        start: BigInt(`0x${h[1]}`),
        end: BigInt(`0x${h[2]}`),
        perms: h[3],
        path: h[4].trim(),
        sizeBytes: 0,
        rssBytes: 0,
        pssBytes: 0,
        privateBytes: 0,
        swapBytes: 0,
      };
      cur.sizeBytes = Number(cur.end - cur.start);
      regions.push(cur);
      continue;
    }
    if (!cur) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const bytes = parseInt(line.slice(colon + 1), 10) * 1024;
    if (!Number.isFinite(bytes)) continue;
    if (key === 'Rss') cur.rssBytes = bytes;
    else if (key === 'Pss') cur.pssBytes = bytes;
    else if (key === 'Private_Clean' || key === 'Private_Dirty') cur.privateBytes += bytes;
    else if (key === 'Swap') cur.swapBytes = bytes;
  }
  return regions;
}

/**
 * Each thread's stack pointer: `/proc/PID/task/TID/stat` field 29 (kstkesp) is 0 on modern kernels
 * unless the task is dumping core, so we also read `task/TID/syscall` (its 8th field is the user
 * SP while the thread sits in a syscall; needs ptrace access).
 */
export function threadStackPointers(pid: number): { tid: number; sp: bigint }[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: { tid: number; sp: bigint }[] = [];
  for (const t of tids) {
    const tid = Number(t);
    let sp = 0n;
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sp = BigInt(fields[29 - 3] ?? '0');
    } catch {
      // vanished thread
    }
    if (sp === 0n) {
      try {
        const parts = readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'latin1').trim().split(' ');
        if (parts.length >= 9) sp = BigInt(parts[7]);
      } catch {
        // no ptrace access or the thread is gone
      }
    }
    out.push({ tid, sp });
  }
  return out;
}

function kindOf(r: SmapsRegion): MapGroupKind {
  if (r.path === '[heap]') return 'heap';
  if (r.path === '[stack]') return 'stack';
  if (r.path === '[vdso]' || r.path === '[vvar]' || r.path === '[vsyscall]' || r.path === '[vvar_vclock]') return 'vdso';
  if (r.path.startsWith('/')) return 'file';
  if (r.path === '' || r.path.startsWith('[anon') || r.path.startsWith('/memfd:')) return 'anonymous';
  return 'other';
}

const hex = (v: bigint) => v.toString(16);

/** Groups regions: heap, main stack, thread stacks (by SP, else guard page + anonymous rw), anonymous, per file, vdso. */
export function groupRegions(
  regions: SmapsRegion[],
  sps: { tid: number; sp: bigint }[],
  mainPid: number,
): Pick<ProcessMaps, 'groups' | 'totals' | 'stackDetection'> {
  const labels = new Map<SmapsRegion, { kind: MapGroupKind; name: string }>();
  let bySp = 0;
  let byGuard = 0;
  let unresolved = 0;
  for (const { tid, sp } of sps) {
    if (tid === mainPid) continue;
    const r = sp === 0n ? undefined : regions.find((x) => x.start <= sp && sp < x.end);
    if (r && r.path === '' && r.perms.startsWith('rw')) {
      labels.set(r, { kind: 'thread-stack', name: `thread ${tid} stack` });
      bySp++;
    } else {
      unresolved++;
    }
  }
  // Without stack pointers: glibc puts a PROT_NONE guard page right below each thread stack.
  for (let i = 1; i < regions.length; i++) {
    const r = regions[i];
    const prev = regions[i - 1];
    if (labels.has(r) || r.path !== '' || r.perms !== 'rw-p') continue;
    if (prev.perms === '---p' && prev.path === '' && prev.end === r.start && prev.sizeBytes <= 64 * 1024 && r.sizeBytes <= 64 * 1024 * 1024) {
      if (byGuard >= unresolved) break;
      labels.set(r, { kind: 'thread-stack', name: 'thread stack (guard-page heuristic)' });
      byGuard++;
    }
  }
  const groups = new Map<string, MapGroup>();
  const totals = Object.fromEntries(
    (['heap', 'stack', 'thread-stack', 'anonymous', 'file', 'vdso', 'other'] as MapGroupKind[]).map((k) => [k, { sizeBytes: 0, rssBytes: 0, pssBytes: 0 }]),
  ) as ProcessMaps['totals'];
  for (const r of regions) {
    const label = labels.get(r) ?? { kind: kindOf(r), name: '' };
    const kind = label.kind;
    const name =
      label.name ||
      (kind === 'heap' ? '[heap]' : kind === 'stack' ? '[stack]' : kind === 'anonymous' ? (r.path.startsWith('[anon:') ? r.path : 'anonymous') : r.path);
    const key = `${kind}\0${name}`;
    let g = groups.get(key);
    if (!g) {
      g = { kind, name, regions: 0, sizeBytes: 0, rssBytes: 0, pssBytes: 0, privateBytes: 0, swapBytes: 0, perms: [], top: [] };
      groups.set(key, g);
    }
    g.regions++;
    g.sizeBytes += r.sizeBytes;
    g.rssBytes += r.rssBytes;
    g.pssBytes += r.pssBytes;
    g.privateBytes += r.privateBytes;
    g.swapBytes += r.swapBytes;
    if (!g.perms.includes(r.perms)) g.perms.push(r.perms);
    const region: MapRegion = { start: hex(r.start), end: hex(r.end), perms: r.perms, sizeBytes: r.sizeBytes, rssBytes: r.rssBytes, pssBytes: r.pssBytes, path: r.path };
    g.top.push(region);
    const t = totals[kind];
    t.sizeBytes += r.sizeBytes;
    t.rssBytes += r.rssBytes;
    t.pssBytes += r.pssBytes;
  }
  for (const g of groups.values()) {
    g.top.sort((a, b) => b.rssBytes - a.rssBytes);
    g.top = g.top.slice(0, 8);
  }
  const stackDetection =
    bySp && byGuard ? 'stack-pointer + guard-page heuristic' : bySp ? 'stack-pointer' : byGuard ? 'guard-page heuristic' : 'none';
  return { groups: [...groups.values()].sort((a, b) => b.rssBytes - a.rssBytes), totals, stackDetection };
}

export function readProcessMaps(pid: number, smapsPath = `/proc/${pid}/smaps`): ProcessMaps {
  let comm: string;
  try {
    comm = readStat(pid).comm;
  } catch (err) {
    throw describeReadError(pid, `/proc/${pid}/stat`, err);
  }
  let text: string;
  try {
    text = readFileSync(smapsPath, 'latin1');
  } catch (err) {
    throw describeReadError(pid, smapsPath, err);
  }
  const regions = parseSmaps(text);
  const sps = threadStackPointers(pid);
  return { pid, comm, ts: Date.now(), threads: sps.length, ...groupRegions(regions, sps, pid) };
}
