import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { RollupSource } from '../../contract/memory';
import { ServiceError } from '../../contract/errors';

export const PAGE_SIZE = 4096;

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  minflt: number;
  majflt: number;
  startTime: number;
}

export function listPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

/** `/proc/PID/stat`: comm may hold spaces and parentheses, so fields are counted after the last ')'. */
export function parseStat(pid: number, text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0],
    minflt: Number(rest[7]),
    majflt: Number(rest[9]),
    startTime: Number(rest[19]),
  };
}

export function readStat(pid: number): ProcStat {
  return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'latin1'));
}

/** Resident bytes from `/proc/PID/statm` (readable for every process, cheap). */
export function readStatmRss(pid: number): number {
  const text = readFileSync(`/proc/${pid}/statm`, 'latin1');
  const sp = text.indexOf(' ');
  return Number(text.slice(sp + 1, text.indexOf(' ', sp + 1))) * PAGE_SIZE;
}

export interface Rollup {
  rssBytes: number;
  pssBytes: number;
  ussBytes: number;
  sharedBytes: number;
  swapBytes: number;
  swapPssBytes: number;
  anonymousBytes: number;
  referencedBytes: number;
  source: Exclude<RollupSource, 'statm'>;
}

const ROLLUP_KEYS = new Set([
  'Rss',
  'Pss',
  'Shared_Clean',
  'Shared_Dirty',
  'Private_Clean',
  'Private_Dirty',
  'Referenced',
  'Anonymous',
  'Swap',
  'SwapPss',
]);

/** Sums the `Key: N kB` lines we care about; works for smaps_rollup (one block) and smaps (many). */
export function sumSmapsFields(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  let i = 0;
  while (i < text.length) {
    let nl = text.indexOf('\n', i);
    if (nl < 0) nl = text.length;
    const colon = text.indexOf(':', i);
    if (colon > i && colon < nl) {
      const key = text.slice(i, colon);
      if (ROLLUP_KEYS.has(key)) {
        const kb = parseInt(text.slice(colon + 1, nl), 10);
        if (Number.isFinite(kb)) sums.set(key, (sums.get(key) ?? 0) + kb * 1024);
      }
    }
    i = nl + 1;
  }
  return sums;
}

function rollupFrom(sums: Map<string, number>, source: Rollup['source']): Rollup {
  const g = (k: string) => sums.get(k) ?? 0;
  return {
    rssBytes: g('Rss'),
    pssBytes: g('Pss'),
    ussBytes: g('Private_Clean') + g('Private_Dirty'),
    sharedBytes: g('Shared_Clean') + g('Shared_Dirty'),
    swapBytes: g('Swap'),
    swapPssBytes: g('SwapPss'),
    anonymousBytes: g('Anonymous'),
    referencedBytes: g('Referenced'),
    source,
  };
}

/** Explains a failed smaps read in the user's terms; the code says which kind of failure. */
export function describeReadError(pid: number, file: string, err: unknown): ServiceError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return new ServiceError('ESRCH', `process ${pid} has exited`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new ServiceError(
      'EPERM',
      `EACCES: no permission to read ${file} of process ${pid} (another user's process; needs the same user or CAP_SYS_PTRACE)`,
    );
  }
  return new ServiceError('INTERNAL', `reading ${file}: ${(err as Error).message}`);
}

/**
 * RSS, PSS, USS and swap of one process. `smaps_rollup` (Linux ≥ 4.14) is one pre-summed block;
 * without it we sum the full `smaps`, which costs a walk over every region. Kernel threads have
 * empty files and get zeros.
 */
export function readRollup(pid: number, opts: { rollupPath?: string; smapsPath?: string } = {}): Rollup {
  const rollupPath = opts.rollupPath ?? `/proc/${pid}/smaps_rollup`;
  try {
    return rollupFrom(sumSmapsFields(readFileSync(rollupPath, 'latin1')), 'smaps_rollup');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ESRCH on a pid that still exists: no mm (kernel thread or zombie), so no user memory.
    if (code === 'ESRCH' && existsSync(`/proc/${pid}/stat`)) return rollupFrom(new Map(), 'smaps_rollup');
    if (code !== 'ENOENT') throw describeReadError(pid, rollupPath, err);
  }
  const smapsPath = opts.smapsPath ?? `/proc/${pid}/smaps`;
  try {
    return rollupFrom(sumSmapsFields(readFileSync(smapsPath, 'latin1')), 'smaps');
  } catch (err) {
    throw describeReadError(pid, smapsPath, err);
  }
}

export function readOom(pid: number): { oomScore: number | null; oomScoreAdj: number | null } {
  const num = (file: string) => {
    try {
      return Number(readFileSync(`/proc/${pid}/${file}`, 'latin1').trim());
    } catch {
      return null;
    }
  };
  return { oomScore: num('oom_score'), oomScoreAdj: num('oom_score_adj') };
}

/**
 * Writes `oom_score_adj`. The kernel lets an unprivileged owner raise it (and lower it back to
 * the floor a privileged writer set), but going lower needs CAP_SYS_RESOURCE.
 */
export function writeOomScoreAdj(pid: number, value: number): void {
  const before = readOom(pid).oomScoreAdj;
  try {
    writeFileSync(`/proc/${pid}/oom_score_adj`, String(value));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') throw new ServiceError('ESRCH', `process ${pid} has exited`);
    if (code === 'EACCES' || code === 'EPERM') {
      if (before !== null && value < before) {
        throw new ServiceError(
          'NEEDS_PRIVILEGE',
          `lowering oom_score_adj of process ${pid} from ${before} to ${value} needs CAP_SYS_RESOURCE (run as root or grant the capability); raising it is allowed`,
        );
      }
      throw new ServiceError('EPERM', `no permission to change oom_score_adj of process ${pid} (it belongs to another user)`);
    }
    throw new ServiceError('INTERNAL', `writing /proc/${pid}/oom_score_adj: ${(err as Error).message}`);
  }
}
