// The PageStore contract, checked against both backends: the ':memory:' pager and the file pager.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemoryPager, openPager } from './file-pager';
import { hasStamp, stamp } from './test-pages';
import type { PageStore } from './types';

const dir = mkdtempSync(path.join(tmpdir(), 'vantage-pager-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const backends: [string, () => PageStore][] = [
  ['memory', () => openMemoryPager()],
  ['file', () => openPager(path.join(dir, `contract-${files++}.db`))],
  ['file with an 8-page cache', () => openPager(path.join(dir, `contract-${files++}.db`), { cachePages: 8, checkpointPages: 50 })],
];

describe.each(backends)('%s pager', (_name, open) => {
  it('starts with one page (the header) and a 4096-byte page of which 4088 are usable', () => {
    const p = open();
    expect(p.pageSize).toBe(4096);
    expect(p.usableSize).toBe(4088);
    expect(p.pageCount).toBe(1);
    expect(p.inTransaction).toBe(false);
    p.close();
  });

  it('round-trips written pages after commit', () => {
    const p = open();
    p.begin();
    const pages = [p.allocate(), p.allocate(), p.allocate()];
    expect(pages).toEqual([2, 3, 4]);
    for (const n of pages) stamp(p.write(n), n, p.usableSize);
    p.commit();
    for (const n of pages) expect(hasStamp(p.read(n), n, p.usableSize)).toBe(true);
    expect(p.pageCount).toBe(4);
    p.close();
  });

  it('rollback forgets pages, allocations and header slots written since begin', () => {
    const p = open();
    p.begin();
    const a = p.allocate();
    stamp(p.write(a), 1, p.usableSize);
    p.setMeta(0, 7);
    p.commit();
    p.begin();
    stamp(p.write(a), 2, p.usableSize);
    p.allocate();
    p.setMeta(0, 9);
    expect(hasStamp(p.read(a), 2, p.usableSize)).toBe(true);
    p.rollback();
    expect(hasStamp(p.read(a), 1, p.usableSize)).toBe(true);
    expect(p.pageCount).toBe(2);
    expect(p.getMeta(0)).toBe(7);
    p.close();
  });

  it('a page read before a write keeps its committed bytes (copy-on-write against readers)', () => {
    const p = open();
    p.begin();
    const a = p.allocate();
    stamp(p.write(a), 1, p.usableSize);
    p.commit();
    const before = p.read(a);
    p.begin();
    stamp(p.write(a), 2, p.usableSize);
    p.commit();
    expect(hasStamp(before, 1, p.usableSize)).toBe(true);
    expect(hasStamp(p.read(a), 2, p.usableSize)).toBe(true);
    p.close();
  });

  it('freed pages are reused only after the freeing transaction commits', () => {
    const p = open();
    p.begin();
    const pages = Array.from({ length: 10 }, () => p.allocate());
    p.commit();
    p.begin();
    for (const n of pages.slice(0, 5)) p.free(n);
    const fresh = p.allocate();
    expect(fresh).toBe(12);
    p.commit();
    p.begin();
    const reused = Array.from({ length: 5 }, () => p.allocate());
    expect(new Set(reused)).toEqual(new Set(pages.slice(0, 5)));
    for (const n of reused) expect(p.read(n).every((b) => b === 0)).toBe(true);
    expect(p.allocate()).toBe(13);
    p.commit();
    expect(p.pageCount).toBe(13);
    p.close();
  });

  it('keeps a free list longer than one trunk page', () => {
    const p = open();
    p.begin();
    const pages = Array.from({ length: 3000 }, () => p.allocate());
    p.commit();
    p.begin();
    for (const n of pages) p.free(n);
    p.commit();
    p.begin();
    const again = new Set(Array.from({ length: 3000 }, () => p.allocate()));
    expect(again).toEqual(new Set(pages));
    expect(p.allocate()).toBe(3002);
    p.rollback();
    p.close();
  });

  it('a snapshot keeps seeing the commit it was taken at while later commits change and free pages', () => {
    const p = open();
    p.begin();
    const pages = Array.from({ length: 50 }, () => p.allocate());
    for (const n of pages) stamp(p.write(n), n, p.usableSize);
    p.setMeta(2, 1);
    p.commit();
    const snap = p.snapshot();
    for (let round = 0; round < 5; round++) {
      p.begin();
      for (const n of pages.slice(0, 25)) stamp(p.write(n), n + 1000 * (round + 1), p.usableSize);
      if (round === 0) for (const n of pages.slice(40)) p.free(n);
      if (round === 1) for (let i = 0; i < 10; i++) stamp(p.write(p.allocate()), 7, p.usableSize); // reuses freed pages
      p.setMeta(2, round + 2);
      p.commit();
      p.checkpoint();
    }
    expect(snap.getMeta(2)).toBe(1);
    expect(snap.pageCount).toBe(51);
    for (const n of pages) expect(hasStamp(snap.read(n), n, snap.usableSize)).toBe(true);
    expect(hasStamp(p.read(pages[0]), pages[0] + 5000, p.usableSize)).toBe(true);
    expect(p.getMeta(2)).toBe(6);
    snap.close();
    expect(() => snap.read(2)).toThrow(/snapshot is closed/);
    p.close();
  });

  it('header slots hold u32 values and survive commit', () => {
    const p = open();
    p.begin();
    p.setMeta(15, 0xffffffff);
    p.setMeta(3, 42);
    p.commit();
    expect(p.getMeta(15)).toBe(0xffffffff);
    expect(p.getMeta(3)).toBe(42);
    expect(() => p.getMeta(16)).toThrow(/slot 16/);
    p.begin();
    expect(() => p.setMeta(0, -1)).toThrow(/u32/);
    p.rollback();
    p.close();
  });

  it('refuses misuse with SQL_MISUSE: writes outside a transaction, nested begin, out-of-range pages, double free', () => {
    const p = open();
    expect(() => p.write(1)).toThrow(expect.objectContaining({ code: 'SQL_MISUSE' }));
    expect(() => p.allocate()).toThrow(/outside a transaction/);
    expect(() => p.read(2)).toThrow(/out of range/);
    p.begin();
    expect(() => p.begin()).toThrow(/within a transaction/);
    const a = p.allocate();
    p.free(a);
    expect(() => p.free(a)).toThrow(/freed twice/);
    expect(() => p.free(1)).toThrow(/header/);
    p.rollback();
    p.close();
    expect(() => p.read(1)).toThrow(/closed/);
  });
});
