// The file pager: durability across reopen, the WAL's recovery rules, checksums, the lock and
// the bounded cache, against real files in a temp directory.
import { appendFileSync, closeSync, existsSync, openSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPager, walPath } from './file-pager';
import { checkIntegrity } from './integrity';
import { hasStamp, stamp } from './test-pages';
import { FRAME_HEADER_SIZE, WAL_HEADER_SIZE, WalFile, writeAll } from './wal-file';

const dir = mkdtempSync(path.join(tmpdir(), 'vantage-file-pager-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `db-${n++}.db`);
const USABLE = 4088;

/** Commits `count` transactions, each writing one new page stamped with its transaction number. */
function commitStamped(file: string, count: number, from = 1): number[] {
  const p = openPager(file, { lock: false });
  const pages: number[] = [];
  for (let t = from; t < from + count; t++) {
    p.begin();
    const pgno = p.allocate();
    stamp(p.write(pgno), t, USABLE);
    p.setMeta(0, t);
    p.commit();
    pages.push(pgno);
  }
  p.abandon();
  return pages;
}

describe('file pager', () => {
  it('keeps pages, header slots and the free list across close and reopen', () => {
    const file = fresh();
    let p = openPager(file);
    p.begin();
    const pages = Array.from({ length: 20 }, () => p.allocate());
    for (const pg of pages) stamp(p.write(pg), pg, USABLE);
    p.setMeta(1, 99);
    p.commit();
    p.begin();
    p.free(pages[0]);
    p.free(pages[1]);
    p.commit();
    p.close();
    expect(existsSync(walPath(file))).toBe(false);
    expect(statSync(file).size).toBe(21 * 4096);

    p = openPager(file);
    expect(p.pageCount).toBe(21);
    expect(p.getMeta(1)).toBe(99);
    for (const pg of pages.slice(2)) expect(hasStamp(p.read(pg), pg, USABLE)).toBe(true);
    p.begin();
    expect(new Set([p.allocate(), p.allocate()])).toEqual(new Set(pages.slice(0, 2)));
    expect(p.allocate()).toBe(22);
    p.rollback();
    expect(checkIntegrity(p, { inUse: pages.slice(2) }).problems).toEqual([]);
    p.close();
  });

  it('recovers every commit from the WAL after a crash (no checkpoint, no close)', () => {
    const file = fresh();
    const pages = commitStamped(file, 30);
    expect(statSync(walPath(file)).size).toBeGreaterThan(WAL_HEADER_SIZE);
    const p = openPager(file);
    expect(p.getMeta(0)).toBe(30);
    pages.forEach((pg, i) => expect(hasStamp(p.read(pg), i + 1, USABLE)).toBe(true));
    p.close();
  });

  it('commits a 10000-page transaction larger than the cache and the checkpoint threshold', () => {
    const file = fresh();
    // directPages beyond the transaction's size: every page goes through the WAL.
    let p = openPager(file, { cachePages: 16, checkpointPages: 100, directPages: 1 << 20 });
    p.begin();
    const pages = Array.from({ length: 10000 }, () => p.allocate());
    for (const pg of pages) stamp(p.write(pg), pg, USABLE);
    p.commit();
    expect(p.walFrames).toBe(0); // checkpointed right after the commit
    p.close();
    p = openPager(file, { cachePages: 16 });
    for (const pg of pages) expect(hasStamp(p.read(pg), pg, USABLE)).toBe(true);
    p.close();
  });

  it('writes the new pages of a large commit straight to the main file, and logs the rest', () => {
    const file = fresh();
    let p = openPager(file, { cachePages: 16, directPages: 100, lock: false });
    p.begin();
    const old = Array.from({ length: 50 }, () => p.allocate());
    for (const pg of old) stamp(p.write(pg), 1, USABLE);
    p.commit(); // 51 frames: under directPages, all logged
    expect(p.walFrames).toBe(51);
    p.begin();
    for (const pg of old.slice(0, 10)) stamp(p.write(pg), 2, USABLE);
    const added = Array.from({ length: 500 }, () => p.allocate());
    for (const pg of added) stamp(p.write(pg), pg, USABLE);
    p.commit();
    // Only page 1 and the 10 rewritten pages were logged; the 500 new ones are in place already.
    expect(p.walFrames).toBe(51 + 11);
    expect(statSync(file).size).toBe(p.pageCount * 4096);
    for (const pg of added) expect(hasStamp(p.read(pg), pg, USABLE)).toBe(true);
    p.abandon(); // no checkpoint: the reopened pager must combine WAL and main file
    p = openPager(file, { cachePages: 16 });
    old.forEach((pg, i) => expect(hasStamp(p.read(pg), i < 10 ? 2 : 1, USABLE)).toBe(true));
    for (const pg of added) expect(hasStamp(p.read(pg), pg, USABLE)).toBe(true);
    expect(checkIntegrity(p).problems).toEqual([]);
    p.close();
  });

  it('cuts off pages past the page count that a commit wrote but never recorded', () => {
    const file = fresh();
    let p = openPager(file);
    p.begin();
    stamp(p.write(p.allocate()), 1, USABLE);
    p.commit();
    p.close();
    // As a crash between a commit's in-place writes and its WAL record leaves the file.
    appendFileSync(file, new Uint8Array(4096 * 3).fill(0xab));
    p = openPager(file);
    expect(statSync(file).size).toBe(2 * 4096);
    expect(checkIntegrity(p).problems).toEqual([]);
    p.close();
  });

  it('stays correct with an 8-page cache over thousands of pages and many rewrites', () => {
    const file = fresh();
    const p = openPager(file, { cachePages: 8, checkpointPages: 200 });
    const seedOf = new Map<number, number>();
    let seed = 1;
    p.begin();
    for (let i = 0; i < 3000; i++) {
      const pg = p.allocate();
      stamp(p.write(pg), seed, USABLE);
      seedOf.set(pg, seed++);
    }
    p.commit();
    let rnd = 12345;
    const next = (): number => (rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0);
    for (let t = 0; t < 40; t++) {
      p.begin();
      for (let i = 0; i < 50; i++) {
        const pg = 2 + (next() % 3000);
        stamp(p.write(pg), seed, USABLE);
        seedOf.set(pg, seed++);
      }
      if (t % 3 === 0) p.rollback();
      else p.commit();
      if (t % 3 === 0) {
        // Rolled back: restore the expectation from what was committed.
        for (const [pg] of seedOf) if (!hasStamp(p.read(pg), seedOf.get(pg)!, USABLE)) seedOf.set(pg, -1);
      }
    }
    let checked = 0;
    for (const [pg, s] of seedOf) {
      if (s === -1) continue;
      expect(hasStamp(p.read(pg), s, USABLE)).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
    expect(p.cachedPages).toBe(8);
    const stats = p.stats();
    expect(stats).toMatchObject({ pageSize: 4096, pageCount: 3001, freePages: 0, cachedPages: 8 });
    expect(stats.cacheMisses).toBeGreaterThan(stats.cacheHits); // random access over 3000 pages, 8 cached
    expect(stats.checkpoints).toBeGreaterThan(0);
    expect(checkIntegrity(p).ok).toBe(true);
    p.close();
  });

  it('names the page whose checksum does not match after a byte is flipped in the file', () => {
    const file = fresh();
    commitStamped(file, 6);
    openPager(file).close(); // checkpoint: everything is in the main file now
    const bytes = readFileSync(file);
    bytes[4 * 4096 + 100] ^= 0x40;
    writeFileSync(file, bytes);
    const p = openPager(file);
    expect(hasStamp(p.read(3), 2, USABLE)).toBe(true);
    expect(() => p.read(5)).toThrow('database disk image is malformed: page 5 checksum mismatch');
    const report = checkIntegrity(p);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['database disk image is malformed: page 5 checksum mismatch']);
    p.close();
  });

  it('detects a page written at the wrong place (misdirected write)', () => {
    const file = fresh();
    commitStamped(file, 4);
    openPager(file).close();
    const bytes = readFileSync(file);
    bytes.copy(bytes, 3 * 4096, 2 * 4096, 3 * 4096); // page 3's bytes land on page 4
    writeFileSync(file, bytes);
    const p = openPager(file);
    expect(() => p.read(4)).toThrow('page 4 holds page 3 (misdirected write)');
    p.close();
  });

  it('reports a path it cannot open as SQL_ERROR naming the path', () => {
    expect(() => openPager(dir, { lock: false })).toThrow(expect.objectContaining({ code: 'SQL_ERROR', message: expect.stringContaining(`disk I/O error opening ${dir}`) }));
    expect(() => openPager(path.join(dir, 'no-such-dir', 'x.db'))).toThrow(/disk I\/O error opening .*ENOENT/);
  });

  it('refuses a file that is not a page file', () => {
    const file = fresh();
    writeFileSync(file, Buffer.alloc(8192, 7));
    expect(() => openPager(file)).toThrow(/not a Vantage page file/);
    expect(existsSync(`${file}-lock`)).toBe(false);
  });

  it('a torn WAL tail (cut mid-frame) recovers to the previous commit', () => {
    const file = fresh();
    const pages = commitStamped(file, 5);
    const size = statSync(walPath(file)).size;
    truncateSync(walPath(file), size - 1000);
    const p = openPager(file, { lock: false });
    expect(p.getMeta(0)).toBe(4);
    expect(p.pageCount).toBe(5);
    for (let t = 1; t <= 4; t++) expect(hasStamp(p.read(pages[t - 1]), t, USABLE)).toBe(true);
    // New commits chain on after the cut.
    p.begin();
    p.setMeta(0, 50);
    p.commit();
    p.abandon();
    const q = openPager(file);
    expect(q.getMeta(0)).toBe(50);
    q.close();
  });

  it('frames of a commit without its commit frame are ignored, even with valid checksums', () => {
    const file = fresh();
    commitStamped(file, 3);
    const size = statSync(walPath(file)).size;
    truncateSync(walPath(file), size - (FRAME_HEADER_SIZE + 4096)); // cut exactly one frame: commit 3's last
    const p = openPager(file);
    expect(p.getMeta(0)).toBe(2);
    expect(p.pageCount).toBe(3);
    p.close();
  });

  it('reuses the WAL file after a checkpoint; old frames left in it never come back', () => {
    const file = fresh();
    const p = openPager(file, { lock: false });
    p.begin();
    const pages = Array.from({ length: 30 }, () => p.allocate());
    for (const pg of pages) stamp(p.write(pg), 1, USABLE);
    p.commit();
    const size = statSync(walPath(file)).size;
    p.checkpoint();
    expect(statSync(walPath(file)).size).toBe(size); // kept, for cheap fdatasync on reuse
    p.begin();
    stamp(p.write(pages[0]), 2, USABLE);
    p.commit();
    p.abandon();
    const q = openPager(file);
    expect(hasStamp(q.read(pages[0]), 2, USABLE)).toBe(true);
    for (const pg of pages.slice(1)) expect(hasStamp(q.read(pg), 1, USABLE)).toBe(true);
    expect(q.walFrames).toBe(2);
    q.close();
  });

  it('truncates the WAL at a checkpoint once it has grown past checkpointPages frames', () => {
    const file = fresh();
    const p = openPager(file, { checkpointPages: 10 });
    p.begin();
    for (let i = 0; i < 50; i++) p.allocate();
    p.commit();
    expect(statSync(walPath(file)).size).toBe(WAL_HEADER_SIZE);
    p.close();
  });

  it('a corrupt byte in the last commit drops that commit and nothing before it', () => {
    const file = fresh();
    commitStamped(file, 5);
    const wal = readFileSync(walPath(file));
    wal[wal.length - 3000] ^= 1;
    writeFileSync(walPath(file), wal);
    const p = openPager(file);
    expect(p.getMeta(0)).toBe(4);
    expect(checkIntegrity(p).ok).toBe(true);
    p.close();
  });

  it('a corrupt frame in an early commit drops it and every later one (checksums chain)', () => {
    const file = fresh();
    commitStamped(file, 5);
    const wal = readFileSync(walPath(file));
    // Each commit writes 2 frames (the new page and page 1); corrupt commit 3's first frame.
    wal[WAL_HEADER_SIZE + 4 * (FRAME_HEADER_SIZE + 4096) + FRAME_HEADER_SIZE + 10] ^= 1;
    writeFileSync(walPath(file), wal);
    const p = openPager(file);
    expect(p.getMeta(0)).toBe(2);
    expect(p.pageCount).toBe(3);
    p.close();
  });

  it('a crash part-way through a checkpoint leaves a consistent database', () => {
    const file = fresh();
    const pages = commitStamped(file, 40);
    // Simulate the checkpoint's first half: copy half of the WAL's pages home, then "crash".
    const wal = WalFile.open(walPath(file), 4096);
    const fd = openSync(file, 'r+');
    const entries = [...wal.index].sort((a, b) => a[0] - b[0]);
    for (const [pgno, offset] of entries.slice(0, entries.length >> 1)) writeAll(fd, wal.readPage(offset), (pgno - 1) * 4096);
    // ... and tear the next page in the main file.
    const [tornPg, tornOff] = entries[entries.length >> 1];
    writeAll(fd, wal.readPage(tornOff).subarray(0, 1000), (tornPg - 1) * 4096);
    closeSync(fd);
    wal.close();
    const p = openPager(file);
    expect(p.getMeta(0)).toBe(40);
    pages.forEach((pg, i) => expect(hasStamp(p.read(pg), i + 1, USABLE)).toBe(true));
    p.close();
    const q = openPager(file);
    pages.forEach((pg, i) => expect(hasStamp(q.read(pg), i + 1, USABLE)).toBe(true));
    expect(checkIntegrity(q, { inUse: pages }).ok).toBe(true);
    q.close();
  });

  it('a crash after the checkpoint wrote the main file but before the WAL reset loses nothing', () => {
    const file = fresh();
    const pages = commitStamped(file, 10);
    const savedWal = readFileSync(walPath(file));
    openPager(file).close(); // full checkpoint; the WAL is removed
    writeFileSync(walPath(file), savedWal); // as if the reset never happened
    const p = openPager(file);
    expect(p.getMeta(0)).toBe(10);
    pages.forEach((pg, i) => expect(hasStamp(p.read(pg), i + 1, USABLE)).toBe(true));
    p.close();
  });

  it('ignores a WAL left from an older generation (its salts no longer match)', () => {
    const file = fresh();
    commitStamped(file, 3);
    const oldWal = readFileSync(walPath(file));
    let p = openPager(file, { lock: false });
    p.checkpoint(); // new WAL generation, new salts
    p.begin();
    p.setMeta(0, 77);
    p.commit();
    p.abandon();
    // Splice the old generation's frames after the new header: they must not validate.
    const cur = readFileSync(walPath(file));
    writeFileSync(walPath(file), Buffer.concat([cur, oldWal.subarray(WAL_HEADER_SIZE)]));
    p = openPager(file);
    expect(p.getMeta(0)).toBe(77);
    expect(p.pageCount).toBe(4);
    p.close();
  });

  it('lets only one opener at a time and takes over the lock of a dead process', () => {
    const file = fresh();
    const p = openPager(file);
    expect(() => openPager(file)).toThrow(/database is locked/);
    p.close();
    writeFileSync(`${file}-lock`, '1\n'); // a live process (init) holds it
    expect(() => openPager(file)).toThrow(`database is locked: process 1 has it open (${file}-lock)`);
    writeFileSync(`${file}-lock`, '999999999\n'); // no such pid
    const q = openPager(file);
    expect(readFileSync(`${file}-lock`, 'utf8').trim()).toBe(String(process.pid));
    q.close();
    expect(existsSync(`${file}-lock`)).toBe(false);
  });

  it('a new database never replays a WAL left behind by a deleted one', () => {
    const file = fresh();
    commitStamped(file, 3);
    rmSync(file);
    const p = openPager(file);
    expect(p.pageCount).toBe(1);
    expect(p.getMeta(0)).toBe(0);
    p.close();
  });

  it('accepts only power-of-two page sizes from 512 to 65536', () => {
    expect(() => openPager(fresh(), { pageSize: 1000 })).toThrow('page size 1000 is not a power of two in 512..65536');
    expect(() => openPager(fresh(), { pageSize: 256 })).toThrow(/page size 256/);
    const p = openPager(fresh(), { pageSize: 512 });
    expect(p.usableSize).toBe(504);
    p.close();
  });

  it('keeps the page size of an existing file', () => {
    const file = fresh();
    openPager(file, { pageSize: 8192 }).close();
    const p = openPager(file, { pageSize: 1024 });
    expect(p.pageSize).toBe(8192);
    expect(p.usableSize).toBe(8184);
    p.close();
  });
});
