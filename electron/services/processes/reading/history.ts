import type { ProcessHistorySeries, ProcessSnapshot } from '../../../contract/processes';
import type { HistoryStore } from '../../history/store';

export function procHistoryName(pid: number, startTicks: number, metric: 'cpu' | 'rss'): string {
  return `proc.${pid}.${startTicks}.${metric}`;
}

/** How many processes are recorded per tick, at most: top by CPU, top by RSS, and any busy one. */
export const RECORD_TOP = 50;
export const RECORD_MAX = 120;
const BUSY_PERCENT = 1;

/**
 * Which rows to record this tick: the top RECORD_TOP by CPU and by RSS, plus every process above
 * 1% CPU, bounded by RECORD_MAX. At most 2 × RECORD_MAX samples a second (about 20 MB an hour in
 * the 1 s tier, which the store's retention and size bound keep in check).
 */
export function rowsToRecord(s: ProcessSnapshot): number[] {
  const t = s.table;
  const idx = Array.from({ length: t.count }, (_, i) => i);
  const picked = new Set<number>();
  const byCpu = [...idx].sort((a, b) => t.cpuPercent[b] - t.cpuPercent[a]);
  for (let k = 0; k < byCpu.length && picked.size < RECORD_MAX; k++) {
    const i = byCpu[k];
    if (k < RECORD_TOP || t.cpuPercent[i] > BUSY_PERCENT) picked.add(i);
    else break;
  }
  const byRss = idx.sort((a, b) => t.rssBytes[b] - t.rssBytes[a]);
  for (let k = 0; k < RECORD_TOP && k < byRss.length && picked.size < RECORD_MAX; k++) picked.add(byRss[k]);
  return [...picked];
}

export function recordSnapshot(store: HistoryStore, s: ProcessSnapshot): void {
  const t = s.table;
  const values: Record<string, number> = {};
  for (const i of rowsToRecord(s)) {
    values[procHistoryName(t.pid[i], t.startTicks[i], 'cpu')] = t.cpuPercent[i];
    values[procHistoryName(t.pid[i], t.startTicks[i], 'rss')] = t.rssBytes[i];
  }
  store.record(t.ts, values);
}

/** Reads the recorded series back, aligned on one time axis per process (null where a series has no point). */
export function readProcessHistory(store: HistoryStore, processes: { pid: number; startTicks: number }[], seconds: number): ProcessHistorySeries[] {
  const to = Date.now();
  const from = to - seconds * 1000;
  return processes.map(({ pid, startTicks }) => {
    const cpuName = procHistoryName(pid, startTicks, 'cpu');
    const rssName = procHistoryName(pid, startTicks, 'rss');
    const r = store.query({ series: [cpuName, rssName], from, to, maxPoints: 600 });
    const [cpu, rss] = r.series;
    const ts = [...new Set([...cpu.ts, ...rss.ts])].sort((a, b) => a - b);
    const cpuAt = new Map(cpu.ts.map((t, i) => [t, cpu.values[i]]));
    const rssAt = new Map(rss.ts.map((t, i) => [t, rss.values[i]]));
    return {
      pid,
      startTicks,
      ts,
      cpuPercent: ts.map((t) => cpuAt.get(t) ?? null),
      rssBytes: ts.map((t) => rssAt.get(t) ?? null),
    };
  });
}
