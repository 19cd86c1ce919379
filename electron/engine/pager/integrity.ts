// PRAGMA integrity_check for the page layer: every page's checksum, the free list's shape, the
// file's size, and (given the pages the B+trees use) that no page is both free and in use or lost.
import { SqlError } from '../errors';
import { checkPage, decodeHeader, trunkCapacity, TRUNK_COUNT, TRUNK_LEAVES, TRUNK_NEXT, view } from './format';
import { FilePager } from './file-pager';
import type { PageStore } from './types';

export interface IntegrityReport {
  ok: boolean;
  /** One line per problem found, naming the page. Empty when ok. */
  problems: string[];
  pageCount: number;
  freePages: number;
}

export interface IntegrityOptions {
  /** Every page the layers above use (B+tree and overflow pages), not counting page 1. */
  inUse?: Iterable<number>;
  /** Stop collecting after this many problems. Default 100. */
  maxProblems?: number;
}

export function checkIntegrity(store: PageStore, opts: IntegrityOptions = {}): IntegrityReport {
  if (store.inTransaction) throw new SqlError('SQL_MISUSE', 'integrity check must run outside a transaction');
  const max = opts.maxProblems ?? 100;
  const problems: string[] = [];
  const report = (p: string): boolean => {
    if (problems.length < max) problems.push(p);
    return problems.length < max;
  };
  const pageCount = store.pageCount;

  // 1. Checksums: every page as stored on disk (WAL or main file), bypassing the cache.
  const unreadable = new Set<number>();
  if (store instanceof FilePager) {
    const pages = store.pages;
    const walEmpty = store.walFrames === 0;
    const size = pages.mainFileSize();
    if (walEmpty && size !== pageCount * store.pageSize) {
      report(`the file is ${size} bytes; ${pageCount} pages of ${store.pageSize} need ${pageCount * store.pageSize}`);
    }
    for (let pgno = 1; pgno <= pageCount; pgno++) {
      try {
        const problem = checkPage(pages.load(pgno), pgno);
        if (problem) throw new Error(problem);
      } catch (e) {
        unreadable.add(pgno);
        if (!report((e as Error).message)) break;
      }
    }
  }

  // 2. The free list: trunks chained from the header, leaves within range, nothing twice.
  const free = new Set<number>();
  const capacity = trunkCapacity(store.usableSize);
  const inRange = (p: number): boolean => p >= 2 && p <= pageCount;
  // Outside a transaction page 1 holds the committed header.
  const header = unreadable.has(1) ? null : decodeHeader(store.read(1));
  if (header && header.pageCount !== pageCount) report(`page 1: the header counts ${header.pageCount} pages, the pager ${pageCount}`);
  let trunk = header?.freeHead ?? 0;
  while (trunk !== 0) {
    if (!inRange(trunk) || free.has(trunk)) {
      report(`free list: trunk page ${trunk} is ${free.has(trunk) ? 'listed twice (a cycle)' : 'out of range'}`);
      break;
    }
    free.add(trunk);
    if (unreadable.has(trunk)) break;
    const v = view(store.read(trunk));
    const n = v.getUint32(TRUNK_COUNT, true);
    if (n > capacity) {
      report(`free list: trunk page ${trunk} claims ${n} leaves, more than the ${capacity} that fit`);
      break;
    }
    for (let i = 0; i < n; i++) {
      const leaf = v.getUint32(TRUNK_LEAVES + i * 4, true);
      if (!inRange(leaf)) report(`free list: trunk page ${trunk} names page ${leaf}, out of range`);
      else if (free.has(leaf)) report(`free list: page ${leaf} is listed twice`);
      else free.add(leaf);
    }
    trunk = v.getUint32(TRUNK_NEXT, true);
  }
  if (header && header.freeCount !== free.size) {
    report(`free list: the header counts ${header.freeCount} free pages, the list holds ${free.size}`);
  }

  // 3. Pages in use against free pages: none both, none neither.
  if (opts.inUse) {
    const used = new Set<number>();
    for (const pgno of opts.inUse) {
      if (!inRange(pgno)) report(`page ${pgno} is in use but out of range (1..${pageCount}; page 1 is the header)`);
      else if (used.has(pgno)) report(`page ${pgno} is in use twice`);
      else if (free.has(pgno)) report(`page ${pgno} is both in use and on the free list`);
      used.add(pgno);
    }
    for (let pgno = 2; pgno <= pageCount; pgno++) {
      if (!used.has(pgno) && !free.has(pgno) && !report(`page ${pgno} is neither in use nor free (lost)`)) break;
    }
  }
  return { ok: problems.length === 0, problems, pageCount, freePages: free.size };
}
