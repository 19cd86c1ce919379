// A crash at every write of a commit and the checkpoint after it: each write in turn is torn part
// way and the process "dies" there (the pager is abandoned, its files left as they are). Reopened,
// the database must hold exactly the state before the commit, or, if commit() had returned, after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type FilePager, openPager } from './file-pager';
import { checkIntegrity } from './integrity';
import { hasStamp, stamp } from './test-pages';
import { writeFaults } from './wal-file';

const dir = mkdtempSync(path.join(tmpdir(), 'vantage-pager-fault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  writeFaults.remaining = -1;
});
const USABLE = 4088;
const BASE = 600; // pages in the first state
const ADDED = 800; // the change's commit (~1150 frames) spans two 4 MiB WAL write slices
const rewritten = (pg: number): boolean => pg >= 2 && pg <= 301;
const freed = (pg: number): boolean => pg >= 302 && pg <= 351;

/** State 1: pages 2..BASE+1 stamped 1, slot 0 = 1. State 2 rewrites 300 pages, frees 50, adds ADDED. */
function change(p: FilePager): void {
  p.begin();
  for (let pg = 2; pg <= BASE + 1; pg++) if (rewritten(pg)) stamp(p.write(pg), 2, USABLE);
  for (let pg = 302; pg <= 351; pg++) p.free(pg);
  for (let i = 0; i < ADDED; i++) stamp(p.write(p.allocate()), 3, USABLE);
  p.setMeta(0, 2);
  p.commit();
}

function expectState(file: string, state: 1 | 2): void {
  const p = openPager(file);
  expect(p.getMeta(0)).toBe(state);
  expect(p.pageCount).toBe(state === 1 ? BASE + 1 : BASE + 1 + ADDED);
  expect(p.freeCount).toBe(state === 1 ? 0 : 50);
  for (let pg = 2; pg <= p.pageCount; pg++) {
    if (state === 2 && freed(pg)) continue; // free pages' bytes are nobody's
    const want = state === 1 ? 1 : pg > BASE + 1 ? 3 : rewritten(pg) ? 2 : 1;
    if (!hasStamp(p.read(pg), want, USABLE)) throw new Error(`page ${pg} should hold state ${state}'s stamp ${want}`);
  }
  expect(checkIntegrity(p).problems).toEqual([]);
  p.close();
}

describe('a failed write', () => {
  it('rolls the commit back and leaves the pager usable: the next commit lands, the failed one never appears', () => {
    const file = path.join(dir, 'io-error.db');
    const p = openPager(file, { lock: false });
    p.begin();
    const a = p.allocate();
    const b = p.allocate();
    stamp(p.write(a), 1, USABLE);
    stamp(p.write(b), 1, USABLE);
    p.commit();
    p.begin();
    for (let i = 0; i < 20; i++) stamp(p.write(p.allocate()), 9, USABLE);
    stamp(p.write(a), 9, USABLE);
    p.setMeta(0, 9);
    writeFaults.remaining = 0;
    writeFaults.tear = 0.7;
    expect(() => p.commit()).toThrow('disk I/O error writing the WAL at commit: injected crash');
    expect(p.inTransaction).toBe(false);
    expect(p.pageCount).toBe(3);
    expect(hasStamp(p.read(a), 1, USABLE)).toBe(true);
    p.begin();
    stamp(p.write(b), 2, USABLE);
    p.setMeta(0, 2);
    p.commit();
    p.abandon();
    const q = openPager(file);
    expect(q.getMeta(0)).toBe(2);
    expect(q.pageCount).toBe(3);
    expect(hasStamp(q.read(a), 1, USABLE)).toBe(true);
    expect(hasStamp(q.read(b), 2, USABLE)).toBe(true);
    q.close();
  });
});

describe('crash at every write of a commit and checkpoint', () => {
  for (const tear of [0, 0.3, 0.999]) {
    it(`recovers to before or after the commit wherever the crash lands (writes torn at ${tear})`, () => {
      let crashes = 0;
      for (let k = 0; ; k++) {
        const file = path.join(dir, `fault-${tear}-${k}.db`);
        const p = openPager(file, { lock: false, checkpointPages: 1 << 20 });
        p.begin();
        for (let i = 0; i < BASE; i++) stamp(p.write(p.allocate()), 1, USABLE);
        p.setMeta(0, 1);
        p.commit();
        p.checkpoint();
        writeFaults.remaining = k;
        writeFaults.tear = tear;
        let committed = false;
        let crashed = false;
        try {
          change(p);
          committed = true;
          p.checkpoint();
        } catch (e) {
          expect((e as Error).message).toMatch(/^disk I\/O error .*: injected crash$/);
          crashed = true;
        }
        writeFaults.remaining = -1;
        p.abandon();
        expectState(file, committed ? 2 : 1);
        rmSync(file);
        if (!crashed) break; // k passed the last write: every crash point has been tried
        crashes++;
      }
      expect(crashes).toBeGreaterThan(4);
    });
  }
});
