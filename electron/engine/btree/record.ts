import { Real, type Value } from '../record/values';

/**
 * The record format stored in B+tree cells: a u16 value count, then per value a one-byte type tag
 * and its body. Small integers take 0–4 bytes, INTEGER and REAL stay distinct (tags 4 and 5 carry
 * the same 8-byte double), so `typeof()` survives a round trip. See docs/ENGINE-FORMAT.md.
 */
export const T_NULL = 0;
export const T_I8 = 1;
export const T_I16 = 2;
export const T_I32 = 3;
export const T_INT = 4;
export const T_REAL = 5;
export const T_ZERO = 6;
export const T_ONE = 7;
export const T_TEXT8 = 8;
export const T_TEXT32 = 9;
export const T_BLOB8 = 10;
export const T_BLOB32 = 11;

/** A growable scratch buffer records are encoded into before being copied into a page. */
/** Buffer's own encoder: skips write()'s argument parsing on the hottest path. */
type Utf8Writing = Buffer & { utf8Write(s: string, offset: number): number };

export class RecordWriter {
  buf = Buffer.allocUnsafe(1 << 12) as Utf8Writing;
  len = 0;
  /** Over `buf`: writes a double in one store (Buffer's write methods check their arguments first). */
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size) as Utf8Writing;
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Encodes `n` values of `vals` and returns the record's length (bytes in `buf[0, len)`). */
  record(vals: Value[], n: number): number {
    this.len = 0;
    this.ensure(2);
    this.buf[0] = n & 0xff;
    this.buf[1] = n >>> 8;
    this.len = 2;
    for (let i = 0; i < n; i++) this.value(vals[i]);
    return this.len;
  }

  private value(v: Value): void {
    if (v === null) {
      this.ensure(1);
      this.buf[this.len++] = T_NULL;
    } else if (typeof v === 'number') {
      this.ensure(9);
      const buf = this.buf;
      if (Number.isInteger(v)) {
        if (v === 0) buf[this.len++] = T_ZERO;
        else if (v === 1) buf[this.len++] = T_ONE;
        else if (v >= -128 && v < 128) {
          buf[this.len] = T_I8;
          buf[this.len + 1] = v & 0xff;
          this.len += 2;
        } else if (v >= -32768 && v < 32768) {
          buf[this.len] = T_I16;
          buf[this.len + 1] = v & 0xff;
          buf[this.len + 2] = (v >> 8) & 0xff;
          this.len += 3;
        } else if (v >= -2147483648 && v < 2147483648) {
          buf[this.len] = T_I32;
          buf[this.len + 1] = v & 0xff;
          buf[this.len + 2] = (v >> 8) & 0xff;
          buf[this.len + 3] = (v >> 16) & 0xff;
          buf[this.len + 4] = (v >> 24) & 0xff;
          this.len += 5;
        } else {
          buf[this.len] = T_INT;
          this.view.setFloat64(this.len + 1, v, true);
          this.len += 9;
        }
      } else {
        buf[this.len] = T_REAL;
        this.view.setFloat64(this.len + 1, v, true);
        this.len += 9;
      }
    } else if (v instanceof Real) {
      this.ensure(9);
      this.buf[this.len] = T_REAL;
      this.view.setFloat64(this.len + 1, v.v, true);
      this.len += 9;
    } else if (typeof v === 'string') {
      // Worst case 3 bytes per UTF-16 unit; encode in place, then pick the length width.
      this.ensure(5 + v.length * 3);
      const buf = this.buf;
      if (v.length <= 85) {
        // At most 255 bytes: the one-byte length form, written straight into place. Short ASCII
        // (names, codes, tags) is copied in JS, at half the cost of a call into the encoder.
        const at = this.len + 2;
        let i = 0;
        if (v.length <= 32) {
          for (; i < v.length; i++) {
            const c = v.charCodeAt(i);
            if (c >= 0x80) break;
            buf[at + i] = c;
          }
        }
        const n = i === v.length ? i : buf.utf8Write(v, at);
        buf[this.len] = T_TEXT8;
        buf[this.len + 1] = n;
        this.len += 2 + n;
        return;
      }
      const n = buf.write(v, this.len + 5, 'utf8');
      if (n < 256) {
        buf[this.len] = T_TEXT8;
        buf[this.len + 1] = n;
        buf.copy(buf, this.len + 2, this.len + 5, this.len + 5 + n);
        this.len += 2 + n;
      } else {
        buf[this.len] = T_TEXT32;
        buf.writeUInt32LE(n, this.len + 1);
        this.len += 5 + n;
      }
    } else {
      this.ensure(5 + v.length);
      const buf = this.buf;
      if (v.length < 256) {
        buf[this.len] = T_BLOB8;
        buf[this.len + 1] = v.length;
        buf.set(v, this.len + 2);
        this.len += 2 + v.length;
      } else {
        buf[this.len] = T_BLOB32;
        buf.writeUInt32LE(v.length, this.len + 1);
        buf.set(v, this.len + 5);
        this.len += 5 + v.length;
      }
    }
  }
}

