// Added by pager: `PageSnapshot` and `PageStore.snapshot()` (a read-only view pinned to the last
// commit, for long reads while the writer goes on). Nothing else changed.
/**
 * The page layer's contract between the pager (file, cache, WAL, recovery) and the B+trees above
 * it. Pages are numbered from 1; page 1 starts with the database header (see docs/ENGINE-FORMAT.md).
 * Every page keeps its last `PAGE_TRAILER` bytes for the pager's checksum, so B+trees use only
 * `usableSize` bytes of each page.
 */
export const PAGE_TRAILER = 8;

export interface PageStore {
  readonly pageSize: number;
  /** pageSize − PAGE_TRAILER: the bytes a page's owner may use. */
  readonly usableSize: number;
  /** Pages in the database (the highest page number in use or on the free list). */
  readonly pageCount: number;
  /** A page to read. The bytes must not be modified (call `write` for that). */
  read(pgno: number): Uint8Array;
  /** The same page made writable in the current transaction (copy-on-write against readers). */
  write(pgno: number): Uint8Array;
  /** A zeroed page for the current transaction: from the free list, else the end of the file. */
  allocate(): number;
  /** Returns a page to the free list at commit. */
  free(pgno: number): void;
  /** 16 u32 slots in the header for the layers above (schema root, format versions, ...). */
  getMeta(slot: number): number;
  setMeta(slot: number, value: number): void;
  /** Starts the write transaction (single writer). Reads outside one see the last commit. */
  begin(): void;
  /** Makes the transaction durable: its pages go to the WAL as one commit, fsynced before return. */
  commit(): void;
  /** Forgets every page written since begin. */
  rollback(): void;
  readonly inTransaction: boolean;
  /**
   * A read-only view of the last commit that later commits do not change (their pages' old versions
   * are kept for it). Close it when done: it holds every page overwritten since it was taken.
   */
  snapshot(): PageSnapshot;
  /** Copies committed WAL pages into the main file and empties the WAL. */
  checkpoint(): void;
  close(): void;
}

/** The database as of one commit; see `PageStore.snapshot()`. */
export interface PageSnapshot {
  readonly pageSize: number;
  readonly usableSize: number;
  readonly pageCount: number;
  read(pgno: number): Uint8Array;
  getMeta(slot: number): number;
  close(): void;
}
