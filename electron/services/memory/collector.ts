import type { MemorySnapshot, ProcessMemory } from '../../contract/memory';
import { ServiceError } from '../../contract/errors';
import { procSeriesName } from './leaks';
import { listPids, readOom, readRollup, readStat, readStatmRss, type ProcStat } from './process-memory';
import { breakdownFrom, readMeminfo, readPressure, VmRateMeter } from './system-memory';

export interface CollectorOptions {
  /** How many of the largest processes (by RSS) get a smaps_rollup read each tick. */
  top?: number;
  /** Tracked processes stay tracked this long after they stop qualifying, so leak series stay whole. */
  stickySeconds?: number;
  /** Called once per tick with the series to keep (system breakdown and per-process USS/RSS). */
  record?: (ts: number, values: Record<string, number>) => void;
  pressurePath?: string;
}

interface FaultMark {
  at: number;
  minflt: number;
  majflt: number;
}

const RISE_SAMPLES = 6;
const EVERY_TICK_TOP = 10;
const ROTATE = 3;

/**
 * One tick: meminfo, PSI, vmstat rates, a statm sweep of every process (cheap), then
 * smaps_rollup only for the processes worth it: the largest by RSS, the ones whose RSS keeps
 * rising, and the ones a user is looking at. Reading smaps for everything every second would cost
 * more than the rest of the monitor together (see bench/memory).
 */
export class MemoryCollector {
  top: number;
  private readonly vm = new VmRateMeter();
  private readonly faults = new Map<number, FaultMark>();
  private readonly rssTrail = new Map<number, number[]>();
  /** pid → until when (ms) it stays tracked. */
  private readonly tracked = new Map<number, number>();
  private readonly pinned = new Map<number, number>();
  readonly comms = new Map<string, string>();
  private readonly cache = new Map<number, ProcessMemory>();
  private tick = 0;

  constructor(private readonly opts: CollectorOptions = {}) {
    this.top = opts.top ?? 25;
  }

  /** Keeps a process tracked (and its series recorded) for `seconds`, e.g. while a view shows it. */
  pin(pid: number, seconds = 600): void {
    this.pinned.set(pid, Date.now() + seconds * 1000);
  }