/** Buffer's own slice decoder: skips toString's argument checks on the hottest path. */
type Utf8Slicing = Buffer & { utf8Slice(start: number, end: number): string };

/**
 * UTF-8 bytes to a string. One path for every length: a path per short length made optimised code
 * bail out the first time a statement read a text of a length not seen yet.
 */
function text(buf: Buffer, pos: number, len: number): string {
  return len === 0 ? '' : (buf as Utf8Slicing).utf8Slice(pos, pos + len);
}

/**
 * Body bytes of an I8, I16 or I32 value: what FIXED[tag] holds, computed instead of loaded, as every
 * record decoder steps over integers with it (reading FIXED here made point selects slower in five
 * alternating runs: 430 -> 467 ms steady).
 */
const intSize = (tag: number): number => (tag === T_I32 ? 4 : tag);

/**
 * The integer of an I8, I16 or I32 value at `buf[pos]`, little-endian, two's complement. One set of
 * loads for the three sizes: optimised code that has decoded one of them does not bail out at the
 * first value of another.
 */
function smallInt(buf: Buffer, pos: number, tag: number): number {
  const size = intSize(tag);
  let x = (buf[pos + size - 1] << 24) >> 24;
  for (let b = size - 2; b >= 0; b--) x = (x << 8) | buf[pos + b];
  return x;
}

/** Eight bytes to a double without Buffer.readDoubleLE's bounds checks (the byte order of a Float64Array is the host's). */
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function readF64(buf: Buffer, pos: number): number {
  if (!LE) return buf.readDoubleLE(pos);
  f64b[0] = buf[pos];
  f64b[1] = buf[pos + 1];
  f64b[2] = buf[pos + 2];
  f64b[3] = buf[pos + 3];
  f64b[4] = buf[pos + 4];
  f64b[5] = buf[pos + 5];
  f64b[6] = buf[pos + 6];
  f64b[7] = buf[pos + 7];
  return f64[0];
}

const views = new WeakMap<Buffer, DataView>();

/**
 * A DataView over the bytes of `buf` (its offset 0 is `buf[0]`), made once per buffer. Optimised
 * code reads a double through it in one load instead of eight byte copies; worth it for a scan,
 * which looks the view up once per page, not for a lone record.
 */
export function viewOf(buf: Buffer): DataView {
  let v = views.get(buf);
  if (v === undefined) views.set(buf, (v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)));
  return v;
}

/**
 * Decodes only some values of a record at `buf[pos]` into `out` (value `i` goes to `out[want[i]]`
 * when `want[i] >= 0`); the others are skipped without being materialised. `want` may be shorter
 * than the record (later values are not read) or longer (missing values read as NULL). `view` is
 * `viewOf(buf)`, passed in so that a scan looks it up once per page.
 */
