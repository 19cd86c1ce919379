// The page write-ahead log `<db>-wal` (docs/ENGINE-FORMAT.md, "Write-ahead log"): a header, then
// frames of one page each; the last frame of a commit carries the database size. Checksums chain
// from the header through every frame, so a frame is valid only if everything before it is.
import { closeSync, constants, existsSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync, writevSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { dirname } from 'node:path';
import { crc32 } from './crc';
import { malformed, view } from './format';

export const WAL_HEADER_SIZE = 32;
export const FRAME_HEADER_SIZE = 24;
const WAL_MAGIC = 'VNTGWL01';
const WAL_VERSION = 1;
/** Commits are written in slices of about this many bytes, then fsynced once. */
const WRITE_SLICE = 1 << 22;

export class WalFile {
  /** pgno → file offset of that page's newest committed frame body. */
  readonly index = new Map<number, number>();
  /** Database size in pages after the last commit in the log, 0 when the log holds no commit. */
  dbSize = 0;
  /** Offset just past the last committed frame: where the next commit starts. */
  end = WAL_HEADER_SIZE;
  private seq = 0;
  private salt1 = 0;
  private salt2 = 0;
  private chain = 0;
  private readonly frameSize: number;

  private constructor(
    private readonly fd: number,
    readonly pageSize: number,
    private readonly sizeLimit: number,
  ) {
    this.frameSize = FRAME_HEADER_SIZE + pageSize;
  }

  /**
   * Opens (or creates) the log and recovers it: keeps every complete commit, drops any torn tail.
   * A reset keeps the file's blocks for reuse (appends into allocated space make the commit's
   * fdatasync cheap) unless the file has grown past `sizeLimit` bytes.
   */
  static open(path: string, pageSize: number, sizeLimit = 0): WalFile {
    const created = !existsSync(path);
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    const wal = new WalFile(fd, pageSize, sizeLimit);
    try {
      if (!wal.recover()) wal.reset(0, true);
      // The new file's name must be durable before any commit in it is acknowledged.
      if (created) syncDir(dirname(path));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return wal;
  }

  get frames(): number {
    return (this.end - WAL_HEADER_SIZE) / this.frameSize;
  }

  readPage(offset: number): Uint8Array {
    const page = new Uint8Array(this.pageSize);
    if (readSync(this.fd, page, 0, this.pageSize, offset) !== this.pageSize) throw malformed(`WAL frame at ${offset} is short`);
    return page;
  }

  /**
   * The index as runs of consecutive page numbers whose newest frames are also consecutive in the
   * file, in page order, at most `maxRun` pages each: a checkpoint copies each run with one read
   * and one write.
   */
  runs(maxRun = 256): WalRun[] {
    const entries = [...this.index].sort((a, b) => a[0] - b[0]);
    const runs: WalRun[] = [];
    let cur: WalRun | null = null;
    for (const [pgno, offset] of entries) {
      if (cur && cur.count < maxRun && pgno === cur.pgno + cur.count && offset === cur.offset + cur.count * this.frameSize) {
        cur.count++;
      } else {
        cur = { pgno, offset, count: 1 };
        runs.push(cur);
      }
    }
    return runs;
  }

  /** The pages of one run, read with one call. */
  readRun(run: WalRun): Uint8Array[] {
    if (run.count === 1) return [this.readPage(run.offset)];
    const span = run.count * this.frameSize - FRAME_HEADER_SIZE;
    const buf = new Uint8Array(span);
    if (readSync(this.fd, buf, 0, span, run.offset) !== span) throw malformed(`WAL frames at ${run.offset} are short`);
    return Array.from({ length: run.count }, (_, i) => buf.subarray(i * this.frameSize, i * this.frameSize + this.pageSize));
  }

  /** Appends one commit (pages already sealed, in the order given) and fsyncs once. */
  append(pages: [number, Uint8Array][], dbSize: number): void {
    const perSlice = Math.max(1, Math.floor(WRITE_SLICE / this.frameSize));
    let chain = this.chain;
    let pos = this.end;
    const offsets: number[] = [];
    for (let i = 0; i < pages.length; i += perSlice) {
      const count = Math.min(perSlice, pages.length - i);
      // Frame headers in one buffer, written between the pages themselves: no copy of the pages.
      const heads = new Uint8Array(count * FRAME_HEADER_SIZE);
      const v = view(heads);
      const parts: Uint8Array[] = [];
      for (let j = 0; j < count; j++) {
        const [pgno, page] = pages[i + j];
        const at = j * FRAME_HEADER_SIZE;
        const last = i + j === pages.length - 1;
        v.setUint32(at, pgno, true);
        v.setUint32(at + 4, last ? dbSize : 0, true);
        v.setUint32(at + 8, this.salt1, true);
        v.setUint32(at + 12, this.salt2, true);
        chain = crc32(page, crc32(heads.subarray(at, at + 20), chain));
        v.setUint32(at + 20, chain, true);
        parts.push(heads.subarray(at, at + FRAME_HEADER_SIZE), page);
        offsets.push(pos + j * this.frameSize + FRAME_HEADER_SIZE);
      }
      writeAllv(this.fd, parts, pos);
      pos += count * this.frameSize;
    }
    fdatasyncSync(this.fd);
    // Only now, with the commit durable, does it become visible.
    for (let i = 0; i < pages.length; i++) this.index.set(pages[i][0], offsets[i]);
    this.chain = chain;
    this.end = pos;
    this.dbSize = dbSize;
  }

  /**
   * Starts a new, empty log generation: new salts, so frames of the old one (left in place when the
   * file is kept for reuse) can never validate again.
   */
  reset(seq = this.seq + 1, truncate = false): void {
    this.seq = seq >>> 0;
    this.salt1 = randomInt(0x100000000);
    this.salt2 = randomInt(0x100000000);
    const hdr = new Uint8Array(WAL_HEADER_SIZE);
    const v = view(hdr);
    hdr.set(Buffer.from(WAL_MAGIC, 'ascii'), 0);
    v.setUint32(8, this.pageSize, true);
    v.setUint32(12, this.seq, true);
    v.setUint32(16, this.salt1, true);
    v.setUint32(20, this.salt2, true);
    v.setUint32(24, WAL_VERSION, true);
    this.chain = crc32(hdr.subarray(0, 28));
    v.setUint32(28, this.chain, true);
    writeAll(this.fd, hdr, 0);
    if (truncate || fstatSync(this.fd).size > this.sizeLimit) ftruncateSync(this.fd, WAL_HEADER_SIZE);
    fsyncSync(this.fd);
    this.index.clear();
    this.end = WAL_HEADER_SIZE;
    this.dbSize = 0;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** False when the header is missing or invalid (the log then holds nothing usable). */
  private recover(): boolean {
    const size = fstatSync(this.fd).size;
    if (size < WAL_HEADER_SIZE) return false;
    const hdr = new Uint8Array(WAL_HEADER_SIZE);
    readSync(this.fd, hdr, 0, WAL_HEADER_SIZE, 0);
    const v = view(hdr);
    if (Buffer.from(hdr.subarray(0, 8)).toString('latin1') !== WAL_MAGIC) return false;
    if (v.getUint32(28, true) !== crc32(hdr.subarray(0, 28))) return false;
    if (v.getUint32(8, true) !== this.pageSize || v.getUint32(24, true) !== WAL_VERSION) return false;
    this.seq = v.getUint32(12, true);
    this.salt1 = v.getUint32(16, true);
    this.salt2 = v.getUint32(20, true);
    let chain = v.getUint32(28, true);
    this.chain = chain;
    const frame = new Uint8Array(this.frameSize);
    const fv = view(frame);
    const pending: [number, number][] = [];
    for (let pos = WAL_HEADER_SIZE; pos + this.frameSize <= size; pos += this.frameSize) {
      readSync(this.fd, frame, 0, this.frameSize, pos);
      if (fv.getUint32(8, true) !== this.salt1 || fv.getUint32(12, true) !== this.salt2) break;
      chain = crc32(frame.subarray(FRAME_HEADER_SIZE), crc32(frame.subarray(0, 20), chain));
      if (fv.getUint32(20, true) !== chain) break;
      pending.push([fv.getUint32(0, true), pos + FRAME_HEADER_SIZE]);
      const commitSize = fv.getUint32(4, true);
      if (commitSize !== 0) {
        for (const [pgno, offset] of pending) this.index.set(pgno, offset);
        pending.length = 0;
        this.dbSize = commitSize;
        this.chain = chain;
        this.end = pos + this.frameSize;
      }
    }
    // Frames after the last commit were never acknowledged: cut them off so new commits chain cleanly.
    if (size !== this.end) {
      ftruncateSync(this.fd, this.end);
      fsyncSync(this.fd);
    }
    return true;
  }
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Pages `pgno .. pgno+count-1` whose frame bodies start at `offset`, one frame apart. */
export interface WalRun {
  pgno: number;
  offset: number;
  count: number;
}

/**
 * Fault injection for crash tests: when `remaining` counts down to 0, that write stops after
 * `tear` of its bytes and throws, as if the process had died there (the bytes already written stay,
 * exactly as after kill -9). -1 disables it.
 */
export const writeFaults = { remaining: -1, tear: 0.5 };

export function writeAll(fd: number, buf: Uint8Array, pos: number): void {
  if (writeFaults.remaining >= 0 && writeFaults.remaining-- === 0) {
    const cut = Math.floor(buf.length * writeFaults.tear);
    let done = 0;
    while (done < cut) done += writeSync(fd, buf, done, cut - done, pos + done);
    throw new Error('injected crash');
  }
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, pos + done);
}

/** Buffers handed to one writev() call (Linux's IOV_MAX). */
const IOV_MAX = 1024;

/** Writes `bufs` back to back from `pos` with writev(), as writeAll() would write their concatenation. */
export function writeAllv(fd: number, bufs: Uint8Array[], pos: number): void {
  if (writeFaults.remaining >= 0) {
    // Under fault injection the torn point must fall anywhere in the whole span: one buffer, one write.
    writeAll(fd, Buffer.concat(bufs), pos);
    return;
  }
  for (let i = 0; i < bufs.length; ) {
    const batch = bufs.slice(i, i + IOV_MAX);
    let done = writevSync(fd, batch, pos);
    // A short write (rare: a signal, a full disk) is finished buffer by buffer.
    for (const b of batch) {
      if (done >= b.length) done -= b.length;
      else {
        writeAll(fd, b.subarray(done), pos + done);
        done = 0;
      }
      pos += b.length;
    }
    i += batch.length;
  }
}
