import { describe, expect, it } from 'vitest';
import { LIVE_POINTS, mergeSeries, pushLive, type LiveSamples } from './series';

const empty: LiveSamples = { ts: [], cpu: [], rss: [] };

describe('sparkline series', () => {
  it('puts recorded history before the live ticks, without overlap or gaps', () => {
    let live = pushLive(empty, 3000, 30, 300);
    live = pushLive(live, 4000, 40, 400);
    const history = { pid: 1, startTicks: 1, ts: [1000, 2000, 3000], cpuPercent: [10, null, 99], rssBytes: [100, 200, 999] };
    expect(mergeSeries(history, live)).toEqual({ cpu: [10, 30, 40], rss: [100, 200, 300, 400] });
    expect(mergeSeries(null, live).cpu).toEqual([30, 40]);
  });

  it('ignores a repeated tick and keeps a bounded window', () => {
    let live = pushLive(empty, 1000, 1, 1);
    expect(pushLive(live, 1000, 2, 2)).toBe(live);
    for (let k = 2; k < LIVE_POINTS + 10; k++) live = pushLive(live, k * 1000, k, k);
    expect(live.ts).toHaveLength(LIVE_POINTS);
    expect(live.cpu.at(-1)).toBe(LIVE_POINTS + 9);
  });
});
