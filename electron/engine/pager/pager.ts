// The transactional half of the pager: one write transaction at a time, copy-on-write dirty pages,
// the free list and the header. Where committed pages live (memory, or main file + WAL) is the
// `CommittedPages` backend's business.
import { SqlError } from '../errors';
import {
  cloneHeader,
  type DbHeader,
  encodeHeader,
  META_SLOTS,
  trunkCapacity,
  TRUNK_COUNT,
  TRUNK_LEAVES,
  TRUNK_NEXT,
  view,
} from './format';
import { PAGE_TRAILER, type PageSnapshot, type PageStore } from './types';

/** Committed state: what a reader outside a transaction sees. */
export interface CommittedPages {
  /** The last committed version of a page (checked against its checksum when it came from disk). */
  read(pgno: number): Uint8Array;
  /**
   * Makes a commit durable before returning; on a throw nothing of it is visible. `basePageCount` is
   * the page count of the last commit: pages past it are new.
   */
  commit(pages: Map<number, Uint8Array>, pageCount: number, basePageCount: number): void;
  /** Counters for `Pager.stats()`: cache and WAL figures where the backend has them. */
  stats?(): Partial<PagerStats>;
  /** True when the log has grown enough that the pager should checkpoint after this commit. */
  wantsCheckpoint?(): boolean;
  checkpoint(): void;
  close(): void;
}

/** What PRAGMA-style introspection can show about a pager. */
export interface PagerStats {
  pageSize: number;
  pageCount: number;
  freePages: number;
  changeCounter: number;
  /** Frames in the WAL since the last checkpoint (0 for ':memory:'). */
  walFrames: number;
  cachedPages: number;
  cacheHits: number;
  cacheMisses: number;
  checkpoints: number;
}

export class Pager implements PageStore {
  readonly pageSize: number;
  readonly usableSize: number;
  private committed: DbHeader;
  private tx: DbHeader | null = null;
  private dirty = new Map<number, Uint8Array>();
  private pendingFree: number[] = [];
  private pendingFreeSet = new Set<number>();
  private closed = false;
  private readonly snapshots = new Set<Snapshot>();

  constructor(
    private readonly store: CommittedPages,
    header: DbHeader,
  ) {
    this.pageSize = header.pageSize;
    this.usableSize = header.pageSize - PAGE_TRAILER;
    this.committed = header;
  }

  get pageCount(): number {
    return (this.tx ?? this.committed).pageCount;
  }

  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** Free pages (trunks included) as of the current transaction, or the last commit. */
  get freeCount(): number {
    return (this.tx ?? this.committed).freeCount;
  }

  /** First free-list trunk page (0 when empty), for the integrity check. */
  get freeHead(): number {
    return (this.tx ?? this.committed).freeHead;
  }

  /** Bumped by every commit that changed something. */
  get changeCounter(): number {
    return (this.tx ?? this.committed).changeCounter;
  }

  stats(): PagerStats {
    this.checkOpen();
    const h = this.tx ?? this.committed;
    return {
      pageSize: this.pageSize,
      pageCount: h.pageCount,
      freePages: h.freeCount,
      changeCounter: h.changeCounter,
      walFrames: 0,
      cachedPages: 0,
      cacheHits: 0,
      cacheMisses: 0,
      checkpoints: 0,
      ...this.store.stats?.(),
    };
  }

  read(pgno: number): Uint8Array {
    this.checkPgno(pgno);
    return this.dirty.get(pgno) ?? this.store.read(pgno);
  }

  write(pgno: number): Uint8Array {
    this.requireTx('write a page');
    this.checkPgno(pgno);
    let page = this.dirty.get(pgno);
    if (!page) {
      page = new Uint8Array(this.pageSize);
      page.set(this.store.read(pgno));
      this.dirty.set(pgno, page);
    }
    return page;
  }

