import type { disk } from '../../contract/disk';
import type { DomainHandlers } from '../../rpc/handlers';
import type { HistoryStore } from '../history/store';
import { createDupesService } from './dupes/service';
import { createHealthService } from './health/service';
import { createScanService } from './scan/service';

export interface DiskDeps {
  dataDir: string;
  history: HistoryStore;
  /** Record mount usage into history (the app does; most tests do not). */
  record?: boolean;
}

/** Disk: scans and their tree, file types and actions; duplicates; mount health and file activity. */
export function createDiskService(deps: DiskDeps): { handlers: DomainHandlers<typeof disk>; stop(): void } {
  const scan = createScanService(deps);
  const dupes = createDupesService(deps);
  const health = createHealthService(deps);
  return {
    handlers: { ...scan.handlers, ...dupes.handlers, ...health.handlers },
    stop() {
      scan.stop();
      dupes.stop();
      health.stop();
    },
  };
}
