import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { disk, DupesActionReport, DupesEvent, DupesResult } from '../../../contract/disk';
import { ServiceError } from '../../../contract/errors';
import type { DomainHandlers } from '../../../rpc/handlers';
import { actOnGroup } from './act';
import { HashCache } from './cache';
import { defaultEngine, diskAddon, type DupEngine } from './engine';
import { DupeSearch, type FoundGroup } from './find';
import { buildResult, sortGroups } from './result';

export interface DupesDeps {
  dataDir: string;
  /** Tests and the CLI pick an engine; the app uses the native one when it is built. */
  engine?: DupEngine;
  /** false: no persistent hash cache. */
  cache?: boolean;
}

type Handlers = Pick<DomainHandlers<typeof disk>, 'dupes' | 'dupesProgress' | 'cancelDupes' | 'dupesAct'>;

interface Job {
  id: string;
  roots: string[];
  search: DupeSearch;
  finished: Promise<void>;
  result: DupesResult | null;
  groups: FoundGroup[];
  failure: { code: string; message: string } | null;
}

const MAX_JOBS = 8;

/** Duplicate searches as background jobs, their progress stream, and actions on their groups. */
export function createDupesService(deps: DupesDeps): { handlers: Handlers; stop(): void } {
  const engine = deps.engine ?? defaultEngine();
  let cache: HashCache | null | undefined;
  const openCache = (): HashCache | null => {
    if (cache !== undefined) return cache;
    try {
      cache = deps.cache === false ? null : new HashCache(join(deps.dataDir, 'disk', 'hashcache.db'), engine.algo);
    } catch {
      cache = null; // a read-only data dir: search without the cache
    }
    return cache;
  };
  const jobs = new Map<string, Job>();
  let seq = 0;

  const getJob = (jobId: string): Job => {
    const job = jobs.get(jobId);
    if (!job) throw new ServiceError('NOT_FOUND', `no duplicate search ${jobId} (finished searches are kept until ${MAX_JOBS} newer ones)`);
    return job;
  };

  const handlers: Handlers = {
    async dupes({ roots, minSize, oneFileSystem, excludes }) {
      // A root given as a symlink means the folder it points to (below the roots, symlinks are not followed).
      const walkRoots: string[] = [];
      for (const root of roots) {
        const st = await lstat(root).catch(() => null);
        if (!st) throw new ServiceError('NOT_FOUND', `${root} does not exist`);
        walkRoots.push(st.isSymbolicLink() ? await realpath(root) : root);
      }
      const id = `d${Date.now().toString(36)}${(seq++).toString(36)}`;
      const search = new DupeSearch(engine, openCache());
      const job: Job = { id, roots, search, result: null, groups: [], failure: null, finished: Promise.resolve() };
      job.finished = search
        .run({ roots: walkRoots, minSize, oneFileSystem, excludes, threads: 4, hashThreads: 4 })
        .then((out) => {
          job.groups = sortGroups(out.groups);
          job.result = buildResult(id, roots, job.groups, out.complete, out.stats);
        })
        .catch((err: Error) => {
          job.failure = { code: 'INTERNAL', message: `duplicate search failed: ${err.message}` };
        });
      jobs.set(id, job);
      while (jobs.size > MAX_JOBS) {
        const oldest = jobs.keys().next().value as string;
        jobs.get(oldest)?.search.cancel();
        jobs.delete(oldest);
      }
      return { jobId: id };
    },

    dupesProgress({ jobId, intervalMs }, emit) {
      const job = jobs.get(jobId);
      if (!job) {
        queueMicrotask(() => emit({ type: 'failed', code: 'NOT_FOUND', message: `no duplicate search ${jobId}` }));
        return () => undefined;
      }
      let stopped = false;
      const progress = () => {
        const stats = { ...job.search.refresh() };
        emit({ type: 'progress', stage: job.search.stage, stats } satisfies DupesEvent);
      };
      const timer = setInterval(() => {
        if (!stopped && !job.result && !job.failure) progress();
      }, intervalMs);
      queueMicrotask(() => {
        if (!stopped && !job.result && !job.failure) progress();
      });
      void job.finished.then(() => {
        clearInterval(timer);
        if (stopped) return;
        if (job.result) emit({ type: 'done', result: job.result });
        else emit({ type: 'failed', code: job.failure?.code ?? 'INTERNAL', message: job.failure?.message ?? 'no result' });
      });
      return () => {
        stopped = true;
        clearInterval(timer);
      };
    },

    async cancelDupes({ jobId }) {
      const job = jobs.get(jobId);
      if (!job) return null;
      job.search.cancel();
      await job.finished;
      return job.result;
    },

    async dupesAct({ jobId, groupIds, action, keep, keepFolder, dryRun }) {
      const job = getJob(jobId);
      if (!job.result) throw new ServiceError('CONFLICT', `duplicate search ${jobId} is still running; wait for it or cancel it`);
      const addon = diskAddon();
      const report: DupesActionReport = { dryRun, action, items: [], bytesFreed: 0 };
      for (const groupId of groupIds) {
        const group = job.groups[groupId];
        if (!group) throw new ServiceError('NOT_FOUND', `search ${jobId} has no group ${groupId}`);
      }
      for (const groupId of groupIds) {
        const group = job.groups[groupId];
        const { item, freed, removed } = await actOnGroup(groupId, group, {
          action,
          keep,
          keepFolder,
          dryRun,
          addon: addon.ok ? addon.addon : null,
          addonReason: addon.ok ? undefined : addon.reason,
        });
        report.items.push(item);
        report.bytesFreed += freed;
        if (removed.length) {
          // What was acted on is gone from the group; the result shown follows.
          group.files = group.files.filter((f) => !removed.includes(f));
          const shown = job.result.groups[groupId];
          shown.files = shown.files.filter((f) => !removed.some((r) => r.dev === f.dev && r.ino === f.ino));
          shown.wastedBytes = shown.size * Math.max(0, shown.files.length - 1);
          job.result.wastedBytes = job.result.groups.reduce((s, g) => s + g.wastedBytes, 0);
        }
      }
      return report;
    },
  };

  return {
    handlers,
    stop() {
      for (const job of jobs.values()) job.search.cancel();
      jobs.clear();
      cache?.close();
      cache = undefined;
    },
  };
}
