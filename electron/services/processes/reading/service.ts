import type { processes, ProcessSnapshot } from '../../../contract/processes';
import { ServiceError } from '../../../contract/errors';
import type { DomainHandlers } from '../../../rpc/handlers';
import type { MetricFamily } from '../../metrics/registry';
import { PolledSource } from '../../scheduler/polled-source';
import type { ProcessesDeps } from '../index';
import { ProcessCollector } from './collector';
import { readProcessDetails } from './details';
import { readProcessHistory, recordSnapshot } from './history';
import { openReader, readerAddon } from './reader';
import { ThreadSampler } from './threads';

export type ReadingHandlers = Pick<DomainHandlers<typeof processes>, 'snapshots' | 'list' | 'threads' | 'details' | 'history'>;

export interface ReadingService {
  handlers: ReadingHandlers;
  metrics: () => MetricFamily[];
  stop(): void;
  source: PolledSource<ProcessSnapshot>;
  collector: ProcessCollector;
  /** After Vantage changed a process: the next tick reads it in full. */
  refresh(pid: number): void;
}

/** How long `list` waits between its two reads when nothing was read recently: enough for /proc counters. */
const FIRST_DELTA_MS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reading side of the process manager: the /proc collector, threads, details and history. */
export function createReadingService(deps: ProcessesDeps): ReadingService {
  const reader = openReader();
  const addon = readerAddon();
  const collector = new ProcessCollector(reader);
  if (deps.record) collector.onSample = (s) => recordSnapshot(deps.history, s);
  const source = deps.collectors.add(new PolledSource('processes', () => collector.sample(), true));
  const stops: (() => void)[] = [];
  // History needs samples whether or not a view is open, so the recording app keeps it running.
  if (deps.record) stops.push(source.subscribe(1000, () => {}));

  const handlers: ReadingHandlers = {
    snapshots: ({ intervalMs }, emit) => source.subscribe(intervalMs, emit),
    list: async () => {
      const since = collector.sincePrevious();
      // Rates need a previous read; one that is too old would average over minutes.
      if (since === null || since > 60_000) {
        source.sampleNow();
        await sleep(FIRST_DELTA_MS);
      } else if (since < FIRST_DELTA_MS) {
        // Clock ticks are 10 ms: a shorter interval would make every rate noise.
        await sleep(FIRST_DELTA_MS - since);
      }
      return source.sampleNow();
    },
    threads: ({ pid, intervalMs }, emit) => {
      const sampler = new ThreadSampler(reader, pid);
      if (!sampler.sample()) throw new ServiceError('ESRCH', `process ${pid} does not exist (or has exited)`);
      let timer: NodeJS.Timeout | null = null;
      const tick = () => {
        const s = sampler.sample();
        if (s) emit(s);
        else if (timer) {
          clearInterval(timer);
          timer = null;
        }
      };
      // The first sample with CPU shares comes after a short interval, not a whole one.
      const first = setTimeout(() => {
        tick();
        timer = setInterval(tick, intervalMs);
      }, Math.min(FIRST_DELTA_MS, intervalMs));
      return () => {
        clearTimeout(first);
        if (timer) clearInterval(timer);
      };
    },
    details: ({ pid }) => readProcessDetails(pid, { reader, addon: addon.ok ? addon.addon : null, addonReason: addon.ok ? undefined : addon.reason }),
    history: ({ processes: list, seconds }) => readProcessHistory(deps.history, list, seconds),
  };

  return {
    handlers,
    source,
    collector,
    refresh: (pid) => reader.refresh?.(pid),
    // A scrape reuses the collector's latest tick when there is a recent one, else reads now.
    metrics: () => processMetrics(collector.last && performance.now() - collector.last.at < 5000 ? collector.last.snapshot : source.sampleNow(), source),
    stop() {
      for (const s of stops) s();
    },
  };
}

const STATE_NAMES: Record<string, string> = { R: 'running', S: 'sleeping', D: 'disk_sleep', Z: 'zombie', T: 'stopped', t: 'traced', I: 'idle', X: 'dead' };

function processMetrics(s: ProcessSnapshot, source: PolledSource<ProcessSnapshot>): MetricFamily[] {
  const t = s.table;
  const byState = new Map<string, number>();
  let threads = 0;
  for (let i = 0; i < t.count; i++) {
    const name = STATE_NAMES[t.state[i]] ?? 'other';
    byState.set(name, (byState.get(name) ?? 0) + 1);
    threads += t.threads[i];
  }
  const cost = source.cost();
  return [
    { name: 'vantage_processes', help: 'Processes (thread groups) on the machine.', type: 'gauge', samples: [{ value: t.count }] },
    { name: 'vantage_threads', help: 'Threads on the machine.', type: 'gauge', samples: [{ value: threads }] },
    {
      name: 'vantage_processes_by_state',
      help: 'Processes by scheduler state.',
      type: 'gauge',
      samples: [...byState].map(([state, value]) => ({ labels: { state }, value })),
    },
    { name: 'vantage_processes_read_seconds', help: 'Time to read every process from /proc, last read.', type: 'gauge', samples: [{ labels: { reader: s.reader.kind }, value: s.readMs / 1000 }] },
    { name: 'vantage_processes_collector_ticks_total', help: 'Ticks of the processes collector.', type: 'counter', samples: [{ value: cost.ticks }] },
  ];
}
