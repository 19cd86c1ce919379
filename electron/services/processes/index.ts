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
    handlers: { ...reading.handlers, ...refreshingAfter(createControlHandlers(), reading.refresh), ...launch.handlers },
    metrics: reading.metrics,
    stop() {
      reading.stop();
      launch.stop();
    },
  };
}

/**
 * Each control, once done, tells the reader to read its process in full next tick: the reader
 * reuses a sleeping process's values between periodic refreshes, and a change Vantage made
 * should show at once.
 */
function refreshingAfter<H extends Record<string, (input: never, ctx: never) => unknown>>(handlers: H, refresh: (pid: number) => void): H {
  const out: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    out[name] = async (input: never, ctx: never) => {
      const result = await handler(input, ctx);
      const pid = (input as { pid?: unknown } | undefined)?.pid;
      if (typeof pid === 'number') refresh(pid);
      return result;
    };
  }
  return out as H;
}
