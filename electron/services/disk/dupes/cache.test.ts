import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HashCache } from './cache';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vantage-hashcache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const key = (ino: number, extra: Partial<{ size: number; mtimeSec: number; mtimeNsec: number }> = {}) => ({
  dev: 2049,
  ino,
  size: 100,
  mtimeSec: 1_700_000_000,
  mtimeNsec: 5,
  ...extra,
});

describe('the hash cache', () => {
  it('returns a hash only while size and mtime (to the nanosecond) are unchanged', () => {
    const c = new HashCache(join(dir, 'disk', 'hashcache.db'), 'algo-a');
    c.putMany([{ key: key(1), hash: { partial: 'p1', full: 'f1' } }]);
    expect(c.getMany([key(1)]).get(0)).toEqual({ partial: 'p1', full: 'f1' });
    expect(c.getMany([key(1, { size: 101 })]).size).toBe(0);
    expect(c.getMany([key(1, { mtimeNsec: 6 })]).size).toBe(0);
    expect(c.getMany([key(2)]).size).toBe(0);
    c.close();
  });

  it('keeps the hashes of different engines apart and survives a reopen (WAL)', () => {
    const file = join(dir, 'hashcache.db');
    const a = new HashCache(file, 'algo-a');
    a.putMany([{ key: key(1), hash: { partial: 'pa', full: null } }]);
    a.close();
    const b = new HashCache(file, 'algo-b');
    expect(b.getMany([key(1)]).size).toBe(0);
    b.close();
    const again = new HashCache(file, 'algo-a');
    expect(again.getMany([key(1)]).get(0)).toEqual({ partial: 'pa', full: null });
    again.close();
  });

  it('is bounded: past maxRows the oldest-written rows go first', async () => {
    const c = new HashCache(join(dir, 'hashcache.db'), 'algo-a', 3);
    for (let i = 1; i <= 5; i++) {
      c.putMany([{ key: key(i), hash: { partial: `p${i}`, full: null } }]);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(c.count()).toBe(3);
    const hits = c.getMany([1, 2, 3, 4, 5].map((i) => key(i)));
    expect([...hits.keys()].sort()).toEqual([2, 3, 4]);
    c.close();
  });
});
