import type { disk, ScanEvent } from '../../../contract/disk';
import { ServiceError } from '../../../contract/errors';
import type { DomainHandlers } from '../../../rpc/handlers';
import type { DiskDeps } from '../index';
import { reveal, trashOrDelete } from './actions';
import { treeOf, typesOf } from './queries';
import { Scan } from './scan';

export type ScanHandlers = Pick<
  DomainHandlers<typeof disk>,
  'scan' | 'scanProgress' | 'cancelScan' | 'refresh' | 'scans' | 'tree' | 'types' | 'trash' | 'delete' | 'reveal'
>;

/** Scans held in memory; the oldest finished ones go first beyond this. */
export const MAX_SCANS = 4;

/** Disk scans: start, follow, cancel and rescan; the tree and types of a scan; actions on it. */
export function createScanService(
  deps: Pick<DiskDeps, 'dataDir'> & {
    log?: (message: string) => void;
    /** Force the fs walker (tests check both give the same answers). */
    engine?: 'native' | 'fs';
  },
): {
  handlers: ScanHandlers;
  stop(): void;
} {
  const scans = new Map<string, Scan>();
  let counter = 0;
  let warned = false;
  const log = (message: string) => {
    if (warned) return;
    warned = true;
    (deps.log ?? console.warn)(message);
  };

  const get = (scanId: string): Scan => {
    const s = scans.get(scanId);
    if (!s) throw new ServiceError('NOT_FOUND', `no scan ${scanId} (finished scans are kept up to ${MAX_SCANS})`);
    return s;
  };

  const evict = () => {
    while (scans.size > MAX_SCANS) {
      const oldest = [...scans.values()].filter((s) => s.state !== 'running').sort((a, b) => a.finishedAt - b.finishedAt)[0];
      if (!oldest) break;
      scans.delete(oldest.id);
    }
  };

  const handlers: ScanHandlers = {
    scan: ({ root, oneFileSystem, excludes }) => {
      const id = `s${(++counter).toString(36)}`;
      const scan = new Scan(id, root, { oneFileSystem, excludes, dataDir: deps.dataDir, log, engine: deps.engine });
      scans.set(id, scan);
      evict();
      return { scanId: id };
    },
    scanProgress: ({ scanId, intervalMs }, emit) => {
      const scan = get(scanId);
      const final = (): ScanEvent =>
        scan.state === 'failed'
          ? { type: 'failed', code: scan.failure?.code ?? 'INTERNAL', message: scan.failure?.message ?? 'scan failed' }
          : { type: 'done', summary: scan.summary() };
      if (scan.state !== 'running') {
        emit(final());
        return () => {};
      }
      const timer = setInterval(() => emit({ type: 'progress', progress: scan.progress() }), intervalMs);
      const off = scan.onDone(() => {
        clearInterval(timer);
        off();
        emit(final());
      });
      emit({ type: 'progress', progress: scan.progress() });
      return () => {
        clearInterval(timer);
        off();
      };
    },
    cancelScan: async ({ scanId }) => {
      const scan = get(scanId);
      if (scan.state === 'failed') return null;
      scan.cancel();
      await scan.whenDone();
      return scan.state === 'done' ? scan.summary() : null;
    },
    refresh: ({ scanId, nodeId }) => {
      get(scanId).refresh(nodeId);
      return { scanId };
    },
    scans: () => [...scans.values()].map((s) => s.summary()),
    tree: ({ scanId, nodeId, depth, limit, sort }) => treeOf(get(scanId), nodeId, depth, limit, sort),
    types: ({ scanId, nodeId }) => typesOf(get(scanId), nodeId),
    trash: ({ scanId, nodeIds, dryRun }) => trashOrDelete(get(scanId), nodeIds, 'trash', dryRun),
    delete: ({ scanId, nodeIds, dryRun }) => trashOrDelete(get(scanId), nodeIds, 'delete', dryRun),
    reveal: ({ scanId, nodeId }) => reveal(get(scanId), nodeId),
  };

  return {
    handlers,
    stop() {
      for (const s of scans.values()) s.cancel();
      scans.clear();
    },
  };
}
