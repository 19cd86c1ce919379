import type { processes } from '../../contract/processes';
import type { DomainHandlers } from '../../rpc/handlers';
import type { HistoryStore } from '../history/store';
import type { MetricFamily } from '../metrics/registry';
import type { CollectorRegistry } from '../scheduler/polled-source';
import { createControlHandlers } from './control/handlers';
import { createLaunchService } from './launch/service';
import { createReadingService } from './reading/service';

export interface ProcessesDeps {
  collectors: CollectorRegistry;
  history: HistoryStore;
  /** Record per-process CPU and RSS into history each tick (the app does; most tests do not). */
  record?: boolean;
}

/** The process manager: reading (/proc collector, details, history), control, and launching. */
export function createProcessesService(deps: ProcessesDeps): {
  handlers: DomainHandlers<typeof processes>;
  metrics: () => MetricFamily[];
  stop(): void;
} {
  const reading = createReadingService(deps);
  const launch = createLaunchService();
  return {
    handlers: { ...reading.handlers, ...createControlHandlers(), ...launch.handlers },
    metrics: reading.metrics,
    stop() {
      reading.stop();
      launch.stop();
    },
  };
}
