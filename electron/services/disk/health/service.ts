import type { disk, MountHealth } from '../../../contract/disk';
import type { DomainHandlers } from '../../../rpc/handlers';
import type { HistoryStore } from '../../history/store';
import { watchAccess, watchFolder } from './activity';
import { blockDeviceName, dataMounts, errorCounters, isReadOnly, mountState, usageOf, wholeDisk } from './mounts';
import { SmartCache } from './smart';

export interface HealthDeps {
  history: HistoryStore;
  /** Record used bytes and inodes of every mount into history, once a minute. */
  record?: boolean;
  recordEveryMs?: number;
}

type Handlers = Pick<DomainHandlers<typeof disk>, 'mounts' | 'watch' | 'fileAccess'>;

/** History series of a mount: `disk.mount.used_bytes:/home`, `disk.mount.inodes_used:/home`. */
export const seriesName = (mountPoint: string, what: 'usedBytes' | 'inodesUsed') =>
  `disk.mount.${what === 'usedBytes' ? 'used_bytes' : 'inodes_used'}:${mountPoint}`;

/**
 * Used bytes and inodes over [from, to]. Long ranges read a rolled-up tier (1 min or 15 min), which
 * lags the newest samples; those come from the 1 s tier and are appended, so a fresh install
 * shows its first points at once.
 */
export function readTrend(history: HistoryStore, mountPoint: string, from: number, to: number): MountHealth['trend'] {
  const names = [seriesName(mountPoint, 'usedBytes'), seriesName(mountPoint, 'inodesUsed')];
  const long = history.query({ series: names, from, to, maxPoints: 200 });
  const ts = [...long.series[0].ts];
  const used = [...long.series[0].values];
  const inodeAt = new Map(long.series[1].ts.map((t, i) => [t, long.series[1].values[i]]));
  if (long.tier !== '1s') {
    // A little under the 1 s tier's hour: the store picks the tier by its own later clock, and a
    // range reaching back a full hour from `to` would already fall to the 1 min tier.
    const recent = history.query({ series: names, from: Math.max(from, to - 3_540_000), to, maxPoints: 60 });
    const last = ts.length ? ts[ts.length - 1] : -Infinity;
    recent.series[1].ts.forEach((t, i) => inodeAt.set(t, recent.series[1].values[i]));
    recent.series[0].ts.forEach((t, i) => {
      if (t <= last) return;
      ts.push(t);
      used.push(recent.series[0].values[i]);
    });
  }
  return { ts, usedBytes: used, inodesUsed: ts.map((t) => inodeAt.get(t) ?? 0) };
}

/** Mount usage, errors, trends and SMART; live file activity (inotify, fanotify). */
export function createHealthService(deps: HealthDeps): { handlers: Handlers; recordNow(): void; stop(): void } {
  const smart = new SmartCache();

  const recordNow = () => {
    const values: Record<string, number> = {};
    for (const m of dataMounts()) {
      try {
        const u = usageOf(m.mountPoint);
        values[seriesName(m.mountPoint, 'usedBytes')] = u.usedBytes;
        values[seriesName(m.mountPoint, 'inodesUsed')] = u.inodesUsed;
      } catch {
        // a mount that went away between listing and statfs
      }
    }
    deps.history.record(Date.now(), values);
  };
  let timer: NodeJS.Timeout | null = null;
  if (deps.record) {
    recordNow();
    timer = setInterval(recordNow, deps.recordEveryMs ?? 60_000);
    timer.unref();
  }

  const handlers: Handlers = {
    async mounts(input) {
      const trendSeconds = input?.trendSeconds ?? 86_400;
      const to = Date.now();
      const out: MountHealth[] = [];
      for (const m of dataMounts()) {
        let u;
        try {
          u = usageOf(m.mountPoint);
        } catch {
          continue;
        }
        const readOnly = isReadOnly(m);
        const counters = errorCounters(m);
        const trend = readTrend(deps.history, m.mountPoint, to - trendSeconds * 1000, to);
        const dev = blockDeviceName(m.source);
        out.push({
          mountPoint: m.mountPoint,
          device: m.source,
          fsType: m.fsType,
          options: m.options,
          readOnly,
          ...u,
          errorCounters: counters,
          state: mountState(u, readOnly, counters),
          trend,
          smart: await smart.get(dev ? wholeDisk(dev) : null),
        });
      }
      return out;
    },
    watch({ path, maxWatches }, emit) {
      return watchFolder(path, maxWatches, emit);
    },
    fileAccess({ path }, emit) {
      return watchAccess(path, emit);
    },
  };

  return {
    handlers,
    recordNow,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
