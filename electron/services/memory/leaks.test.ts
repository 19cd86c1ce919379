import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../history/store';
import { MemoryCollector } from './collector';
import { detectLeaks, leakRulesFromEnv, leastSquares, procSeriesName } from './leaks';
import { LEAKER, startNode, stopChild } from './testing/children';

describe('least squares', () => {
  it('gives the slope per second and R² = 1 for a straight line', () => {
    const ts = [0, 1000, 2000, 3000, 4000];
    const fit = leastSquares(ts, ts.map((t) => 100 + (t / 1000) * 50));
    expect(fit.slope).toBeCloseTo(50);
    expect(fit.r2).toBeCloseTo(1);
  });

  it('a single jump in the middle fits a line poorly (R² ≤ 0.75), so it is not a leak', () => {
    const ts = Array.from({ length: 20 }, (_, i) => i * 1000);
    const fit = leastSquares(ts, ts.map((_, i) => (i < 10 ? 0 : 1e6)));
    expect(fit.r2).toBeLessThanOrEqual(0.76);
  });

  it('a flat series has no slope', () => {
    expect(leastSquares([0, 1000, 2000], [5, 5, 5])).toEqual({ slope: 0, r2: 0 });
  });
});

describe('leak detection against real processes', () => {
  let dir: string;
  let history: HistoryStore;
  let leaker: ChildProcess;
  let steady: ChildProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vantage-leaks-'));
    history = new HistoryStore(join(dir, 'history.db'));
    // 100 KiB touched every 100 ms ≈ 1000 KiB/s; the steady one holds 40 MiB and allocates nothing.
    leaker = await startNode(LEAKER(100, 100));
    steady = await startNode(LEAKER(0, 0, 40));
  }, 30_000);
  afterAll(async () => {
    await stopChild(leaker);
    await stopChild(steady);
    history.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flags the leaker within the window with its rate and never the steady process', async () => {
    const rules = { ...leakRulesFromEnv({ VANTAGE_LEAK_WINDOW_S: '15' }), windowSeconds: 15 };
    const collector = new MemoryCollector({ top: 5, stickySeconds: 15, record: (ts, v) => history.record(ts, v) });
    collector.pin(leaker.pid!);
    collector.pin(steady.pid!);
    let flaggedAt = -1;
    for (let tick = 0; tick < 24; tick++) {
      collector.sample();
      const report = detectLeaks(history, rules);
      const steadyRow = report.candidates.find((c) => c.pid === steady.pid);
      expect(steadyRow?.flagged ?? false).toBe(false);
      if (flaggedAt < 0 && report.candidates.some((c) => c.pid === leaker.pid && c.flagged)) flaggedAt = tick;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(flaggedAt).toBeGreaterThan(0);
    const report = detectLeaks(history, rules);
    const row = report.candidates.find((c) => c.pid === leaker.pid)!;
    expect(row).toMatchObject({ flagged: true, metric: 'uss', comm: 'node', alive: true, windowSeconds: 15 });
    expect(row.series).toBe(procSeriesName(leaker.pid!, row.startTime, 'uss'));
    // Known rate ≈ 1000 KiB/s; allocator and GC noise allowed.
    expect(row.bytesPerSecond).toBeGreaterThan(600 * 1024);
    expect(row.bytesPerSecond).toBeLessThan(1400 * 1024);
    expect(row.r2).toBeGreaterThan(0.9);
    expect(row.evidence.ts.length).toBe(row.samples);
    expect(report.candidates[0].pid).toBe(leaker.pid);
    expect(report.candidates.find((c) => c.pid === steady.pid)?.flagged).toBe(false);
  }, 60_000);
});