  sample(): MemorySnapshot {
    const t0 = performance.now();
    const now = Date.now();
    const breakdown = breakdownFrom(readMeminfo());
    const pressure = readPressure(this.opts.pressurePath);
    const rates = this.vm.read();

    const tSweep = performance.now();
    const rss = new Map<number, number>();
    for (const pid of listPids()) {
      try {
        rss.set(pid, readStatmRss(pid));
      } catch {
        // exited between readdir and read
      }
    }
    const statmSweepMs = performance.now() - tSweep;

    // Risers: RSS went up in most of the last few ticks and by a visible amount.
    const risers: { pid: number; growth: number }[] = [];
    for (const [pid, bytes] of rss) {
      const trail = this.rssTrail.get(pid) ?? [];
      trail.push(bytes);
      if (trail.length > RISE_SAMPLES) trail.shift();
      this.rssTrail.set(pid, trail);
      if (trail.length === RISE_SAMPLES) {
        let ups = 0;
        for (let i = 1; i < trail.length; i++) if (trail[i] > trail[i - 1]) ups++;
        const growth = trail[trail.length - 1] - trail[0];
        if (ups >= RISE_SAMPLES - 2 && growth >= 256 * 1024) risers.push({ pid, growth });
      }
    }
    for (const pid of this.rssTrail.keys()) if (!rss.has(pid)) this.rssTrail.delete(pid);

    const byRss = [...rss.entries()].filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1]);
    const topPids = byRss.slice(0, this.top).map(([pid]) => pid);
    const sticky = (this.opts.stickySeconds ?? 300) * 1000;
    for (const pid of topPids) this.tracked.set(pid, now + sticky);
    for (const r of risers.sort((a, b) => b.growth - a.growth).slice(0, 10)) this.tracked.set(r.pid, now + sticky);
    for (const [pid, until] of this.pinned) {
      if (until < now || !rss.has(pid)) this.pinned.delete(pid);
      else this.tracked.set(pid, Math.max(this.tracked.get(pid) ?? 0, until));
    }
    for (const [pid, until] of this.tracked) if (until < now || !rss.has(pid)) this.tracked.delete(pid);
    for (const pid of this.faults.keys()) if (!rss.has(pid)) this.faults.delete(pid);

    const tRollup = performance.now();
    const series: Record<string, number> = {
      'memory.used': breakdown.usedBytes,
      'memory.page_cache': breakdown.pageCacheBytes,
      'memory.buffers': breakdown.buffersBytes,
      'memory.slab_reclaimable': breakdown.slabReclaimableBytes,
      'memory.slab_unreclaimable': breakdown.slabUnreclaimableBytes,
      'memory.shmem': breakdown.shmemBytes,
      'memory.hugepages': breakdown.hugePagesBytes,
      'memory.free': breakdown.freeBytes,
      'memory.swap_used': breakdown.swapUsedBytes,
      'memory.dirty': breakdown.dirtyBytes,
      'memory.writeback': breakdown.writebackBytes,
      'memory.committed': breakdown.committedBytes,
      'memory.commit_limit': breakdown.commitLimitBytes,
      'memory.pgfault_rate': rates.pgfaultPerSec,
      'memory.pgmajfault_rate': rates.pgmajfaultPerSec,
      'memory.pswpin_rate': rates.pswpinPerSec,
      'memory.pswpout_rate': rates.pswpoutPerSec,
    };
    if (pressure.available) {
      series['memory.psi_some_avg10'] = pressure.some.avg10;
      if (pressure.full) series['memory.psi_full_avg10'] = pressure.full.avg10;
    }
    const top: ProcessMemory[] = [];
    const topSet = new Set(topPids);
    let rollups = 0;
    // The hottest get a rollup every tick; the rest of the tracked set one tick in ROTATE, showing
    // the last rollup in between. Large address spaces (browsers) make a rollup cost ~1–3 ms each.
    const everyTick = new Set([...topPids.slice(0, EVERY_TICK_TOP), ...risers.map((r) => r.pid), ...this.pinned.keys()]);
    this.tick++;
    for (const pid of this.tracked.keys()) {
      const cached = this.cache.get(pid);
      let p: ProcessMemory | null;
      if (everyTick.has(pid) || !cached || (pid + this.tick) % ROTATE === 0) {
        p = this.readProcess(pid, rss.get(pid));
        if (!p) continue;
        rollups++;
        this.cache.set(pid, p);
        if (p.ussBytes !== null) series[procSeriesName(pid, p.startTime, 'uss')] = p.ussBytes;
      } else {
        p = { ...cached, rssBytes: rss.get(pid) ?? cached.rssBytes };
      }
      series[procSeriesName(pid, p.startTime, 'rss')] = p.rssBytes;
      if (topSet.has(pid)) top.push(p);
    }
    for (const pid of this.cache.keys()) if (!this.tracked.has(pid)) this.cache.delete(pid);
    const rollupMs = performance.now() - tRollup;
    top.sort((a, b) => b.rssBytes - a.rssBytes);
    if (this.comms.size > 5000) this.comms.clear();
    this.opts.record?.(now, series);
    return {
      ts: now,
      breakdown,
      pressure,
      rates,
      top,
      processCount: rss.size,
      cost: { statmSweepMs, rollupMs, rollups, totalMs: performance.now() - t0 },
    };
  }

  /** One process now; null when it vanished. Unreadable smaps leave PSS/USS null with the reason. */
  readProcess(pid: number, knownRss?: number): ProcessMemory | null {
    let stat: ProcStat;
    let rssBytes: number;
    try {
      stat = readStat(pid);
      rssBytes = knownRss ?? readStatmRss(pid);
    } catch {
      return null;
    }
    this.comms.set(`${pid}.${stat.startTime}`, stat.comm);
    const now = performance.now();
    const prev = this.faults.get(pid);
    this.faults.set(pid, { at: now, minflt: stat.minflt, majflt: stat.majflt });
    const dt = prev && now > prev.at ? (now - prev.at) / 1000 : 0;
    const base: ProcessMemory = {
      pid,
      comm: stat.comm,
      startTime: stat.startTime,
      rssBytes,
      pssBytes: null,
      ussBytes: null,
      sharedBytes: null,
      swapBytes: null,
      swapPssBytes: null,
      anonymousBytes: null,
      referencedBytes: null,
      source: 'statm',
      unreadable: null,
      ...readOom(pid),
      minorFaultsPerSec: dt ? Math.max(0, (stat.minflt - prev!.minflt) / dt) : 0,
      majorFaultsPerSec: dt ? Math.max(0, (stat.majflt - prev!.majflt) / dt) : 0,
    };
    try {
      const r = readRollup(pid);
      // Kernel threads have no mm: an empty rollup, keep statm's zero.
      if (r.rssBytes === 0 && rssBytes === 0) return { ...base, unreadable: 'kernel thread: no user memory' };
      return {
        ...base,
        rssBytes: r.rssBytes || rssBytes,
        pssBytes: r.pssBytes,
        ussBytes: r.ussBytes,
        sharedBytes: r.sharedBytes,
        swapBytes: r.swapBytes,
        swapPssBytes: r.swapPssBytes,
        anonymousBytes: r.anonymousBytes,
        referencedBytes: r.referencedBytes,
        source: r.source,
      };
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'ESRCH') return null;
      return { ...base, unreadable: (err as Error).message };
    }
  }
}
