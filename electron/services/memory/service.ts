import type { LeakReport, MemorySnapshot } from '../../contract/memory';
import type { memory } from '../../contract/memory';
import { ServiceError } from '../../contract/errors';
import type { DomainHandlers } from '../../rpc/handlers';
import type { HistoryStore } from '../history/store';
import type { MetricFamily } from '../metrics/registry';
import { CollectorRegistry, PolledSource } from '../scheduler/polled-source';
import { MemoryCollector } from './collector';
import { gcStats } from './gc';
import { memoryHints } from './hints';
import { detectLeaks, leakRulesFromEnv, type LeakRules } from './leaks';
import { readProcessMaps } from './maps';
import { writeOomScoreAdj } from './process-memory';
import { breakdownFrom, readMeminfo, readPressure } from './system-memory';

export interface MemoryServiceDeps {
  collectors: CollectorRegistry;
  history: HistoryStore;
  /** Record the breakdown and the tracked processes' USS/RSS to history every second. */
  record?: boolean;
  rules?: LeakRules;
}

export interface MemoryService {
  handlers: DomainHandlers<typeof memory>;
  collector: MemoryCollector;
  source: PolledSource<MemorySnapshot>;
  rules: LeakRules;
  metrics(): MetricFamily[];
  stop(): void;
}

/** Builds the memory collector, its scheduled source and the contract handlers. */
export function createMemoryService(deps: MemoryServiceDeps): MemoryService {
  const rules = deps.rules ?? leakRulesFromEnv();
  const collector = new MemoryCollector({
    stickySeconds: rules.windowSeconds,
    record: deps.record ? (ts, values) => deps.history.record(ts, values) : undefined,
  });
  const source = deps.collectors.add(new PolledSource('memory', () => collector.sample(), true));
  const stops: (() => void)[] = [];
  // Leak detection needs series whether or not a view is open, so the app keeps the collector on.
  // In the background it samples only as often as the leak window needs (about 30 points per
  // window, at most every 5 s): each tick reads smaps_rollup of the top processes, which at 1 Hz
  // cost about 1% of a core. An open Memory view subscribes faster and the source follows it.
  if (deps.record) stops.push(source.subscribe(backgroundIntervalMs(rules.windowSeconds), () => {}));

  const leaks = (windowSeconds?: number): LeakReport =>
    detectLeaks(deps.history, windowSeconds ? { ...rules, windowSeconds } : rules, { comms: collector.comms });
  const latest = () => source.sampleNow();

  const handlers: DomainHandlers<typeof memory> = {
    snapshots: ({ intervalMs, top }, emit) => {
      collector.top = Math.max(collector.top, top);
      return source.subscribe(intervalMs, (s) => emit(s.top.length > top ? { ...s, top: s.top.slice(0, top) } : s));
    },
    process: ({ pid }) => {
      const p = collector.readProcess(pid);
      if (!p) throw new ServiceError('ESRCH', `process ${pid} does not exist (or has exited)`);
      collector.pin(pid);
      return p;
    },
    maps: ({ pid }) => {
      collector.pin(pid);
      return readProcessMaps(pid);
    },
    mapsSamples: ({ pid, intervalMs }, emit) => {
      const first = readProcessMaps(pid);
      collector.pin(pid);
      queueMicrotask(() => emit(first));
      const timer = setInterval(() => {
        try {
          emit(readProcessMaps(pid));
        } catch {
          clearInterval(timer);
        }
      }, intervalMs);
      return () => clearInterval(timer);
    },
    leaks: (input) => leaks(input?.windowSeconds),
    gc: ({ pid }) => gcStats(pid ?? process.pid),
    hints: () => memoryHints(latest(), leaks()),
    setOomScoreAdj: ({ pid, value }) => {
      writeOomScoreAdj(pid, value);
      const p = collector.readProcess(pid);
      if (!p) throw new ServiceError('ESRCH', `process ${pid} has exited`);
      return p;
    },
  };

  return {
    handlers,
    collector,
    source,
    rules,
    metrics: () => {
      const b = breakdownFrom(readMeminfo());
      const psi = readPressure();
      const parts: [string, number][] = [
        ['used', b.usedBytes],
        ['page_cache', b.pageCacheBytes],
        ['buffers', b.buffersBytes],
        ['slab_reclaimable', b.slabReclaimableBytes],
        ['slab_unreclaimable', b.slabUnreclaimableBytes],
        ['shmem', b.shmemBytes],
        ['hugepages', b.hugePagesBytes],
        ['free', b.freeBytes],
      ];
      const families: MetricFamily[] = [
        { name: 'vantage_memory_breakdown_bytes', help: 'Where physical memory goes, from /proc/meminfo.', type: 'gauge', samples: parts.map(([part, value]) => ({ labels: { part }, value })) },
        { name: 'vantage_memory_committed_bytes', help: 'Committed_AS.', type: 'gauge', samples: [{ value: b.committedBytes }] },
        { name: 'vantage_memory_commit_limit_bytes', help: 'CommitLimit.', type: 'gauge', samples: [{ value: b.commitLimitBytes }] },
      ];
      if (psi.available) {
        families.push({ name: 'vantage_memory_pressure_some_avg10', help: 'Share of the last 10 s some task stalled on memory (PSI).', type: 'gauge', samples: [{ value: psi.some.avg10 }] });
      }
      return families;
    },
    stop() {
      for (const s of stops) s();
    },
  };
}

/** Background sampling cadence for leak detection: ~30 samples per window, between 1 s and 5 s. */
export function backgroundIntervalMs(windowSeconds: number): number {
  return Math.min(5000, Math.max(1000, Math.round(windowSeconds / 30) * 1000));
}
