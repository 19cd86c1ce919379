import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryStore, TIERS } from './store';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('HistoryStore', () => {
  let dir: string;
  let now: number;
  const clock = () => now;
  const open = (opts: { maxBytes?: number } = {}) => new HistoryStore(join(dir, 'history.db'), { now: clock, ...opts });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vantage-history-'));
    now = T0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records ticks at 1 s resolution and answers a 5 m query from the 1 s tier', () => {
    const h = open();
    for (let i = 0; i < 120; i++) {
      now = T0 + i * 1000 + 437; // ticks are not aligned to the second
      h.record(now, { 'cpu.total': i, 'mem.used': 1000 + i });
    }
    const r = h.query({ series: ['cpu.total', 'nope'], range: '5m' });
    expect(r.tier).toBe('1s');
    expect(r.series[0].ts[0]).toBe(T0);
    expect(r.series[0].values.slice(0, 3)).toEqual([0, 1, 2]);
    expect(r.series[0].ts.length).toBe(120);
    expect(r.series[1]).toEqual({ name: 'nope', ts: [], values: [] });
    expect(h.listSeries('cpu')).toEqual(['cpu.total']);
    expect(h.listSeries()).toEqual(['cpu.total', 'mem.used']);
    h.close();
  });

  it('skips non-finite values instead of storing them', () => {
    const h = open();
    h.record(T0, { a: NaN, b: Infinity, c: 1 });
    expect(h.query({ series: ['a', 'b', 'c'], range: '5m' }).series.map((s) => s.values)).toEqual([[], [], [1]]);
    h.close();
  });

  it('rolls complete minutes into the 1 min tier (avg) and quarters into the 15 min tier', () => {
    const h = open();
    // 31 minutes of ticks every 10 s with value = minute index.
    for (let t = 0; t <= 31 * MINUTE; t += 10_000) {
      now = T0 + t;
      h.record(now, { v: Math.floor(t / MINUTE) });
    }
    const db = new Database(join(dir, 'history.db'), { readonly: true });
    const m1 = db.prepare('SELECT ts, v, lo, hi FROM m1 ORDER BY ts').all() as { ts: number; v: number }[];
    expect(m1.length).toBe(31);
    expect(m1[5]).toEqual({ ts: T0 + 5 * MINUTE, v: 5, lo: 5, hi: 5 });
    const m15 = db.prepare('SELECT ts, v, lo, hi FROM m15 ORDER BY ts').all();
    expect(m15).toEqual([
      { ts: T0, v: 7, lo: 0, hi: 14 },
      { ts: T0 + 15 * MINUTE, v: 22, lo: 15, hi: 29 },
    ]);
    db.close();
    h.close();
  });

  it('chooses the tier by how far back the range starts', () => {
    const h = open();
    expect(h.tierFor(now - 5 * MINUTE, now)).toBe('1s');
    expect(h.tierFor(now - HOUR, now)).toBe('1s');
    expect(h.tierFor(now - DAY, now)).toBe('1m');
    expect(h.tierFor(now - 7 * DAY, now)).toBe('1m');
    expect(h.tierFor(now - 90 * DAY, now)).toBe('15m');
    // A short range far in the past comes from the tier that still holds it.
    expect(h.tierFor(now - 3 * HOUR, now - 2 * HOUR)).toBe('1m');
    expect(h.tierFor(now - 30 * DAY, now - 29 * DAY)).toBe('15m');
    expect(h.query({ series: ['x'], range: '24h' }).tier).toBe('1m');
    expect(h.query({ series: ['x'], range: '90d' }).tier).toBe('15m');
    h.close();
  });

  it('bounds the points a query returns by maxPoints', () => {
    const h = open();
    for (let i = 0; i < 600; i++) {
      now = T0 + i * 1000;
      h.record(now, { v: i });
    }
    const r = h.query({ series: ['v'], range: '1h', maxPoints: 50 });
    expect(r.series[0].ts.length).toBeLessThanOrEqual(51);
    expect(r.series[0].ts.length).toBeGreaterThan(5);
    h.close();
  });

  it('drops data past each tier’s retention, by the injected clock', () => {
    const h = open();
    for (let t = 0; t < 3 * MINUTE; t += 1000) {
      now = T0 + t;
      h.record(now, { v: 1 });
    }
    // Two hours later: the 1 s rows are past their hour, the minute rows are kept.
    now = T0 + 2 * HOUR;
    h.record(now, { v: 2 });
    now += MINUTE;
    h.record(now, { v: 2 });
    const db = new Database(join(dir, 'history.db'), { readonly: true });
    const count = (table: string, before: number) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ts < ?`).get(before) as { n: number }).n;
    expect(count('s1', now - TIERS['1s'].retentionMs)).toBe(0);
    expect(count('m1', T0 + 3 * MINUTE)).toBe(3);
    // Eight days later the minute rows of day one are gone too.
    now = T0 + 8 * DAY;
    h.record(now, { v: 3 });
    now += MINUTE;
    h.record(now, { v: 3 });
    expect(count('m1', T0 + DAY)).toBe(0);
    db.close();
    h.close();
  });

  it('keeps the file under its size bound by dropping the oldest data first', () => {
    const maxBytes = 2 * 1024 * 1024;
    const h = open({ maxBytes });
    const values: Record<string, number> = {};
    for (let i = 0; i < 200; i++) values[`series.${i}`] = i;
    for (let t = 0; t < 50 * MINUTE; t += 1000) {
      now = T0 + t;
      h.record(now, values);
    }
    // The bound is enforced at each minute's rollup, so up to a minute of ticks can sit above it.
    expect(h.sizeBytes()).toBeLessThanOrEqual(maxBytes * 1.25);
    const r = h.query({ series: ['series.1'], from: T0, to: now, maxPoints: 5000 });
    // The newest ticks are there; the oldest were dropped.
    expect(r.series[0].ts.at(-1)).toBe(Math.floor(now / 1000) * 1000);
    expect(r.series[0].ts[0]).toBeGreaterThan(T0);
    h.close();
  });

  it('catches up rollups after a restart', () => {
    let h = open();
    for (let t = 0; t < 90_000; t += 1000) {
      now = T0 + t;
      h.record(now, { v: 4 });
    }
    h.close();
    now = T0 + 10 * MINUTE;
    h = open();
    const db = new Database(join(dir, 'history.db'), { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM m1').get() as { n: number }).n).toBe(2);
    db.close();
    h.close();
  });

  it('survives being SIGKILLed mid-write many times: integrity ok and every acknowledged tick present', async () => {
    const path = join(dir, 'history.db');
    const acked: number[] = [];
    // The child uses the real clock (retention applies), so start from half an hour ago.
    let start = Math.floor(Date.now() / 1000) * 1000 - 30 * MINUTE;
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'testing', 'tick-writer.ts'), path, String(start)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buf = '';
      const roundAcked: number[] = [];
      const target = 20 + round * 7;
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) roundAcked.push(Number(l));
          if (roundAcked.length >= target && child.exitCode === null && !child.killed) {
            child.kill('SIGKILL'); // while it is in the middle of its next record()
          }
        });
        child.on('exit', () => resolve());
      });
      acked.push(...roundAcked);
      start = roundAcked.at(-1)! + 1000 + 1000 * round;
      const db = new Database(path);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    }
    const db = new Database(path, { readonly: true });
    const id = (db.prepare("SELECT id FROM series WHERE name = 'crash.series0'").get() as { id: number }).id;
    const stored = new Set((db.prepare('SELECT ts FROM s1 WHERE series = ?').all(id) as { ts: number }[]).map((r) => r.ts));
    db.close();
    const missing = acked.filter((ts) => !stored.has(ts));
    expect(acked.length).toBeGreaterThan(300);
    expect(missing).toEqual([]);
  }, 120_000);
});
