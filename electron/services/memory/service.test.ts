import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySnapshot } from '../../contract/memory';
import { memory } from '../../contract/memory';
import type { CallContext } from '../../rpc/handlers';
import { HistoryStore } from '../history/store';
import { CollectorRegistry } from '../scheduler/polled-source';
import { memoryHints } from './hints';
import { backgroundIntervalMs, createMemoryService, type MemoryService } from './service';

const ctx: CallContext = { clientId: 't', signal: new AbortController().signal };
const GiB = 1024 ** 3;

describe('memory service', () => {
  let dir: string;
  let history: HistoryStore;
  let svc: MemoryService;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vantage-memsvc-'));
    history = new HistoryStore(join(dir, 'history.db'));
    svc = createMemoryService({ collectors: new CollectorRegistry(), history, record: false });
  });
  afterAll(() => {
    svc.stop();
    history.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams snapshots with the breakdown and the asked number of top consumers', async () => {
    const got = await new Promise<MemorySnapshot>((resolve) => {
      const params = memory.snapshots.params.parse({ intervalMs: 1000, top: 3 });
      const stop = svc.handlers.snapshots(params, (s) => {
        (stop as () => void)();
        resolve(s);
      }, ctx);
    });
    expect(got.top.length).toBeLessThanOrEqual(3);
    expect(got.breakdown.totalBytes).toBeGreaterThan(0);
    expect(svc.source.cost().ticks).toBeGreaterThan(0);
  });

  it('rejects out-of-range input at the contract: pid 0, oom_score_adj 1001, window 5 s', () => {
    expect(memory.process.input.safeParse({ pid: 0 }).success).toBe(false);
    expect(memory.setOomScoreAdj.input.safeParse({ pid: 1, value: 1001 }).success).toBe(false);
    expect(memory.leaks.input.safeParse({ windowSeconds: 5 }).success).toBe(false);
    expect(memory.snapshots.params.safeParse({ intervalMs: 10 }).success).toBe(false);
  });

  it('says ESRCH for a pid that does not exist, and reads our own process', async () => {
    await expect(Promise.resolve().then(() => svc.handlers.process({ pid: 4_000_000 }, ctx))).rejects.toMatchObject({ code: 'ESRCH' });
    const me = await svc.handlers.process({ pid: process.pid }, ctx);
    expect(me.ussBytes).toBeGreaterThan(0);
    expect((await svc.handlers.gc({ pid: process.pid }, ctx)).source).toBe('self');
  });

  it('hints are backed by numbers: a commit charge at 95% of CommitLimit is reported with both values', async () => {
    const snap = svc.source.sampleNow();
    const hot: MemorySnapshot = { ...snap, breakdown: { ...snap.breakdown, committedBytes: 9.5 * GiB, commitLimitBytes: 10 * GiB } };
    const hints = memoryHints(hot, null);
    expect(hints[0]).toMatchObject({ id: 'commit', severity: 'warning', link: { kind: 'chart', chart: 'breakdown' } });
    expect(hints[0].title).toContain('95%');
    expect(hints[0].evidence).toMatch(/9\.5 GiB.*10\.0 GiB/);
    expect(Array.isArray(await svc.handlers.hints(undefined, ctx))).toBe(true);
  });
});

describe('background sampling for leak detection', () => {
  it('takes about 30 samples per leak window, never faster than 1 s nor slower than 5 s', () => {
    expect(backgroundIntervalMs(20)).toBe(1000);
    expect(backgroundIntervalMs(60)).toBe(2000);
    expect(backgroundIntervalMs(300)).toBe(5000);
    expect(backgroundIntervalMs(3600)).toBe(5000);
  });
});
