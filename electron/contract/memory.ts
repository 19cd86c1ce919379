import { z } from 'zod';
import { call, stream } from './core';

/** `/proc/meminfo`, in bytes. Each part of the stacked chart is one of these. */
export interface MemoryBreakdown {
  totalBytes: number;
  freeBytes: number;
  availableBytes: number;
  /** Total − free − buffers − page cache − reclaimable slab: what programs and the kernel hold. */
  usedBytes: number;
  /** `Cached` without shared memory (which counts as used by whoever maps it). */
  pageCacheBytes: number;
  buffersBytes: number;
  slabReclaimableBytes: number;
  slabUnreclaimableBytes: number;
  shmemBytes: number;
  /** Pages set aside as huge pages (HugePages_Total × Hugepagesize). */
  hugePagesBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  dirtyBytes: number;
  writebackBytes: number;
  committedBytes: number;
  commitLimitBytes: number;
}

export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Microseconds stalled since boot. */
  totalMicros: number;
}

export type MemoryPressure =
  | { available: true; some: PressureLine; full: PressureLine | null }
  | { available: false; reason: string };

/** Per-second rates from `/proc/vmstat` over the last tick. */
export interface VmRates {
  pgfaultPerSec: number;
  pgmajfaultPerSec: number;
  pswpinPerSec: number;
  pswpoutPerSec: number;
}

/** Where a process's numbers came from, so a view can say what is missing and why. */
export type RollupSource = 'smaps_rollup' | 'smaps' | 'statm';

export interface ProcessMemory {
  pid: number;
  comm: string;
  /** Clock ticks since boot when the process started: with pid it names one process for good. */
  startTime: number;
  rssBytes: number;
  /** null when smaps(_rollup) could not be read (see `unreadable`). */
  pssBytes: number | null;
  /** Private_Clean + Private_Dirty. */
  ussBytes: number | null;
  sharedBytes: number | null;
  swapBytes: number | null;
  swapPssBytes: number | null;
  anonymousBytes: number | null;
  referencedBytes: number | null;
  source: RollupSource;
  /** Why smaps could not be read, e.g. "EACCES: ... needs CAP_SYS_PTRACE". */
  unreadable: string | null;
  oomScore: number | null;
  oomScoreAdj: number | null;
  minorFaultsPerSec: number;
  majorFaultsPerSec: number;
}

export interface MemorySnapshot {
  ts: number;
  breakdown: MemoryBreakdown;
  pressure: MemoryPressure;
  rates: VmRates;
  /** Top consumers by RSS (statm for all, smaps_rollup for these only). */
  top: ProcessMemory[];
  processCount: number;
  /** What this tick cost: statm sweep, smaps_rollup reads of the top, in ms. */
  cost: { statmSweepMs: number; rollupMs: number; rollups: number; totalMs: number };
}

export type MapGroupKind = 'heap' | 'stack' | 'thread-stack' | 'anonymous' | 'file' | 'vdso' | 'other';

export interface MapRegion {
  start: string;
  end: string;
  perms: string;
  sizeBytes: number;
  rssBytes: number;
  pssBytes: number;
  path: string;
}

export interface MapGroup {
  kind: MapGroupKind;
  /** "heap", "[stack]", "thread 1234 stack", a file path, "anonymous", ... */
  name: string;
  regions: number;
  sizeBytes: number;
  rssBytes: number;
  pssBytes: number;
  privateBytes: number;
  swapBytes: number;
  /** Distinct permission strings of the group's regions, e.g. ["r-xp", "rw-p"]. */
  perms: string[];
  top: MapRegion[];
}

export interface ProcessMaps {
  pid: number;
  comm: string;
  ts: number;
  groups: MapGroup[];
  totals: Record<MapGroupKind, { sizeBytes: number; rssBytes: number; pssBytes: number }>;
  threads: number;
  /** How thread stacks were found, said plainly. */
  stackDetection: 'stack-pointer' | 'guard-page heuristic' | 'stack-pointer + guard-page heuristic' | 'none';
}

export interface LeakCandidate {
  pid: number;
  comm: string;
  startTime: number;
  /** Which series was fitted: USS when known, RSS otherwise. */
  metric: 'uss' | 'rss';
  series: string;
  bytesPerSecond: number;
  r2: number;
  samples: number;
  windowSeconds: number;
  flagged: boolean;
  alive: boolean;
  lastBytes: number;
  evidence: { ts: number[]; values: number[] };
}

export interface LeakReport {
  windowSeconds: number;
  minBytesPerSecond: number;
  minR2: number;
  candidates: LeakCandidate[];
}

export interface GcKindStats {
  kind: string;
  count: number;
  totalMs: number;
}

export interface GcStats {
  pid: number;
  source: 'self' | 'inspector';
  /** Where the inspector was found, e.g. "127.0.0.1:9229 (from --inspect=0 via /proc/net/tcp)". */
  endpoint: string | null;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number | null;
  /** GC activity since `since` (the observer is installed on first contact). */
  gc: GcKindStats[];
  since: number;
}

export interface MemoryHint {
  id: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  evidence: string;
  link: { kind: 'process'; pid: number } | { kind: 'chart'; chart: 'breakdown' | 'pressure' | 'rates' | 'leaks' };
}

const pid = z.number().int().min(1).max(4_194_304);

export const memory = {
  snapshots: stream<MemorySnapshot>()(
    z
      .object({
        intervalMs: z.number().int().min(1000).max(60_000).default(1000),
        top: z.number().int().min(1).max(100).default(25),
      })
      .strict(),
    'System breakdown, pressure, fault and swap rates, and the top consumers with their rollups.',
  ),
  process: call<ProcessMemory>()(
    z.object({ pid }).strict(),
    "One process's rollup (RSS, PSS, USS, swap), OOM score and fault rates, read now.",
  ),
  maps: call<ProcessMaps>()(z.object({ pid }).strict(), "One process's memory regions from smaps, grouped."),
  mapsSamples: stream<ProcessMaps>()(
    z.object({ pid, intervalMs: z.number().int().min(1000).max(60_000).default(2000) }).strict(),
    "Heap and stack analysis: one process's grouped maps, sampled while the view is open.",
  ),
  leaks: call<LeakReport>()(
    z.object({ windowSeconds: z.number().int().min(10).max(3600).optional() }).strict().optional(),
    'Processes whose private memory rises steadily over the window (least squares slope and R²).',
  ),
  gc: call<GcStats>()(
    z.object({ pid: pid.optional() }).strict(),
    'Heap and GC activity of a Node.js process started with --inspect, or of Vantage itself (no pid).',
  ),
  hints: call<MemoryHint[]>()(z.object({}).strict().optional(), 'Evidence-backed findings about where memory goes.'),
  setOomScoreAdj: call<ProcessMemory>()(
    z.object({ pid, value: z.number().int().min(-1000).max(1000) }).strict(),
    "Writes /proc/PID/oom_score_adj; lowering it needs CAP_SYS_RESOURCE.",
  ),
};
