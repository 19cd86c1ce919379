import { readFileSync } from 'node:fs';
import type { MemoryBreakdown, MemoryPressure, PressureLine, VmRates } from '../../contract/memory';

/** `/proc/meminfo` as a map of bytes (the kernel writes kB; HugePages_* are counts). */
export function readMeminfo(path = '/proc/meminfo'): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(\s+kB)?/.exec(line);
    if (m) out.set(m[1], m[3] ? Number(m[2]) * 1024 : Number(m[2]));
  }
  return out;
}

export function breakdownFrom(mi: Map<string, number>): MemoryBreakdown {
  const g = (k: string) => mi.get(k) ?? 0;
  const total = g('MemTotal');
  const free = g('MemFree');
  const shmem = g('Shmem');
  // Cached includes shmem (tmpfs, shared anonymous); that memory cannot be dropped like cache.
  const pageCache = Math.max(0, g('Cached') - shmem);
  const hugePages = g('HugePages_Total') * g('Hugepagesize');
  const used = Math.max(0, total - free - g('Buffers') - pageCache - g('SReclaimable'));
  return {
    totalBytes: total,
    freeBytes: free,
    availableBytes: mi.get('MemAvailable') ?? free,
    usedBytes: used,
    pageCacheBytes: pageCache,
    buffersBytes: g('Buffers'),
    slabReclaimableBytes: g('SReclaimable'),
    slabUnreclaimableBytes: g('SUnreclaim'),
    shmemBytes: shmem,
    hugePagesBytes: hugePages,
    swapTotalBytes: g('SwapTotal'),
    swapUsedBytes: Math.max(0, g('SwapTotal') - g('SwapFree')),
    dirtyBytes: g('Dirty'),
    writebackBytes: g('Writeback'),
    committedBytes: g('Committed_AS'),
    commitLimitBytes: g('CommitLimit'),
  };
}

export const PSI_UNAVAILABLE = 'PSI not available: kernel without CONFIG_PSI or psi=0';

function parsePressureLine(line: string | undefined): PressureLine | null {
  if (!line) return null;
  const m = /avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)/.exec(line);
  return m ? { avg10: Number(m[1]), avg60: Number(m[2]), avg300: Number(m[3]), totalMicros: Number(m[4]) } : null;
}

/** `/proc/pressure/memory`; a kernel without PSI has no file (or refuses reads with EOPNOTSUPP). */
export function readPressure(path = '/proc/pressure/memory'): MemoryPressure {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { available: false, reason: `${PSI_UNAVAILABLE} (${code} reading ${path})` };
  }
  const lines = text.split('\n');
  const some = parsePressureLine(lines.find((l) => l.startsWith('some')));
  if (!some) return { available: false, reason: `${PSI_UNAVAILABLE} (${path} has no "some" line)` };
  return { available: true, some, full: parsePressureLine(lines.find((l) => l.startsWith('full'))) };
}

const VM_KEYS = ['pgfault', 'pgmajfault', 'pswpin', 'pswpout'] as const;
type VmCounters = Record<(typeof VM_KEYS)[number], number>;

export function readVmCounters(path = '/proc/vmstat'): VmCounters {
  const out: VmCounters = { pgfault: 0, pgmajfault: 0, pswpin: 0, pswpout: 0 };
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    if ((VM_KEYS as readonly string[]).includes(key)) out[key as keyof VmCounters] = Number(line.slice(sp + 1));
  }
  return out;
}

/** Turns successive vmstat reads into per-second rates. The first read yields zeros. */
export class VmRateMeter {
  private last: { at: number; c: VmCounters } | null = null;
  constructor(private readonly path = '/proc/vmstat') {}
  read(now = performance.now()): VmRates {
    const c = readVmCounters(this.path);
    const prev = this.last;
    this.last = { at: now, c };
    if (!prev || now <= prev.at) return { pgfaultPerSec: 0, pgmajfaultPerSec: 0, pswpinPerSec: 0, pswpoutPerSec: 0 };
    const dt = (now - prev.at) / 1000;
    const rate = (k: keyof VmCounters) => Math.max(0, (c[k] - prev.c[k]) / dt);
    return {
      pgfaultPerSec: rate('pgfault'),
      pgmajfaultPerSec: rate('pgmajfault'),
      pswpinPerSec: rate('pswpin'),
      pswpoutPerSec: rate('pswpout'),
    };
  }
}