  allocate(): number {
    const h = this.requireTx('allocate a page');
    let pgno: number;
    if (h.freeHead === 0) {
      pgno = ++h.pageCount;
    } else {
      const trunk = this.write(h.freeHead);
      const v = view(trunk);
      const n = v.getUint32(TRUNK_COUNT, true);
      if (n > 0) {
        pgno = v.getUint32(TRUNK_LEAVES + (n - 1) * 4, true);
        v.setUint32(TRUNK_COUNT, n - 1, true);
      } else {
        pgno = h.freeHead;
        h.freeHead = v.getUint32(TRUNK_NEXT, true);
      }
      h.freeCount--;
      if (pgno < 2 || pgno > h.pageCount) throw new SqlError('SQL_ERROR', `database disk image is malformed: free list names page ${pgno}`);
    }
    this.dirty.set(pgno, new Uint8Array(this.pageSize));
    return pgno;
  }

  free(pgno: number): void {
    this.requireTx('free a page');
    this.checkPgno(pgno);
    if (pgno === 1) throw new SqlError('SQL_MISUSE', 'page 1 holds the database header and cannot be freed');
    if (this.pendingFreeSet.has(pgno)) throw new SqlError('SQL_MISUSE', `page ${pgno} freed twice in one transaction`);
    this.pendingFreeSet.add(pgno);
    this.pendingFree.push(pgno);
  }

  getMeta(slot: number): number {
    this.checkSlot(slot);
    return (this.tx ?? this.committed).meta[slot];
  }

  setMeta(slot: number, value: number): void {
    const h = this.requireTx('set a header slot');
    this.checkSlot(slot);
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new SqlError('SQL_MISUSE', `header slot value must be a u32, got ${value}`);
    }
    h.meta[slot] = value;
  }

  begin(): void {
    this.checkOpen();
    if (this.tx) throw new SqlError('SQL_MISUSE', 'cannot start a transaction within a transaction');
    this.tx = cloneHeader(this.committed);
  }

  commit(): void {
    const h = this.requireTx('commit');
    try {
      this.linkFreedPages(h);
      if (this.dirty.size === 0 && sameHeader(h, this.committed)) {
        this.endTx();
        return;
      }
      h.changeCounter = (h.changeCounter + 1) >>> 0;
      encodeHeader(h, this.write(1));
      this.preserveForSnapshots();
      this.store.commit(this.dirty, h.pageCount, this.committed.pageCount);
    } catch (e) {
      this.endTx();
      throw e;
    }
    this.committed = h;
    this.endTx();
    if (this.store.wantsCheckpoint?.()) {
      try {
        this.store.checkpoint();
      } catch {
        // The commit is already durable in the WAL. A failed checkpoint loses nothing: it is retried
        // after the next commit, and an explicit checkpoint() or close() reports the error.
      }
    }
  }

  snapshot(): PageSnapshot {
    this.checkOpen();
    const snap = new Snapshot(this.pageSize, cloneHeader(this.committed), (pgno) => {
      this.checkOpen();
      return this.store.read(pgno);
    }, (s) => this.snapshots.delete(s));
    this.snapshots.add(snap);
    return snap;
  }

  /** Open snapshots keep the committed version of every page this commit replaces. */
  private preserveForSnapshots(): void {
    if (this.snapshots.size === 0) return;
    for (const pgno of this.dirty.keys()) {
      if (pgno > this.committed.pageCount) continue;
      let old: Uint8Array | undefined;
      for (const snap of this.snapshots) {
        if (pgno > snap.pageCount || snap.saved.has(pgno)) continue;
        old ??= this.store.read(pgno);
        snap.saved.set(pgno, old);
      }
    }
  }

  rollback(): void {
    this.requireTx('roll back');
    this.endTx();
  }

  checkpoint(): void {
    this.checkOpen();
    if (this.tx) throw new SqlError('SQL_MISUSE', 'cannot checkpoint inside a transaction');
    this.store.checkpoint();
  }

  close(): void {
    if (this.closed) return;
    if (this.tx) this.endTx();
    this.snapshots.clear();
    try {
      this.store.checkpoint();
    } finally {
      this.closed = true;
      this.store.close();
    }
  }

  /** For subclasses that end the store themselves (a simulated crash). */
  protected markClosed(): void {
    this.endTx();
    this.closed = true;
  }

  /** Pages freed in the transaction join the free list only now, so they are never reused before commit. */
  private linkFreedPages(h: DbHeader): void {
    const capacity = trunkCapacity(this.usableSize);
    for (const pgno of this.pendingFree) {
      // A page that existed at the last commit keeps its committed bytes on disk; no need to log it.
      if (pgno <= this.committed.pageCount) this.dirty.delete(pgno);
      if (h.freeHead !== 0) {
        const trunk = this.write(h.freeHead);
        const v = view(trunk);
        const n = v.getUint32(TRUNK_COUNT, true);
        if (n < capacity) {
          v.setUint32(TRUNK_LEAVES + n * 4, pgno, true);
          v.setUint32(TRUNK_COUNT, n + 1, true);
          h.freeCount++;
          continue;
        }
      }
      const trunk = new Uint8Array(this.pageSize);
      view(trunk).setUint32(TRUNK_NEXT, h.freeHead, true);
      this.dirty.set(pgno, trunk);
      h.freeHead = pgno;
      h.freeCount++;
    }
    this.pendingFree = [];
    this.pendingFreeSet.clear();
  }

  private endTx(): void {
    this.tx = null;
    this.dirty = new Map();
    this.pendingFree = [];
    this.pendingFreeSet.clear();
  }

  private requireTx(what: string): DbHeader {
    this.checkOpen();
    if (!this.tx) throw new SqlError('SQL_MISUSE', `cannot ${what} outside a transaction (call begin first)`);
    return this.tx;
  }

  private checkOpen(): void {
    if (this.closed) throw new SqlError('SQL_MISUSE', 'the database is closed');
  }

  private checkPgno(pgno: number): void {
    this.checkOpen();
    if (!Number.isInteger(pgno) || pgno < 1 || pgno > this.pageCount) {
      throw new SqlError('SQL_MISUSE', `page ${pgno} is out of range (the database has ${this.pageCount} pages)`);
    }
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= META_SLOTS) {
      throw new SqlError('SQL_MISUSE', `header slot ${slot} is out of range (0..${META_SLOTS - 1})`);
    }
  }
}

