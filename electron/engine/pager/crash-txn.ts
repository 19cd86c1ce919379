// One deterministic transaction of the crash test, shared by the writer child and the test's
// in-memory model: transaction t allocates, rewrites and frees pages chosen by a PRNG seeded with t.
// Live pages are listed on a directory page (header slot 1); slot 0 holds the last transaction id.
import { stamp } from './test-pages';
import type { PageStore } from './types';

export function runCrashTxn(p: PageStore, t: number): void {
  let s = t >>> 0 || 1;
  const rnd = (n: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
  p.begin();
  let dirPg = p.getMeta(1);
  if (dirPg === 0) {
    dirPg = p.allocate();
    p.setMeta(1, dirPg);
  }
  const dirPage = p.read(dirPg);
  const dir = new DataView(dirPage.buffer, dirPage.byteOffset);
  const live: number[] = [];
  for (let i = 0, n = dir.getUint32(0, true); i < n; i++) live.push(dir.getUint32(4 + i * 4, true));

  const frees = live.length > 300 ? 1 + rnd(12) : rnd(2);
  for (let i = 0; i < frees && live.length > 0; i++) p.free(live.splice(rnd(live.length), 1)[0]);
  const writes = rnd(4);
  for (let i = 0; i < writes && live.length > 0; i++) stamp(p.write(live[rnd(live.length)]), t * 64 + i, p.usableSize);
  // Every 40th transaction is large (a couple of hundred pages), so commits span many frames.
  const allocs = t % 40 === 0 ? 150 + rnd(100) : 1 + rnd(4);
  for (let i = 0; i < allocs && live.length < 900; i++) {
    const pg = p.allocate();
    stamp(p.write(pg), t * 64 + 8 + (i % 56), p.usableSize);
    live.push(pg);
  }
  const outPage = p.write(dirPg);
  const out = new DataView(outPage.buffer, outPage.byteOffset);
  out.setUint32(0, live.length, true);
  live.forEach((pg, i) => out.setUint32(4 + i * 4, pg, true));
  p.setMeta(0, t);
  p.commit();
}

/** The pages the crash test's transactions use (for the integrity check's in-use set). */
export function crashTxnPages(p: PageStore): number[] {
  const dirPg = p.getMeta(1);
  if (dirPg === 0) return [];
  const page = p.read(dirPg);
  const dir = new DataView(page.buffer, page.byteOffset);
  const pages = [dirPg];
  for (let i = 0, n = dir.getUint32(0, true); i < n; i++) pages.push(dir.getUint32(4 + i * 4, true));
  return pages;
}
