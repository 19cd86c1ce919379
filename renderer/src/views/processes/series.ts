import type { ProcessHistorySeries } from '@contract/processes';

export interface LiveSamples {
  ts: number[];
  cpu: number[];
  rss: number[];
}

export const LIVE_POINTS = 300;

/** Appends one tick of the open process, keeping the last LIVE_POINTS. */
export function pushLive(s: LiveSamples, ts: number, cpu: number, rss: number): LiveSamples {
  if (s.ts.length && s.ts[s.ts.length - 1] >= ts) return s;
  const from = s.ts.length >= LIVE_POINTS ? 1 : 0;
  return { ts: [...s.ts.slice(from), ts], cpu: [...s.cpu.slice(from), cpu], rss: [...s.rss.slice(from), rss] };
}

/**
 * The sparkline series: what history recorded before the view started watching, then the live
 * ticks. Gaps (null) in history are skipped rather than drawn as zero.
 */
export function mergeSeries(history: ProcessHistorySeries | null, live: LiveSamples): { cpu: number[]; rss: number[] } {
  const cpu: number[] = [];
  const rss: number[] = [];
  const firstLive = live.ts.length ? live.ts[0] : Infinity;
  if (history) {
    for (let k = 0; k < history.ts.length; k++) {
      if (history.ts[k] >= firstLive) break;
      const c = history.cpuPercent[k];
      const r = history.rssBytes[k];
      if (c !== null) cpu.push(c);
      if (r !== null) rss.push(r);
    }
  }
  cpu.push(...live.cpu);
  rss.push(...live.rss);
  return { cpu, rss };
}
