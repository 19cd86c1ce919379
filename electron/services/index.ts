import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Contract } from '../contract';
import type { ContractHandlers } from '../rpc/handlers';
import { dataDir as defaultDataDir } from './history/data-dir';
import { createHistoryHandlers } from './history/handlers';
import { HistoryStore } from './history/store';
import { CollectorRegistry, PolledSource } from './scheduler/polled-source';
import { MetricsRegistry } from './metrics/registry';
import { createMemoryService } from './memory/service';
import { createProcessesService } from './processes';
import { createDiskService } from './disk';
import { createSqlService } from './sql/service';
import { createSystemHandlers } from './system/handlers';
import { systemMetrics } from './system/metrics';
import { SystemCollector, systemSeries } from './system/system-collector';
import { createTerminalHandlers } from './terminal/handlers';
import { TerminalSessions } from './terminal/terminal-sessions';

export interface ServiceOptions {
  dataDir?: string;
  /** Write every system tick to history (the app does; most tests do not). */
  record?: boolean;
}

export interface Services {
  handlers: ContractHandlers<Contract>;
  collectors: CollectorRegistry;
  metrics: MetricsRegistry;
  history: HistoryStore;
  dataDir: string;
  close(): Promise<void>;
}

/** Builds every service and its handlers. The entry points (Electron main, server, CLI) only wire. */
export function createServices(opts: ServiceOptions = {}): Services {
  const dir = opts.dataDir ?? defaultDataDir();
  mkdirSync(dir, { recursive: true });
  const startedAt = Date.now();
  const collectors = new CollectorRegistry();
  const history = new HistoryStore(join(dir, 'history.db'));
  const systemCollector = new SystemCollector();
  const systemSource = collectors.add(new PolledSource('system', () => systemCollector.sample(), true));
  const terminals = new TerminalSessions();
  const metrics = new MetricsRegistry();
  metrics.register(() => systemMetrics(systemSource.sampleNow(), collectors));

  const stops: (() => void)[] = [];
  if (opts.record) {
    stops.push(systemSource.subscribe(1000, (s) => history.record(s.ts, systemSeries(s))));
  }

  const memory = createMemoryService({ collectors, history, record: opts.record });
  metrics.register(memory.metrics);
  stops.push(memory.stop);

  const processes = createProcessesService({ collectors, history, record: opts.record });
  metrics.register(processes.metrics);
  stops.push(processes.stop);

  const disk = createDiskService({ dataDir: dir, history, record: opts.record });
  stops.push(disk.stop);

  const sql = createSqlService({ dataDir: dir, historyPath: join(dir, 'history.db') });
  stops.push(() => void sql.service.close());

  const handlers: ContractHandlers<Contract> = {
    system: createSystemHandlers({ source: systemSource, collectors, startedAt }),
    history: createHistoryHandlers(history),
    terminal: createTerminalHandlers(terminals),
    memory: memory.handlers,
    sql: sql.handlers,
    processes: processes.handlers,
    disk: disk.handlers,
  };

  return {
    handlers,
    collectors,
    metrics,
    history,
    dataDir: dir,
    async close() {
      for (const stop of stops) stop();
      terminals.closeAll();
      history.close();
    },
  };
}
