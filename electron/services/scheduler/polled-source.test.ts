import { describe, expect, it } from 'vitest';
import { CollectorRegistry, PolledSource } from './polled-source';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PolledSource', () => {
  it('does not sample while nobody is subscribed', async () => {
    let calls = 0;
    const src = new PolledSource('idle', () => ++calls);
    await sleep(300);
    expect(calls).toBe(0);
    expect(src.cost()).toMatchObject({ name: 'idle', ticks: 0, subscribers: 0, intervalMs: 0 });
  });

  it('samples while subscribed, delivers samples, and stops after the last unsubscribe', async () => {
    let calls = 0;
    const src = new PolledSource('counter', () => ++calls);
    const got: number[] = [];
    const stop = src.subscribe(100, (n) => got.push(n));
    await sleep(550);
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(src.cost().subscribers).toBe(1);
    stop();
    const after = calls;
    await sleep(350);
    expect(calls).toBe(after);
    expect(src.cost().subscribers).toBe(0);
  });

  it('ticks at the fastest cadence asked for and serves each subscriber at its own', async () => {
    let calls = 0;
    const src = new PolledSource('mixed', () => ++calls);
    const fast: number[] = [];
    const slow: number[] = [];
    const a = src.subscribe(100, (n) => fast.push(n));
    const b = src.subscribe(400, (n) => slow.push(n));
    expect(src.cost().intervalMs).toBe(100);
    await sleep(1250);
    a();
    b();
    // Counted in ticks, not time: the slow subscriber sees about one in four of the fast one's.
    expect(fast.length).toBeGreaterThanOrEqual(6);
    expect(slow.length).toBeGreaterThanOrEqual(2);
    expect(slow.length).toBeLessThan(fast.length / 2);
    // Dropping the fast subscriber slows the tick down to the remaining one.
    const c = src.subscribe(400, () => {});
    expect(src.cost().intervalMs).toBe(400);
    c();
  });

  it('primes delta sources so the first delivered sample comes after a warm-up read', async () => {
    let calls = 0;
    const src = new PolledSource('delta', () => ++calls, true);
    const got: number[] = [];
    const stop = src.subscribe(1000, (n) => got.push(n));
    expect(calls).toBe(1); // the warm-up read, not delivered
    await sleep(500);
    stop();
    expect(got).toEqual([2]);
  });

  it('hands a fresh sample to a new subscriber at once', async () => {
    const src = new PolledSource('shared', () => Date.now());
    const stopA = src.subscribe(1000, () => {});
    await sleep(50);
    const got: number[] = [];
    const stopB = src.subscribe(1000, (n) => got.push(n));
    await sleep(20);
    expect(got.length).toBe(1);
    stopA();
    stopB();
  });

  it('measures its own cost per tick', async () => {
    const src = new PolledSource('busy', () => {
      let x = 0;
      for (let i = 0; i < 2e5; i++) x += Math.sqrt(i);
      return x;
    });
    const registry = new CollectorRegistry();
    registry.add(src);
    expect(src.sampleNow()).toBeGreaterThan(0);
    const cost = registry.costs()[0];
    expect(cost.name).toBe('busy');
    expect(cost.ticks).toBe(1);
    expect(cost.meanCpuMs).toBeGreaterThan(0);
    expect(cost.meanWallMs).toBeGreaterThan(0);
    expect(cost.lastWallMs).toBe(cost.meanWallMs);
  });

  it('survives a failing sample and a throwing listener', async () => {
    let n = 0;
    const src = new PolledSource('flaky', () => {
      if (++n % 2) throw new Error('flaky read');
      return n;
    });
    const got: number[] = [];
    const errors = console.error;
    console.error = () => {};
    try {
      const stop1 = src.subscribe(50, () => {
        throw new Error('bad listener');
      });
      const stop2 = src.subscribe(50, (v) => got.push(v));
      await sleep(400);
      stop1();
      stop2();
    } finally {
      console.error = errors;
    }
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((v) => v % 2 === 0)).toBe(true);
  });
});
