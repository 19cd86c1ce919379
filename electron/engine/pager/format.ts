// Byte layout of the page file shared by the main file, the WAL and the integrity check
// (docs/ENGINE-FORMAT.md, "Main database file"). All integers are little-endian u32.
import { crc32 } from './crc';
import { SqlError } from '../errors';
import { PAGE_TRAILER } from './types';

export const DEFAULT_PAGE_SIZE = 4096;
export const MIN_PAGE_SIZE = 512;
export const MAX_PAGE_SIZE = 65536;
export const FORMAT_VERSION = 1;
export const META_SLOTS = 16;
export const HEADER_SIZE = 100;
const MAGIC = 'VNTGPG01';

/** The database header at the start of page 1: everything the pager needs to find its pages. */
export interface DbHeader {
  pageSize: number;
  pageCount: number;
  /** First free-list trunk page, 0 when the free list is empty. */
  freeHead: number;
  /** Free pages in all, trunks included. */
  freeCount: number;
  /** Incremented by every commit. */
  changeCounter: number;
  meta: number[];
}

export function newHeader(pageSize: number): DbHeader {
  return { pageSize, pageCount: 1, freeHead: 0, freeCount: 0, changeCounter: 0, meta: new Array<number>(META_SLOTS).fill(0) };
}

export function cloneHeader(h: DbHeader): DbHeader {
  return { ...h, meta: h.meta.slice() };
}

export function encodeHeader(h: DbHeader, page: Uint8Array): void {
  const v = view(page);
  page.set(Buffer.from(MAGIC, 'ascii'), 0);
  v.setUint32(8, h.pageSize, true);
  v.setUint32(12, FORMAT_VERSION, true);
  v.setUint32(16, h.pageCount, true);
  v.setUint32(20, h.freeHead, true);
  v.setUint32(24, h.freeCount, true);
  v.setUint32(28, h.changeCounter, true);
  for (let i = 0; i < META_SLOTS; i++) v.setUint32(32 + i * 4, h.meta[i] >>> 0, true);
  v.setUint32(96, 0, true);
}

export function decodeHeader(page: Uint8Array): DbHeader {
  if (Buffer.from(page.buffer, page.byteOffset, 8).toString('latin1') !== MAGIC) {
    throw malformed('page 1 does not start with the VNTGPG01 header (not a Vantage page file)');
  }
  const v = view(page);
  const version = v.getUint32(12, true);
  if (version !== FORMAT_VERSION) throw new SqlError('SQL_ERROR', `unsupported database format version ${version}`);
  const meta: number[] = [];
  for (let i = 0; i < META_SLOTS; i++) meta.push(v.getUint32(32 + i * 4, true));
  return {
    pageSize: v.getUint32(8, true),
    pageCount: v.getUint32(16, true),
    freeHead: v.getUint32(20, true),
    freeCount: v.getUint32(24, true),
    changeCounter: v.getUint32(28, true),
    meta,
  };
}

/** Reads the page size from a header without validating the rest (to size the first read). */
export function peekPageSize(bytes: Uint8Array): number {
  return view(bytes).getUint32(8, true);
}

export function validPageSize(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_PAGE_SIZE && n <= MAX_PAGE_SIZE && (n & (n - 1)) === 0;
}

/**
 * Stamps the trailer: u32 page number, then CRC-32 of every byte before the CRC (page number
 * included, so a page written at the wrong offset fails its check).
 */
export function sealPage(page: Uint8Array, pgno: number): void {
  const at = page.length - PAGE_TRAILER;
  const v = view(page);
  v.setUint32(at, pgno, true);
  v.setUint32(at + 4, crc32(page.subarray(0, at + 4)), true);
}

/** Null when the page is sound, else why not. */
export function checkPage(page: Uint8Array, pgno: number): string | null {
  const at = page.length - PAGE_TRAILER;
  const v = view(page);
  if (v.getUint32(at + 4, true) !== crc32(page.subarray(0, at + 4))) return `page ${pgno} checksum mismatch`;
  const stored = v.getUint32(at, true);
  if (stored !== pgno) return `page ${pgno} holds page ${stored} (misdirected write)`;
  return null;
}

export function verifyPage(page: Uint8Array, pgno: number): void {
  const problem = checkPage(page, pgno);
  if (problem) throw malformed(problem);
}

export function malformed(detail: string): SqlError {
  return new SqlError('SQL_ERROR', `database disk image is malformed: ${detail}`);
}

/** File-system errors become SQL_ERROR with the failed step named; SqlErrors pass through. */
export function ioError(e: unknown, what: string): SqlError {
  if (e instanceof SqlError) return e;
  const err = e as NodeJS.ErrnoException;
  return new SqlError('SQL_ERROR', `disk I/O error ${what}: ${err?.message ?? String(e)}`);
}

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

// Free-list trunk page: u32 next trunk, u32 leaf count n, then n u32 leaf page numbers.
export const TRUNK_NEXT = 0;
export const TRUNK_COUNT = 4;
export const TRUNK_LEAVES = 8;
export function trunkCapacity(usableSize: number): number {
  return Math.floor((usableSize - TRUNK_LEAVES) / 4);
}