export function decodeSome(buf: Buffer, pos: number, want: Int32Array, out: Value[], view: DataView = viewOf(buf)): void {
  const n = buf[pos] | (buf[pos + 1] << 8);
  pos += 2;
  const last = n < want.length ? n : want.length;
  for (let i = 0; i < last; i++) {
    const tag = buf[pos++];
    const to = want[i];
    switch (tag) {
      case T_NULL:
        if (to >= 0) out[to] = null;
        break;
      case T_ZERO:
        if (to >= 0) out[to] = 0;
        break;
      case T_ONE:
        if (to >= 0) out[to] = 1;
        break;
      case T_I8:
      case T_I16:
      case T_I32:
        if (to >= 0) out[to] = smallInt(buf, pos, tag);
        pos += intSize(tag);
        break;
      case T_INT:
        if (to >= 0) out[to] = view.getFloat64(pos, true);
        pos += 8;
        break;
      case T_REAL:
        if (to >= 0) {
          const x = view.getFloat64(pos, true);
          out[to] = Number.isInteger(x) ? new Real(x) : x;
        }
        pos += 8;
        break;
      case T_TEXT8: {
        const len = buf[pos++];
        if (to >= 0) out[to] = text(buf, pos, len);
        pos += len;
        break;
      }
      case T_TEXT32: {
        const len = buf.readUInt32LE(pos);
        pos += 4;
        if (to >= 0) out[to] = text(buf, pos, len);
        pos += len;
        break;
      }
      case T_BLOB8: {
        const len = buf[pos++];
        if (to >= 0) out[to] = new Uint8Array(buf.subarray(pos, pos + len));
        pos += len;
        break;
      }
      case T_BLOB32: {
        const len = buf.readUInt32LE(pos);
        pos += 4;
        if (to >= 0) out[to] = new Uint8Array(buf.subarray(pos, pos + len));
        pos += len;
        break;
      }
      default:
        throw new Error(`corrupt record: unknown type tag ${tag}`);
    }
  }
  for (let i = last; i < want.length; i++) if (want[i] >= 0) out[want[i]] = null;
}

/** Body bytes of each fixed-size tag; the others (TEXT, BLOB) give their length first. */
const FIXED = [0, 1, 2, 4, 8, 8, 0, 0];

/** Where the value after the next `count` values starts, for a record's values from `buf[pos]`. */
function skipValues(buf: Buffer, pos: number, count: number): number {
  for (let i = 0; i < count; i++) {
    const tag = buf[pos++];
    if (tag < T_TEXT8) pos += FIXED[tag];
    else if (tag === T_TEXT8 || tag === T_BLOB8) pos += 1 + buf[pos];
    else if (tag === T_TEXT32 || tag === T_BLOB32) pos += 4 + buf.readUInt32LE(pos);
    else throw new Error(`corrupt record: unknown type tag ${tag}`);
  }
  return pos;
}

/** What slot `k` of a ColumnBuf holds: its kind says where its value is. */
export const COL_NULL = 0;
/** An INTEGER, in `nums`. */
export const COL_INT = 1;
/** A REAL, in `nums`. */
export const COL_REAL = 2;
/** A TEXT or BLOB, decoded into `vals`. */
export const COL_OTHER = 3;

/**
 * One column of a run of records, numbers unboxed: what an aggregate over a plain column steps on
 * (see readColumn). Grows to the longest run it is given; one per scan.
 */
export class ColumnBuf {
  nums = new Float64Array(256);
  kinds = new Uint8Array(256);
  readonly vals: Value[] = [];

  /** Makes room for `n` slots (what they held is lost). */
  reserve(n: number): void {
    if (n <= this.nums.length) return;
    const size = Math.max(n, this.nums.length * 2);
    this.nums = new Float64Array(size);
    this.kinds = new Uint8Array(size);
  }
}

