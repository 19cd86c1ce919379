// A database file of fixed-size pages plus its page WAL `<db>-wal`. Committed pages are read from
// the WAL when it holds a newer version (its in-memory index), else from the main file; clean pages
// are kept in a bounded LRU cache. Checkpoints copy WAL pages home and start a new WAL generation.
import {
  closeSync,
  constants,
  existsSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import path from 'node:path';
import { SqlError } from '../errors';
import { DEFAULT_PAGE_SIZE, decodeHeader, encodeHeader, ioError, malformed, newHeader, peekPageSize, sealPage, validPageSize, verifyPage } from './format';
import { acquireLock, releaseLock } from './lock';
import { type CommittedPages, Pager, type PagerStats } from './pager';
import { FRAME_HEADER_SIZE, syncDir, WAL_HEADER_SIZE, WalFile, writeAll, writeAllv } from './wal-file';

export { openMemoryPager } from './memory-pager';

export interface PagerOptions {
  /** Page size of a new database (a power of two, 512..65536); an existing file keeps its own. */
  pageSize?: number;
  /** Clean pages kept in memory (LRU). Default 2000 (8 MiB of 4 KiB pages). */
  cachePages?: number;
  /** Checkpoint automatically after a commit leaves at least this many frames in the WAL. Default 1000. */
  checkpointPages?: number;
  /** Take the `<db>-lock` file so a second process cannot open the database. Default true. */
  lock?: boolean;
  /**
   * A commit that adds at least this many pages past the last commit's end writes them straight to
   * the main file instead of the WAL (see FilePages.commit). Default 256 (1 MiB of 4 KiB pages).
   */
  directPages?: number;
}

export const DEFAULT_CACHE_PAGES = 2000;
export const DEFAULT_CHECKPOINT_PAGES = 1000;
export const DEFAULT_DIRECT_PAGES = 256;

class FilePages implements CommittedPages {
  private readonly cache = new Map<number, Uint8Array>();
  private hits = 0;
  private misses = 0;
  private checkpoints = 0;
  /**
   * The sealed pages of the last commit, until the checkpoint that may follow it: they are the
   * newest version of their pages, so the checkpoint copies them home from memory instead of
   * reading them back from the WAL it has just written.
   */
  private justCommitted: Map<number, Uint8Array> | null = null;

  constructor(
    private readonly dbPath: string,
    private readonly fd: number,
    readonly wal: WalFile,
    private readonly pageSize: number,
    private readonly cachePages: number,
    private readonly checkpointPages: number,
    private readonly directPages: number,
    private readonly locked: boolean,
  ) {}

  read(pgno: number): Uint8Array {
    const hit = this.cache.get(pgno);
    if (hit) {
      this.hits++;
      this.cache.delete(pgno);
      this.cache.set(pgno, hit);
      return hit;
    }
    this.misses++;
    const page = this.load(pgno);
    this.remember(pgno, page);
    return page;
  }

  /** A page straight from the WAL or the main file, checksum verified; bypasses the cache. */
  load(pgno: number): Uint8Array {
    let page: Uint8Array;
    try {
      const offset = this.wal.index.get(pgno);
      page = offset !== undefined ? this.wal.readPage(offset) : this.readMain(pgno);
    } catch (e) {
      throw ioError(e, `reading page ${pgno}`);
    }
    verifyPage(page, pgno);
    return page;
  }

  get cachedPages(): number {
    return this.cache.size;
  }

  stats(): Partial<PagerStats> {
    return { walFrames: this.wal.frames, cachedPages: this.cache.size, cacheHits: this.hits, cacheMisses: this.misses, checkpoints: this.checkpoints };
  }

  mainFileSize(): number {
    return fstatSync(this.fd).size;
  }

  commit(pages: Map<number, Uint8Array>, pageCount: number, basePageCount: number): void {
    const frames = [...pages].sort((a, b) => a[0] - b[0]);
    for (const [pgno, page] of frames) sealPage(page, pgno);
    this.justCommitted = null;
    // Pages past the last commit's end are reachable from no committed state, so they can be written
    // in place ahead of the commit record: once, instead of to the WAL and again at the checkpoint.
    // They must be durable before the WAL commit that makes them reachable; a crash before that
    // leaves them as a tail past the page count, which open() cuts off. Page 1 (the header) is always
    // logged, so the WAL still carries the commit.
    let cut = frames.length;
    while (cut > 0 && frames[cut - 1][0] > basePageCount) cut--;
    const direct = cut > 0 && frames.length - cut >= this.directPages;
    const logged = direct ? frames.slice(0, cut) : frames;
    const sizeBefore = direct ? this.mainFileSize() : 0;
    try {
      if (direct) {
        try {
          writePages(this.fd, frames.slice(cut), this.pageSize);
          fdatasyncSync(this.fd);
        } catch (e) {
          throw ioError(e, 'writing new pages at commit');
        }
      }
      try {
        this.wal.append(logged, pageCount);
      } catch (e) {
        throw ioError(e, 'writing the WAL at commit');
      }
    } catch (e) {
      if (direct) this.cutMainFile(sizeBefore);
      throw e;
    }
    for (const [pgno] of frames) this.cache.delete(pgno);
    for (const [pgno, page] of frames.slice(-this.cachePages)) this.remember(pgno, page);
    if (this.wantsCheckpoint()) this.justCommitted = new Map(logged);
  }

  /** Best effort after a failed commit: drop the new pages it wrote past the committed end. */
  private cutMainFile(size: number): void {
    try {
      ftruncateSync(this.fd, size);
    } catch {
      // Harmless if it stays: open() cuts a tail past the page count.
    }
  }

  wantsCheckpoint(): boolean {
    return this.wal.frames >= this.checkpointPages;
  }

  checkpoint(): void {
    try {
      this.copyWalHome();
    } catch (e) {
      throw ioError(e, 'during checkpoint');
    }
  }

  private copyWalHome(): void {
    const fresh = this.justCommitted;
    this.justCommitted = null;
    if (this.wal.index.size > 0) {
      for (const run of this.wal.runs()) {
        let pages = fresh ? fromMemory(fresh, run.pgno, run.count) : null;
        if (!pages) {
          pages = this.wal.readRun(run);
          for (let i = 0; i < run.count; i++) verifyPage(pages[i], run.pgno + i);
        }
        writeAllv(this.fd, pages, (run.pgno - 1) * this.pageSize);
      }
      ftruncateSync(this.fd, this.wal.dbSize * this.pageSize);
      fsyncSync(this.fd);
    }
    // Only after the main file is durable may the WAL forget its frames.
    if (this.wal.frames > 0) {
      this.wal.reset();
      this.checkpoints++;
    }
  }

  abandon(): void {
    this.wal.close();
    closeSync(this.fd);
  }

  close(): void {
    const empty = this.wal.frames === 0;
    this.wal.close();
    closeSync(this.fd);
    try {
      if (empty) unlinkSync(walPath(this.dbPath)); // checkpointed: nothing in it to keep
    } finally {
      if (this.locked) releaseLock(lockPath(this.dbPath));
    }
  }

  private readMain(pgno: number): Uint8Array {
    const page = new Uint8Array(this.pageSize);
    const n = readSync(this.fd, page, 0, this.pageSize, (pgno - 1) * this.pageSize);
    if (n !== this.pageSize) throw malformed(`page ${pgno} is past the end of the file`);
    return page;
  }

  private remember(pgno: number, page: Uint8Array): void {
    this.cache.set(pgno, page);
    if (this.cache.size > this.cachePages) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** Pages `pgno`…`pgno + count - 1` when all of them are in `pages`, else null. */
function fromMemory(pages: Map<number, Uint8Array>, pgno: number, count: number): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const page = pages.get(pgno + i);
    if (!page) return null;
    out.push(page);
  }
  return out;
}

/** Sealed pages in page order, each consecutive run with one writev() at its place in the file. */
function writePages(fd: number, frames: [number, Uint8Array][], pageSize: number): void {
  for (let i = 0; i < frames.length; ) {
    const first = frames[i][0];
    const run: Uint8Array[] = [];
    while (i < frames.length && frames[i][0] === first + run.length) run.push(frames[i++][1]);
    writeAllv(fd, run, (first - 1) * pageSize);
  }
}

export function walPath(dbPath: string): string {
  return `${dbPath}-wal`;
}

export function lockPath(dbPath: string): string {
  return `${dbPath}-lock`;
}

/** Opens a page file, creating it when missing or empty, and recovers its WAL. */
export function openPager(dbPath: string, opts: PagerOptions = {}): FilePager {
  const cachePages = opts.cachePages ?? DEFAULT_CACHE_PAGES;
  const checkpointPages = opts.checkpointPages ?? DEFAULT_CHECKPOINT_PAGES;
  const directPages = opts.directPages ?? DEFAULT_DIRECT_PAGES;
  if (!Number.isInteger(cachePages) || cachePages < 1) throw new SqlError('SQL_MISUSE', `cachePages must be a positive integer, got ${cachePages}`);
  if (!Number.isInteger(checkpointPages) || checkpointPages < 1) {
    throw new SqlError('SQL_MISUSE', `checkpointPages must be a positive integer, got ${checkpointPages}`);
  }
  if (!Number.isInteger(directPages) || directPages < 1) throw new SqlError('SQL_MISUSE', `directPages must be a positive integer, got ${directPages}`);
  const locked = opts.lock ?? true;
  if (locked) {
    try {
      acquireLock(lockPath(dbPath));
    } catch (e) {
      throw ioError(e, `opening ${dbPath}`);
    }
  }
  let fd = -1;
  let wal: WalFile | undefined;
  try {
    if (!existsSync(dbPath) || statSize(dbPath) === 0) createFile(dbPath, opts.pageSize ?? DEFAULT_PAGE_SIZE);
    fd = openSync(dbPath, constants.O_RDWR);
    const pageSize = readPageSize(fd);
    wal = WalFile.open(walPath(dbPath), pageSize, WAL_HEADER_SIZE + checkpointPages * (FRAME_HEADER_SIZE + pageSize));
    const pages = new FilePages(dbPath, fd, wal, pageSize, cachePages, checkpointPages, directPages, locked);
    const header = decodeHeader(pages.load(1));
    if (header.pageSize !== pageSize) throw malformed(`page size ${header.pageSize} in the newest page 1 differs from ${pageSize}`);
    if (wal.dbSize !== 0 && wal.dbSize !== header.pageCount) {
      throw malformed(`WAL commit size ${wal.dbSize} differs from the header page count ${header.pageCount}`);
    }
    // New pages a commit wrote in place before its WAL record, when it never got that far.
    if (pages.mainFileSize() > header.pageCount * pageSize) {
      ftruncateSync(fd, header.pageCount * pageSize);
      fsyncSync(fd);
    }
    return new FilePager(pages, header);
  } catch (e) {
    wal?.close();
    if (fd >= 0) closeSync(fd);
    if (locked) releaseLock(lockPath(dbPath));
    throw ioError(e, `opening ${dbPath}`);
  }
}

/** The file-backed PageStore, with a few extras for the integrity check and tests. */
export class FilePager extends Pager {
  constructor(
    readonly pages: FilePages,
    header: ReturnType<typeof decodeHeader>,
  ) {
    super(pages, header);
  }

  /** Clean pages held by the cache (at most `cachePages`). */
  get cachedPages(): number {
    return this.pages.cachedPages;
  }

  /** Frames in the WAL since the last checkpoint. */
  get walFrames(): number {
    return this.pages.wal.frames;
  }

  /**
   * Drops the files as a crash would: no checkpoint, the WAL and lock file stay. For tests that
   * reopen the same database in one process (open it with `lock: false`).
   */
  abandon(): void {
    this.pages.abandon();
    this.markClosed();
  }
}

export type { FilePages };

function statSize(p: string): number {
  const fd = openSync(p, constants.O_RDONLY);
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

function readPageSize(fd: number): number {
  const head = new Uint8Array(100);
  if (readSync(fd, head, 0, 100, 0) < 100) throw malformed('the file is shorter than the 100-byte header');
  decodeHeader(head); // magic and version
  const size = peekPageSize(head);
  if (!validPageSize(size)) throw malformed(`page size ${size} in the header is not a power of two in 512..65536`);
  return size;
}

/** Writes a one-page database beside the target and renames it into place, so creation is atomic. */
function createFile(dbPath: string, pageSize: number): void {
  if (!validPageSize(pageSize)) throw new SqlError('SQL_MISUSE', `page size ${pageSize} is not a power of two in 512..65536`);
  // A WAL without its database belongs to some earlier file of that name: never replay it here.
  if (existsSync(walPath(dbPath))) unlinkSync(walPath(dbPath));
  const page1 = new Uint8Array(pageSize);
  encodeHeader(newHeader(pageSize), page1);
  sealPage(page1, 1);
  const tmp = `${dbPath}.tmp`;
  const fd = openSync(tmp, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    writeAll(fd, page1, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, dbPath);
  syncDir(path.dirname(dbPath));
}