function sameHeader(a: DbHeader, b: DbHeader): boolean {
  return (
    a.pageCount === b.pageCount &&
    a.freeHead === b.freeHead &&
    a.freeCount === b.freeCount &&
    a.meta.every((m, i) => m === b.meta[i])
  );
}

class Snapshot implements PageSnapshot {
  readonly usableSize: number;
  readonly saved = new Map<number, Uint8Array>();
  private open = true;

  constructor(
    readonly pageSize: number,
    private readonly header: DbHeader,
    private readonly readCommitted: (pgno: number) => Uint8Array,
    private readonly release: (s: Snapshot) => void,
  ) {
    this.usableSize = pageSize - PAGE_TRAILER;
  }

  get pageCount(): number {
    return this.header.pageCount;
  }

  read(pgno: number): Uint8Array {
    this.checkOpen();
    if (!Number.isInteger(pgno) || pgno < 1 || pgno > this.header.pageCount) {
      throw new SqlError('SQL_MISUSE', `page ${pgno} is out of range (the snapshot has ${this.header.pageCount} pages)`);
    }
    return this.saved.get(pgno) ?? this.readCommitted(pgno);
  }

  getMeta(slot: number): number {
    this.checkOpen();
    if (!Number.isInteger(slot) || slot < 0 || slot >= META_SLOTS) {
      throw new SqlError('SQL_MISUSE', `header slot ${slot} is out of range (0..${META_SLOTS - 1})`);
    }
    return this.header.meta[slot];
  }

  close(): void {
    this.open = false;
    this.saved.clear();
    this.release(this);
  }

  private checkOpen(): void {
    if (!this.open) throw new SqlError('SQL_MISUSE', 'the snapshot is closed');
  }
}