/**
 * Reads value `col` of records from <= i < to into slots `base + i - from` of `out`. Record `i` is at
 * `buf[offs[i]]` (a negative offset is left to the caller), or with `offs` null, `skip` bytes after
 * the u16 pointer `view.getUint16(ptrs + 2 * i)`: how a page's cells point at their records.
 * Numbers are not boxed and the values before `col` are skipped, not decoded: a scan that only
 * aggregates one column reads nothing else. A record with fewer values reads as NULL there, as in
 * decodeSome.
 *
 * A run of records rather than one, pointers read in the loop: a scan's first run goes through this
 * loop in V8's baseline code before TurboFan has compiled it, and there a call per record (and one
 * per skipped value), or a first pass for the offsets, was ~15 % of the range scan's first run.
 */
export function readColumn(
  buf: Buffer,
  view: DataView,
  offs: ArrayLike<number> | null,
  ptrs: number,
  skip: number,
  from: number,
  to: number,
  col: number,
  out: ColumnBuf,
  base = 0,
): void {
  const nums = out.nums;
  const kinds = out.kinds;
  for (let i = from, k = base; i < to; i++, k++) {
    let pos = offs !== null ? offs[i] : view.getUint16(ptrs + 2 * i, true) + skip;
    if (pos < 0) continue;
    if (col >= (buf[pos] | (buf[pos + 1] << 8))) {
      kinds[k] = COL_NULL;
      continue;
    }
    pos += 2;
    for (let c = 0; c < col; c++) {
      const tag = buf[pos];
      if (tag < T_TEXT8) pos += 1 + FIXED[tag];
      else if (tag === T_TEXT8 || tag === T_BLOB8) pos += 2 + buf[pos + 1];
      else pos = skipValues(buf, pos, 1); // 32-bit lengths, or corrupt
    }
    const tag = buf[pos];
    if (tag === T_REAL) {
      nums[k] = view.getFloat64(pos + 1, true);
      kinds[k] = COL_REAL;
    } else if (tag >= T_I8 && tag <= T_I32) {
      nums[k] = smallInt(buf, pos + 1, tag);
      kinds[k] = COL_INT;
    } else readOther(buf, pos + 1, tag, view, out, k);
  }
}

/** readColumn() of the values other than REAL and small integers. */
function readOther(buf: Buffer, pos: number, tag: number, view: DataView, out: ColumnBuf, k: number): void {
  const nums = out.nums;
  const kinds = out.kinds;
  switch (tag) {
    case T_NULL:
      kinds[k] = COL_NULL;
      return;
    case T_ZERO:
      nums[k] = 0;
      break;
    case T_ONE:
      nums[k] = 1;
      break;
    case T_INT:
      nums[k] = view.getFloat64(pos, true);
      break;
    case T_TEXT8:
      out.vals[k] = text(buf, pos + 1, buf[pos]);
      kinds[k] = COL_OTHER;
      return;
    case T_TEXT32:
      out.vals[k] = text(buf, pos + 4, view.getUint32(pos, true));
      kinds[k] = COL_OTHER;
      return;
    case T_BLOB8:
      out.vals[k] = new Uint8Array(buf.subarray(pos + 1, pos + 1 + buf[pos]));
      kinds[k] = COL_OTHER;
      return;
    case T_BLOB32: {
      const len = view.getUint32(pos, true);
      out.vals[k] = new Uint8Array(buf.subarray(pos + 4, pos + 4 + len));
      kinds[k] = COL_OTHER;
      return;
    }
    default:
      throw new Error(`corrupt record: unknown type tag ${tag}`);
  }
  kinds[k] = COL_INT;
}

/** A scan's `column = 'text'` conjunct, checked on the record bytes (see textDiffers). */
export interface TextProbe {
  col: number;
  bytes: Uint8Array;
  /**
   * The literal as a record stores it (tag, length, bytes), when no row whose value there is not
   * text can equal it: rows without these bytes can then be skipped unread (NodeStore.rowsSome).
   */
  needle: Buffer | null;
}

