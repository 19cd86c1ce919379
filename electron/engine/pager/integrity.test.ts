// The page-layer integrity check reports each kind of damage by page number.
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemoryPager, openPager } from './file-pager';
import { checkIntegrity } from './integrity';

const dir = mkdtempSync(path.join(tmpdir(), 'vantage-integrity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store with pages 2..11 allocated and 2..4 freed. */
function sample() {
  const p = openMemoryPager();
  p.begin();
  for (let i = 0; i < 10; i++) p.allocate();
  p.commit();
  p.begin();
  [2, 3, 4].forEach((n) => p.free(n));
  p.commit();
  return p;
}

describe('integrity check', () => {
  it('passes a sound store and counts its free pages', () => {
    const p = sample();
    const r = checkIntegrity(p, { inUse: [5, 6, 7, 8, 9, 10, 11] });
    expect(r).toEqual({ ok: true, problems: [], pageCount: 11, freePages: 3 });
  });

  it('reports a page both in use and free, a page in use twice, and a lost page', () => {
    const p = sample();
    const r = checkIntegrity(p, { inUse: [3, 5, 5, 6, 7, 8, 9, 10] });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'page 3 is both in use and on the free list',
      'page 5 is in use twice',
      'page 11 is neither in use nor free (lost)',
    ]);
  });

  it('reports a free-list cycle and a header count that disagrees with the list', () => {
    const p = sample();
    p.begin();
    const head = p.freeHead;
    const page = p.write(head);
    new DataView(page.buffer, page.byteOffset).setUint32(0, head, true); // next trunk → itself
    p.commit();
    const r = checkIntegrity(p);
    expect(r.problems).toContain(`free list: trunk page ${head} is listed twice (a cycle)`);
  });

  it('reports a file whose length does not match the page count', () => {
    const file = path.join(dir, 'short.db');
    const p = openPager(file);
    p.begin();
    p.allocate();
    p.commit();
    p.checkpoint();
    expect(checkIntegrity(p).ok).toBe(true);
    p.close();
    truncateSync(file, 4096);
    const r = openPager(file);
    const report = checkIntegrity(r);
    expect(report.problems).toEqual([
      'the file is 4096 bytes; 2 pages of 4096 need 8192',
      'database disk image is malformed: page 2 is past the end of the file',
    ]);
    r.close();
  });

  it('refuses to run inside a transaction', () => {
    const p = sample();
    p.begin();
    expect(() => checkIntegrity(p)).toThrow(/outside a transaction/);
  });
});