/** The bytes a record holds for the text whose UTF-8 is `bytes` (see RecordWriter). */
export function textNeedle(bytes: Uint8Array): Buffer {
  if (bytes.length < 256) return Buffer.concat([Buffer.of(T_TEXT8, bytes.length), bytes]);
  const head = Buffer.of(T_TEXT32, 0, 0, 0, 0);
  head.writeUInt32LE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

/**
 * True when column `col` of the record at `buf[pos]` is stored as text whose UTF-8 bytes differ
 * from `lit`. Such a row cannot equal the text literal: every collation is BINARY, and no affinity
 * makes a stored text equal a different text or a number. Scans use it to drop rows before
 * decoding them; any other stored value answers false and is left to the full comparison.
 */
export function textDiffers(buf: Buffer, pos: number, col: number, lit: Uint8Array): boolean {
  const n = buf[pos] | (buf[pos + 1] << 8);
  if (col >= n) return false;
  pos = skipValues(buf, pos + 2, col);
  const tag = buf[pos++];
  let len: number;
  if (tag === T_TEXT8) len = buf[pos++];
  else if (tag === T_TEXT32) {
    len = buf.readUInt32LE(pos);
    pos += 4;
  } else return false;
  if (len !== lit.length) return true;
  for (let i = 0; i < len; i++) if (buf[pos + i] !== lit[i]) return true;
  return false;
}

/**
 * Decodes a record at `buf[pos]`. `extra` slots are appended (the table row keeps its rowid after
 * the columns); the result has length count + extra.
 */
export function decodeRecord(buf: Buffer, pos: number, extra: number): Value[] {
  const n = buf[pos] | (buf[pos + 1] << 8);
  pos += 2;
  const out = new Array<Value>(n + extra);
  for (let i = 0; i < n; i++) {
    const tag = buf[pos++];
    switch (tag) {
      case T_NULL:
        out[i] = null;
        break;
      case T_ZERO:
        out[i] = 0;
        break;
      case T_ONE:
        out[i] = 1;
        break;
      case T_I8:
      case T_I16:
      case T_I32:
        out[i] = smallInt(buf, pos, tag);
        pos += intSize(tag);
        break;
      case T_INT:
        out[i] = readF64(buf, pos);
        pos += 8;
        break;
      case T_REAL: {
        const x = readF64(buf, pos);
        pos += 8;
        out[i] = Number.isInteger(x) ? new Real(x) : x;
        break;
      }
      case T_TEXT8: {
        const len = buf[pos++];
        out[i] = text(buf, pos, len);
        pos += len;
        break;
      }
      case T_TEXT32: {
        const len = buf.readUInt32LE(pos);
        pos += 4;
        out[i] = text(buf, pos, len);
        pos += len;
        break;
      }
      case T_BLOB8: {
        const len = buf[pos++];
        out[i] = new Uint8Array(buf.subarray(pos, pos + len));
        pos += len;
        break;
      }
      case T_BLOB32: {
        const len = buf.readUInt32LE(pos);
        pos += 4;
        out[i] = new Uint8Array(buf.subarray(pos, pos + len));
        pos += len;
        break;
      }
      default:
        throw new Error(`corrupt record: unknown type tag ${tag}`);
    }
  }
  return out;
}

/**
 * A search key prepared for comparing with stored records where they lie (compareRecord): each
 * value's type rank (NULL 0, number 1, text 2, blob 3), its number, and its bytes: an ASCII text
 * as the string itself (its code units are its UTF-8 bytes), other texts as UTF-8, blobs as they are.
 */
export interface Probe {
  rank: number[];
  nums: number[];
  ascii: (string | null)[];
  bytes: (Uint8Array | null)[];
}

/**
 * probe() of `key`, or null when a text in it holds UTF-16 surrogates: only then can UTF-8 byte
 * order and compareText's order of the decoded strings disagree (a lone surrogate is stored as
 * U+FFFD), and a search must not mix the two.
 */
export function probeOf(key: Value[], plain: boolean): Probe | null {
  if (!plain) return null;
  const rank: number[] = [];
  const nums: number[] = [];
  const ascii: (string | null)[] = [];
  const bytes: (Uint8Array | null)[] = [];
  for (let i = 0; i < key.length; i++) {
    const v = key[i];
    bytes[i] = null;
    ascii[i] = null;
    nums[i] = 0;
    if (v === null) rank[i] = 0;
    else if (typeof v === 'number') {
      rank[i] = 1;
      nums[i] = v;
    } else if (v instanceof Real) {
      rank[i] = 1;
      nums[i] = v.v;
    } else if (typeof v === 'string') {
      rank[i] = 2;
      if (isAscii(v)) ascii[i] = v;
      else bytes[i] = Buffer.from(v, 'utf8');
    } else {
      rank[i] = 3;
      bytes[i] = v;
    }
  }
  return { rank, nums, ascii, bytes };
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** compareBytes() with an ASCII string's code units as the bytes. */
function compareAscii(buf: Buffer, pos: number, len: number, s: string): number {
  const n = len < s.length ? len : s.length;
  for (let i = 0; i < n; i++) {
    const x = buf[pos + i];
    const y = s.charCodeAt(i);
    if (x !== y) return x < y ? -1 : 1;
  }
  return len < s.length ? -1 : len > s.length ? 1 : 0;
}

/** Sign of the byte-wise comparison of `buf[pos, pos + len)` with `b` (shorter first on a tie). */
function compareBytes(buf: Buffer, pos: number, len: number, b: Uint8Array): number {
  const n = len < b.length ? len : b.length;
  for (let i = 0; i < n; i++) {
    const x = buf[pos + i];
    const y = b[i];
    if (x !== y) return x < y ? -1 : 1;
  }
  return len < b.length ? -1 : len > b.length ? 1 : 0;
}

/**
 * compareKeys() of the record at `buf[pos]` with a probe of `len` values, read from the record
 * bytes without decoding them (the sign is what counts). With `full`, equal leading values order
 * the shorter key first, as fullCompare does. Texts compare as their UTF-8 bytes: code point
 * order, which is compareText's.
 */
export function compareRecord(buf: Buffer, pos: number, probe: Probe, full: boolean, view: DataView): number {
  const n = buf[pos] | (buf[pos + 1] << 8);
  const len = probe.rank.length;
  pos += 2;
  const m = n < len ? n : len;
  for (let i = 0; i < m; i++) {
    const tag = buf[pos++];
    const rank = probe.rank[i];
    let x: number;
    switch (tag) {
      case T_NULL:
        if (rank !== 0) return -1;
        continue;
      case T_ZERO:
        x = 0;
        break;
      case T_ONE:
        x = 1;
        break;
      case T_I8:
      case T_I16:
      case T_I32:
        x = smallInt(buf, pos, tag);
        pos += intSize(tag);
        break;
      case T_INT:
      case T_REAL:
        x = view.getFloat64(pos, true);
        pos += 8;
        break;
      case T_TEXT8:
      case T_TEXT32:
      case T_BLOB8:
      case T_BLOB32: {
        let size: number;
        if (tag === T_TEXT8 || tag === T_BLOB8) size = buf[pos++];
        else {
          size = view.getUint32(pos, true);
          pos += 4;
        }
        const r = tag <= T_TEXT32 ? 2 : 3;
        if (rank !== r) return r - rank;
        const a = probe.ascii[i];
        const c = a !== null ? compareAscii(buf, pos, size, a) : compareBytes(buf, pos, size, probe.bytes[i]!);
        if (c !== 0) return c;
        pos += size;
        continue;
      }
      default:
        throw new Error(`corrupt record: unknown type tag ${tag}`);
    }
    if (rank !== 1) return 1 - rank;
    const y = probe.nums[i];
    if (x !== y) return x < y ? -1 : 1;
  }
  return full ? n - len : 0;
}
