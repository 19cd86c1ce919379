import { SqlError } from '../errors';
import type { PageStore } from '../pager/types';
import { anyArray, type Value } from '../record/values';
import { type ColumnBuf, compareRecord, decodeRecord, decodeSome, type Probe, readColumn, RecordWriter, textDiffers, viewOf, type TextProbe } from './record';

/** Page types (first byte of a B+tree page). */
export const TABLE_LEAF = 1;
export const TABLE_INTERIOR = 2;
export const INDEX_LEAF = 3;
export const INDEX_INTERIOR = 4;
export const OVERFLOW = 5;

/** Page header: type u8, reserved u8, cell count u16, right pointer u32, entry count f64 (root only). */
export const HDR = 16;
/** Overflow page header: type u8, next page u32, bytes on this page u32. */
const OVF_HDR = 9;

/**
 * The arrays one scan decodes into, reused from leaf to leaf: for a reader that keeps no row past
 * its chunk, a scan then allocates per leaf size rather than per row.
 */
export class RowPool {
  // anyArray: each run of a statement has new pools, which must look like the last run's to the
  // code optimised on them.
  readonly rows: Value[][] = anyArray(0);
  readonly out: Value[][] = anyArray(0);
}

/**
 * A B+tree page in memory. Cells keep their record bytes (not decoded values) in `data`: the page
 * itself while the node is unchanged, a private buffer once it changes (records are appended
 * there). Interior pages hold `children.length === keys.length + 1` where `keys[i]` is the largest
 * key under `children[i]` (an inclusive upper bound).
 *
 * A leaf read from its page has no cell arrays (`keys`, `offs`, `sizes`, `ovfl` and `rows` are
 * null): searches and scans read its cells where they lie in the page, so a lookup that touches a
 * page once allocates next to nothing. The arrays are built when the leaf is about to change
 * (NodeStore.cells) and dropped again when a finished leaf of a bulk append is written back.
 * Interior nodes always have them (they are few and every descent searches them).
 */
export interface Node {
  pgno: number;
  type: number;
  /** Table pages: rowids. Index pages: decoded keys, `undefined` until first read. */
  keys: (number | Value[] | undefined)[] | null;
  /** Table leaves: decoded rows (column values then the rowid), `undefined` until first read. */
  rows: (Value[] | undefined)[] | null;
  children: number[] | null;
  /** Where the record bytes live, and each cell's record offset in it (-1: only in its overflow chain). */
  data: Buffer;
  offs: number[] | null;
  /** Over `data` while it is the page: a leaf without cell arrays is read through it. */
  view: DataView | null;
  /** `data` is this node's own buffer (appendable), not a page that others may share. */
  owned: boolean;
  /** Owned buffers: first free byte. */
  end: number;
  /** Encoded record length of each cell's payload (0 for table interior cells). */
  sizes: number[] | null;
  /** First overflow page of each cell's payload, 0 when local or not yet written. */
  ovfl: number[] | null;
  /** Leaves: the right sibling (0 at the end). */
  next: number;
  /** Root pages: the number of entries in the tree. */
  count: number;
  /** Bytes the page needs: header plus every cell with its pointer (valid while the cell arrays exist). */
  bytes: number;
  dirty: boolean;
  ref: boolean;
  /**
   * Table leaves read from their page: whether its cells lie packed in reverse key order (cell i
   * ends where cell i - 1 starts, cell 0 at the end of the page) with every record in the page, as
   * writeNode lays them out. Only then can a scan find rows by searching the page's bytes (see
   * matchingCells). Computed once per page (LAYOUT_UNKNOWN until then).
   */
  layout: number;
  /**
   * Table leaves without cell arrays (read from their page, or written back with them dropped)
   * whose rowids run first, first + 1, … without a gap (the usual leaf of a table filled in rowid
   * order): the first rowid. -1 otherwise, and always once the leaf has cell arrays. Cell i then
   * holds rowid `dense + i`, so a lookup finds its cell without reading the page's first and last
   * cells, each a likely cache miss. Small integers only, so the field never holds a boxed double.
   */
  dense: number;
  /** With `dense`: the number of cells. */
  denseCount: number;
}

export const LAYOUT_UNKNOWN = 0;
/** Packed in reverse key order, no record in an overflow chain. */
export const LAYOUT_PACKED = 1;
/** Anything else: scans read every cell. */
export const LAYOUT_OTHER = 2;

/** A node with its cell arrays (every interior node; a leaf once NodeStore.cells built them). */
export type OpenNode = Node & {
  keys: (number | Value[] | undefined)[];
  offs: number[];
  sizes: number[];
  ovfl: number[];
};

/** Cells in a node. */
export function cellCount(n: Node): number {
  return n.offs !== null ? n.offs.length : n.view!.getUint16(2, true);
}

/** Rowid of cell `i` of a table leaf. */
export function rowidAt(n: Node, i: number): number {
  if (n.keys !== null) return n.keys[i] as number;
  const v = n.view!;
  return v.getFloat64(v.getUint16(HDR + 2 * i, true), true);
}

/**
 * The cell among [lo, hi] of a leaf page `v` that holds byte `pos`, given that one of them does:
 * pointers fall as i rises, so it is the first cell i with ptr(i) <= pos.
 */
function cellHolding(v: DataView, lo: number, hi: number, pos: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v.getUint16(HDR + 2 * mid, true) <= pos) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Largest first rowid of a leaf that Node.dense describes: below 2^30, a small integer in V8. */
const DENSE_LIMIT = 2 ** 30;

/** Sets Node.dense and denseCount of a table leaf that has no cell arrays. */
function markDense(n: Node): void {
  const cnt = cellCount(n);
  n.dense = -1;
  n.denseCount = 0;
  if (cnt === 0) return;
  const first = rowidAt(n, 0);
  const last = rowidAt(n, cnt - 1);
  // Rowids are distinct ascending integers: last - first === cnt - 1 leaves no room for a gap.
  if (first >= 0 && last < DENSE_LIMIT && last - first === cnt - 1) {
    n.dense = first;
    n.denseCount = cnt;
  }
}

/** See NodeStore.byPage: 4M pages, 16 GiB of 4 KiB pages. */
const BY_PAGE_LIMIT = 1 << 22;

export const isLeaf = (n: Node): boolean => n.type === TABLE_LEAF || n.type === INDEX_LEAF;

/**
 * The decoded-node cache between the B+trees and the pager: nodes are decoded once and kept (bounded,
 * second-chance eviction); changes are made to the decoded node and written back to its page when it
 * is evicted or at commit. Every page a statement frees is queued until commit so a failing
 * statement can take a DROP back.
 */
export class NodeStore {
  /** The cached nodes in eviction order (see trim). */
  private nodes = new Map<number, Node>();
  /**
   * The same nodes by page number, for get(): an array slot is one load where a Map of tens of
   * thousands of pages costs a hash and a probe, cache misses both (point selects ~15 % faster).
   * Pages from BY_PAGE_LIMIT on are only in the Map, so a huge file cannot grow the array past
   * 32 MB.
   */
  private byPage: (Node | undefined)[] = [];
  /**
   * Bumped whenever a cached node may stop being the node of its page in its tree: evicted, its page
   * freed, or the cache reset. A tree that remembers a node across operations checks it.
   */
  epoch = 0;
  /** Pages to hand to the pager's free list at commit. */
  pendingFree: number[] = [];
  readonly usable: number;
  /** Payloads longer than this go to an overflow chain, so any page holds at least four cells. */
  readonly maxLocal: number;
  readonly w = new RecordWriter();

  constructor(
    readonly pager: PageStore,
    public capacity = 4096,
  ) {
    this.usable = pager.usableSize;
    this.maxLocal = Math.floor((this.usable - HDR) / 4) - 14;
  }

  local(len: number): number {
    return len <= this.maxLocal ? len : 4;
  }

  /** Bytes a cell takes in its page, pointer included. */
  cellBytes(type: number, size: number): number {
    switch (type) {
      case TABLE_LEAF:
        return 14 + this.local(size);
      case TABLE_INTERIOR:
        return 14;
      case INDEX_LEAF:
        return 6 + this.local(size);
      default:
        return 10 + this.local(size);
    }
  }

  get(pgno: number): Node {
    const n = pgno < BY_PAGE_LIMIT ? this.byPage[pgno] : this.nodes.get(pgno);
    if (n !== undefined) {
      n.ref = true;
      return n;
    }
    const node = this.decode(pgno);
    this.keep(pgno, node);
    return node;
  }

  private keep(pgno: number, n: Node): void {
    this.nodes.set(pgno, n);
    if (pgno >= BY_PAGE_LIMIT) return;
    const byPage = this.byPage;
    // Filled up to the slot, never written past its end: a holey write far out would turn the
    // array into a dictionary, as slow as the Map.
    while (byPage.length < pgno) byPage.push(undefined);
    byPage[pgno] = n;
  }

  /** Clears page `pgno`'s slot in byPage; the caller takes it out of `nodes`. */
  private dropSlot(pgno: number): void {
    if (pgno < this.byPage.length) this.byPage[pgno] = undefined;
  }

  create(type: number): OpenNode {
    const pgno = this.pager.allocate();
    const node: OpenNode = {
      pgno,
      type,
      keys: [],
      rows: type === TABLE_LEAF ? [] : null,
      children: type === TABLE_INTERIOR || type === INDEX_INTERIOR ? [] : null,
      data: Buffer.allocUnsafe(type === TABLE_INTERIOR ? 0 : this.usable),
      offs: [],
      view: null,
      owned: true,
      end: 0,
      sizes: [],
      ovfl: [],
      next: 0,
      count: 0,
      bytes: HDR,
      dirty: true,
      ref: true,
      layout: LAYOUT_OTHER,
      dense: -1,
      denseCount: 0,
    };
    this.keep(pgno, node);
    return node;
  }

  /** A node with its cell arrays, built from its page the first time (see Node). */
  cells(n: Node): OpenNode {
    if (n.offs !== null) return n as OpenNode;
    const v = n.view!;
    const type = n.type;
    const cnt = v.getUint16(2, true);
    const keys = new Array<number | Value[] | undefined>(cnt);
    const sizes = new Array<number>(cnt);
    const ovfl = new Array<number>(cnt);
    const offs = new Array<number>(cnt);
    const children = type === TABLE_INTERIOR || type === INDEX_INTERIOR ? new Array<number>(cnt + 1) : null;
    const maxLocal = this.maxLocal;
    let bytes = HDR;
    for (let i = 0; i < cnt; i++) {
      // Cell layouts (docs/ENGINE-FORMAT.md): [child u32] [rowid f64] [length u32, record or overflow page].
      let at = v.getUint16(HDR + 2 * i, true);
      if (children !== null) {
        children[i] = v.getUint32(at, true);
        at += 4;
      }
      if (type === TABLE_LEAF || type === TABLE_INTERIOR) {
        keys[i] = v.getFloat64(at, true);
        at += 8;
      }
      if (type === TABLE_INTERIOR) {
        sizes[i] = ovfl[i] = 0;
        offs[i] = -1;
      } else {
        const len = v.getUint32(at, true);
        sizes[i] = len;
        const local = len <= maxLocal;
        ovfl[i] = local ? 0 : v.getUint32(at + 4, true);
        offs[i] = local ? at + 4 : -1;
      }
      bytes += this.cellBytes(type, sizes[i]);
    }
    if (children !== null) {
      children[cnt] = v.getUint32(4, true); // the right pointer
      n.children = children;
    }
    n.keys = keys;
    n.rows = type === TABLE_LEAF ? new Array<Value[] | undefined>(cnt) : null;
    n.sizes = sizes;
    n.ovfl = ovfl;
    n.offs = offs;
    n.bytes = bytes;
    n.dense = -1; // the leaf may change now: lookups use its arrays
    return n as OpenNode;
  }

  /** Gives a node its own record buffer before it changes (the page it was read from is shared). */
  own(n: Node): void {
    if (n.owned) return;
    this.compact(n, 0);
  }

  /** Copies the live records into a fresh owned buffer with room for `need` more bytes. */
  private compact(node: Node, need: number): void {
    const n = this.cells(node);
    let live = 0;
    for (let i = 0; i < n.offs.length; i++) if (n.offs[i] >= 0) live += n.sizes[i];
    const cap = Math.max(this.usable, Math.ceil((live + need) * 1.5));
    const buf = Buffer.allocUnsafe(cap);
    let at = 0;
    for (let i = 0; i < n.offs.length; i++) {
      const off = n.offs[i];
      if (off < 0) continue;
      n.data.copy(buf, at, off, off + n.sizes[i]);
      n.offs[i] = at;
      at += n.sizes[i];
    }
    n.data = buf;
    n.view = null;
    n.end = at;
    n.owned = true;
  }

  /** Appends record bytes to an owned node's buffer; returns their offset. */
  put(n: Node, src: Buffer, from: number, size: number): number {
    if (!n.owned || n.end + size > n.data.length) this.compact(n, size);
    const data = n.data;
    copyBytes(src, from, data, n.end, size);
    const at = n.end;
    n.end += size;
    return at;
  }

  /** The record bytes of cell `i` (from its overflow chain if they are not in the node). */
  record(n: Node, i: number): { buf: Buffer; off: number } {
    const off = this.localOff(n, i);
    if (off >= 0) return { buf: n.data, off };
    if (n.offs !== null) return { buf: this.readChain(n.ovfl![i], n.sizes![i]), off: 0 };
    const at = this.payloadAt(n, i); // the length, then the first overflow page
    return { buf: this.readChain(n.view!.getUint32(at + 4, true), n.view!.getUint32(at, true)), off: 0 };
  }

  /** Where cell `i`'s record starts in the node's data, or -1 when it is only in its overflow chain. */
  localOff(n: Node, i: number): number {
    if (n.offs !== null) return n.offs[i];
    const at = this.payloadAt(n, i);
    return n.view!.getUint32(at, true) <= this.maxLocal ? at + 4 : -1;
  }

  /**
   * In an index leaf without cell arrays: the first cell whose key is >= the probe's (by leading
   * values, or with `full` also by length), compared on the record bytes in the page.
   */
  lowerBoundRecord(n: Node, probe: Probe, full: boolean): number {
    const v = n.view!;
    const data = n.data;
    const maxLocal = this.maxLocal;
    let lo = 0;
    let hi = v.getUint16(2, true);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const at = v.getUint16(HDR + 2 * mid, true);
      let c: number;
      if (v.getUint32(at, true) <= maxLocal) c = compareRecord(data, at + 4, probe, full, v);
      else {
        const rec = this.record(n, mid); // a key in an overflow chain
        c = compareRecord(rec.buf, rec.off, probe, full, viewOf(rec.buf));
      }
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** In a leaf without cell arrays: where cell `i`'s payload length lies in the page (its record follows). */
  private payloadAt(n: Node, i: number): number {
    const p = n.view!.getUint16(HDR + 2 * i, true);
    return n.type === TABLE_LEAF ? p + 8 : p;
  }

  free(pgno: number): void {
    this.pendingFree.push(pgno);
    this.epoch++;
  }

  /** Frees an overflow chain (queued until commit). */
  freeChain(first: number): void {
    for (const p of this.chain(first)) this.free(p);
  }

  /** Pages of an overflow chain. */
  chain(first: number): number[] {
    const out: number[] = [];
    for (let p = first; p; ) {
      out.push(p);
      const page = this.pager.read(p);
      if (page[0] !== OVERFLOW) throw corrupt(`page ${p} is not an overflow page`);
      p = readU32(page, 1);
      if (out.length > 1 << 20) throw corrupt('overflow chain loops');
    }
    return out;
  }

  /** Keeps the cache within bounds; called between operations, never in the middle of one. */
  trim(): void {
    if (this.nodes.size <= this.capacity) return;
    let budget = this.nodes.size * 2;
    for (const [pgno, n] of this.nodes) {
      if (this.nodes.size <= this.capacity * 0.9 || budget-- <= 0) break;
      this.nodes.delete(pgno);
      if (n.ref) {
        n.ref = false;
        this.nodes.set(pgno, n); // second chance: to the back of the queue
        continue;
      }
      this.dropSlot(pgno);
      this.epoch++;
      if (n.dirty) this.writeNode(n);
    }
  }

  /** Writes every changed node into its page and hands freed pages to the pager (before commit). */
  flush(): void {
    if (this.pendingFree.length) {
      const freed = new Set(this.pendingFree);
      for (const p of freed) {
        this.nodes.delete(p);
        this.dropSlot(p); // overflow pages among them were never cached
        this.pager.free(p);
      }
      this.pendingFree = [];
    }
    for (const n of this.nodes.values()) if (n.dirty) this.writeNode(n);
  }

  /** Forgets every decoded node (after a rollback the pages are the truth again). */
  reset(): void {
    this.nodes.clear();
    this.byPage = [];
    this.pendingFree = [];
    this.epoch++;
  }

  get size(): number {
    return this.nodes.size;
  }

  // ---- page <-> node ----

  private decodeRow(n: OpenNode, i: number): Value[] {
    const off = n.offs[i];
    const r = off >= 0 ? decodeRecord(n.data, off, 1) : decodeRecord(this.readChain(n.ovfl[i], n.sizes[i]), 0, 1);
    r[r.length - 1] = n.keys[i] as number;
    return r;
  }

  /** Row `i` of a table leaf, decoded on first access and kept. */
  row(node: Node, i: number): Value[] {
    const n = this.cells(node);
    const rows = n.rows!;
    let r = rows[i];
    if (r === undefined) rows[i] = r = this.decodeRow(n, i);
    return r;
  }

  /**
   * Key `i` of an index page, decoded on first access and kept; a leaf without cell arrays decodes
   * it afresh each time (it has nowhere to keep it).
   */
  key(n: Node, i: number): Value[] {
    const keys = n.keys;
    if (keys === null) {
      const rec = this.record(n, i);
      return decodeRecord(rec.buf, rec.off, 0);
    }
    let k = keys[i] as Value[] | undefined;
    if (k === undefined) {
      const off = n.offs![i];
      k = off >= 0 ? decodeRecord(n.data, off, 0) : decodeRecord(this.readChain(n.ovfl![i], n.sizes![i]), 0, 0);
      keys[i] = k;
    }
    return k;
  }

  /** Decodes every cell of a node (the integrity check reads them all). */
  full(node: Node): OpenNode {
    const n = this.cells(node);
    if (n.rows) for (let i = 0; i < n.rows.length; i++) this.row(n, i);
    else if (n.type !== TABLE_INTERIOR) for (let i = 0; i < n.keys.length; i++) this.key(n, i);
    return n;
  }

  /** Rows [from, to) of a table leaf for a scan (decoded once, then kept with the cached page). */
  rowsOf(node: Node, from: number, to: number): Value[][] {
    const n = this.cells(node);
    const rows = n.rows!;
    for (let i = from; i < to; i++) if (rows[i] === undefined) rows[i] = this.decodeRow(n, i);
    return from === 0 && to === rows.length ? (rows as Value[][]) : (rows.slice(from, to) as Value[][]);
  }

  /**
   * Rows [from, to) of a table leaf with only the columns `want` names decoded (`want[c] === c`, the
   * rest NULL), rowid last. They are fresh arrays and the cache does not keep them, so a scan costs
   * neither the unused values nor heap that outlives it; rows the cache already holds are reused.
   * Rows that a `pre` probe rules out are left out undecoded. With a `pool`, the chunk and its rows
   * are the pool's arrays, overwritten by the next call. With `into`, the rows are appended to it
   * and it is returned.
   */
  rowsSome(n: Node, from: number, to: number, want: Int32Array, pre: TextProbe[] | null = null, pool: RowPool | null = null, into: Value[][] | null = null): Value[][] {
    // Where a probe's text can be searched for in the page, only the cells holding it are looked at.
    const list = pre !== null && pre[0].needle !== null && n.offs === null && to > from && this.layoutOf(n) === LAYOUT_PACKED ? this.matchingCells(n, from, to, pre[0].needle) : null;
    const count = list === null ? to - from : list.length;
    // Appended to `into`, a pool's rows are taken from that position on.
    const out = into ?? (pool ? pool.out : new Array<Value[]>(count));
    let k = into === null ? 0 : into.length;
    out.length = k + count;
    // Without cell arrays, each cell's rowid and record are found through the page's pointers.
    const rows = n.rows;
    const keys = n.keys as number[] | null;
    const offs = n.offs;
    const data = n.data;
    const page = offs === null ? n.view : null;
    const view = page ?? viewOf(data);
    const maxLocal = this.maxLocal;
    const width = want.length;
    next: for (let c = 0; c < count; c++) {
      const i = list === null ? from + c : list[c];
      let r = rows !== null ? rows[i] : undefined;
      if (r === undefined) {
        let off: number;
        let rowid: number;
        if (offs !== null) {
          off = offs[i];
          rowid = keys![i];
        } else {
          const p = page!.getUint16(HDR + 2 * i, true);
          rowid = page!.getFloat64(p, true);
          off = page!.getUint32(p + 8, true) <= maxLocal ? p + 12 : -1;
        }
        if (off < 0) r = this.rowSome(n, i, want);
        else {
          if (pre !== null) for (let j = 0; j < pre.length; j++) if (textDiffers(data, off, pre[j].col, pre[j].bytes)) continue next;
          // A pooled row's unread columns are still NULL: decodeSome writes only the read ones.
          r = pool ? pool.rows[k] : undefined;
          if (r === undefined) {
            r = new Array<Value>(width + 1);
            for (let w = 0; w < width; w++) r[w] = null;
            if (pool) pool.rows[k] = r;
          }
          decodeSome(data, off, want, r, view);
          r[width] = rowid;
        }
      }
      out[k++] = r;
    }
    if (k < out.length) out.length = k;
    return out;
  }

  /**
   * Value `col` of the rows [from, to) of a table leaf into slots 0… of `out` (see readColumn),
   * read where the records lie: no row is built and the cache keeps nothing.
   */
  columnOf(n: Node, from: number, to: number, col: number, out: ColumnBuf): void {
    out.reserve(to - from);
    const data = n.data;
    if (n.offs !== null) {
      const offs = n.offs;
      readColumn(data, viewOf(data), offs, 0, 0, from, to, col, out);
      for (let i = from; i < to; i++) if (offs[i] < 0) this.columnOfChain(n, i, col, out, i - from);
      return;
    }
    // Read from its page, where cell i is [rowid f64] [length u32] [record]. A packed leaf (see
    // Node.layout) has every record there: they are read through the cell pointers.
    const page = n.view!;
    if (this.layoutOf(n) === LAYOUT_PACKED) {
      readColumn(data, page, null, HDR, 12, from, to, col, out);
      return;
    }
    const count = to - from;
    const at = new Int32Array(count);
    for (let k = 0; k < count; k++) at[k] = this.localOff(n, from + k);
    readColumn(data, page, at, 0, 0, 0, count, col, out);
    for (let k = 0; k < count; k++) if (at[k] < 0) this.columnOfChain(n, from + k, col, out, k);
  }

  /** columnOf() of cell `i`, whose record is in an overflow chain, into slot `k`. */
  private columnOfChain(n: Node, i: number, col: number, out: ColumnBuf, k: number): void {
    const rec = this.record(n, i);
    readColumn(rec.buf, viewOf(rec.buf), [rec.off], 0, 0, 0, 1, col, out, k);
  }

  /** A leaf's LAYOUT_PACKED or LAYOUT_OTHER (see Node.layout), worked out from its page once. */
  private layoutOf(n: Node): number {
    if (n.layout !== LAYOUT_UNKNOWN) return n.layout;
    const v = n.view!;
    const cnt = v.getUint16(2, true);
    let layout = n.type === TABLE_LEAF ? LAYOUT_PACKED : LAYOUT_OTHER;
    let end = this.usable;
    for (let i = 0; i < cnt && layout === LAYOUT_PACKED; i++) {
      const p = v.getUint16(HDR + 2 * i, true);
      const len = v.getUint32(p + 8, true);
      if (len > this.maxLocal || p + 12 + len !== end) layout = LAYOUT_OTHER;
      end = p;
    }
    return (n.layout = layout);
  }

  private cellList: number[] = [];

  /**
   * The cells among [from, to) of a packed leaf whose bytes contain `needle`, in key order, found
   * by Buffer.lastIndexOf over the page (memrchr-fast, not a loop per cell). The list is reused by
   * the next call. Cells that merely contain the bytes somewhere are listed too: the caller tests
   * them.
   */
  private matchingCells(n: Node, from: number, to: number, needle: Buffer): number[] {
    const v = n.view!;
    const data = n.data;
    const out = this.cellList;
    out.length = 0;
    // Cell i spans [ptr(i), ptr(i - 1)), cell 0 ends at the end of the usable bytes. The pointer
    // reads are written out, not a closure: this runs unoptimised in a scan's first run.
    const start = v.getUint16(HDR + 2 * (to - 1), true);
    const end = from > 0 ? v.getUint16(HDR + 2 * (from - 1), true) : this.usable;
    const len = needle.length;
    // Node's search stops at each occurrence of the needle's first byte, or searching backwards of
    // its last. The first is the text's type tag, in every text value of every row; the last is
    // the literal's last byte, seen far less often, unless it is a length byte of 0 (the empty
    // text), which the zero bytes of the page are full of. Scanning 100k rows for `tag = 't7'`
    // (bench/engine's tags) takes 0.9 ms backwards against 1.35 forwards, steady.
    if (needle[len - 1] !== 0) {
      // Hits fall as the search goes on, so the cells they are in rise: each is after the last.
      let lo = from;
      let at = end - len;
      while (at >= start) {
        const hit = data.lastIndexOf(needle, at);
        if (hit < start) break; // -1 too
        lo = cellHolding(v, lo, to - 1, hit);
        out.push(lo);
        if (lo === to - 1) break;
        at = v.getUint16(HDR + 2 * lo, true) - len; // the rest of that cell need not be searched
        lo++;
      }
      return out;
    }
    let at = start;
    let top = to - 1;
    for (;;) {
      const hit = data.indexOf(needle, at);
      if (hit < 0 || hit >= end) break;
      // Hits rise, so each lies in a cell before the last one found.
      const lo = cellHolding(v, from, top, hit);
      out.push(lo);
      if (lo === from) break;
      top = lo - 1;
      at = v.getUint16(HDR + 2 * top, true);
    }
    return out.reverse();
  }

  /** Row `i` of a table leaf with only the columns `want` names decoded (see rowsSome). */
  rowSome(n: Node, i: number, want: Int32Array): Value[] {
    if (n.rows !== null) {
      const cached = n.rows[i];
      if (cached !== undefined) return cached;
    }
    const width = want.length;
    const r = new Array<Value>(width + 1);
    for (let c = 0; c < width; c++) r[c] = null; // a loop: fill() is a call into the runtime
    if (n.offs === null) {
      // Read from its page: cell i is [rowid f64] [length u32] [record], found once for both.
      const v = n.view!;
      const p = v.getUint16(HDR + 2 * i, true);
      if (v.getUint32(p + 8, true) <= this.maxLocal) {
        decodeSome(n.data, p + 12, want, r, v);
        r[width] = v.getFloat64(p, true);
        return r;
      }
    }
    const off = this.localOff(n, i);
    if (off >= 0) decodeSome(n.data, off, want, r, n.view ?? viewOf(n.data));
    else {
      const rec = this.record(n, i); // an overflow chain
      decodeSome(rec.buf, rec.off, want, r);
    }
    r[width] = rowidAt(n, i);
    return r;
  }

  /**
   * Caches a leaf page just written outside the cache (a bulk load's packed pages), as a leaf read
   * from its page would be: the next reads find it without going to the pager. It goes first when
   * the cache is trimmed, as no one has read it yet.
   */
  adopt(pgno: number, page: Uint8Array): void {
    if (this.nodes.delete(pgno)) {
      this.dropSlot(pgno);
      this.epoch++; // a fresh page: nothing cached for it is current
    }
    const n = this.nodeOf(pgno, page);
    n.ref = false;
    this.keep(pgno, n);
  }

  private decode(pgno: number): Node {
    return this.nodeOf(pgno, this.pager.read(pgno));
  }

  private nodeOf(pgno: number, page: Uint8Array): Node {
    const buf = Buffer.from(page.buffer, page.byteOffset, page.byteLength);
    const v = new DataView(page.buffer, page.byteOffset, page.byteLength); // cheaper than Buffer's checked reads
    const type = buf[0];
    if (type < TABLE_LEAF || type > INDEX_INTERIOR) throw corrupt(`page ${pgno} is not a B+tree page (type ${type})`);
    const leaf = type === TABLE_LEAF || type === INDEX_LEAF;
    const n: Node = {
      pgno, type, keys: null, rows: null, children: null, data: buf, offs: null, view: v, owned: false,
      end: 0, sizes: null, ovfl: null, next: leaf ? v.getUint32(4, true) : 0, count: v.getFloat64(8, true),
      bytes: 0, dirty: false, ref: true, layout: LAYOUT_UNKNOWN, dense: -1, denseCount: 0,
    };
    if (type === TABLE_LEAF) markDense(n);
    // Leaves keep reading their cells from the page until they change (see Node); interior nodes,
    // searched by every descent, get their arrays now.
    return leaf ? n : this.cells(n);
  }

  private readChain(first: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    let at = 0;
    for (let p = first; p && at < len; ) {
      const page = this.pager.read(p);
      if (page[0] !== OVERFLOW) throw corrupt(`page ${p} is not an overflow page`);
      const n = readU32(page, 5);
      out.set(page.subarray(OVF_HDR, OVF_HDR + n), at);
      at += n;
      p = readU32(page, 1);
    }
    if (at !== len) throw corrupt(`overflow chain at page ${first} is short`);
    return out;
  }

  /** Writes `len` bytes of `data` to a new overflow chain; returns its first page. */
  writeChain(data: Buffer, len: number): number {
    const per = this.usable - OVF_HDR;
    const pages: number[] = [];
    for (let at = 0; at < len; at += per) pages.push(this.pager.allocate());
    for (let i = 0; i < pages.length; i++) {
      const page = this.pager.write(pages[i]);
      const n = Math.min(per, len - i * per);
      page[0] = OVERFLOW;
      writeU32(page, 1, pages[i + 1] ?? 0);
      writeU32(page, 5, n);
      page.set(data.subarray(i * per, i * per + n), OVF_HDR);
    }
    return pages[0];
  }

  private scratch: Buffer | null = null;
  private scratchView: DataView | null = null;

  /**
   * Serialises a node into its page: header, cell pointers, cells packed from the end (record
   * bytes are copied, never re-encoded). Afterwards the node reads its records from the page;
   * with `drop`, a leaf also lets go of its cell arrays and decoded rows (see Node).
   */
  writeNode(node: Node, drop = false): void {
    const n = this.cells(node);
    if (n.bytes > this.usable) throw new Error(`B+tree node ${n.pgno} overfull (${n.bytes} bytes)`);
    const cnt = n.keys.length;
    // Spill large payloads that have no overflow chain yet (before the page is touched).
    for (let i = 0; i < cnt; i++) {
      if (n.sizes[i] > this.maxLocal && !n.ovfl[i]) n.ovfl[i] = this.writeChain(n.data.subarray(n.offs[i], n.offs[i] + n.sizes[i]), n.sizes[i]);
    }
    const buf = (this.scratch ??= Buffer.alloc(this.pager.pageSize));
    // Through a DataView: Buffer's write methods check their arguments on every call.
    const v = (this.scratchView ??= new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
    writeHeader(buf, v, n.type, cnt, n.children ? n.children[cnt] : n.next, n.count);
    let end = this.usable;
    let spilled = false;
    const maxLocal = this.maxLocal;
    const data = n.data;
    const offs = n.offs;
    for (let i = 0; i < cnt; i++) {
      const size = n.sizes[i];
      const local = size <= maxLocal;
      switch (n.type) {
        case TABLE_LEAF: {
          if (!local) spilled = true;
          end -= 12 + (local ? size : 4);
          v.setFloat64(end, n.keys[i] as number, true);
          offs[i] = writePayload(buf, v, end + 8, size, local, data, offs[i], n.ovfl[i]);
          break;
        }
        case TABLE_INTERIOR:
          end -= 12;
          v.setUint32(end, n.children![i], true);
          v.setFloat64(end + 4, n.keys[i] as number, true);
          break;
        default: {
          const interior = n.type === INDEX_INTERIOR;
          end -= (interior ? 8 : 4) + (local ? size : 4);
          let at = end;
          if (interior) {
            v.setUint32(at, n.children![i], true);
            at += 4;
          }
          offs[i] = writePayload(buf, v, at, size, local, data, offs[i], n.ovfl[i]);
        }
      }
      v.setUint16(HDR + 2 * i, end, true);
    }
    const page = this.pager.write(n.pgno);
    page.set(buf.subarray(0, this.usable));
    n.data = Buffer.from(page.buffer, page.byteOffset, page.byteLength);
    n.view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    n.layout = n.type === TABLE_LEAF && !spilled ? LAYOUT_PACKED : LAYOUT_OTHER;
    if (drop && !n.children) {
      const leaf = n as Node;
      leaf.keys = leaf.rows = leaf.offs = leaf.sizes = leaf.ovfl = null;
      if (leaf.type === TABLE_LEAF) markDense(leaf);
    }
    n.owned = false;
    n.end = 0;
    n.dirty = false;
  }

  /** Payload record length of a row or key (encodes it into the scratch buffer). */
  recordSize(vals: Value[], count: number): number {
    return this.w.record(vals, count);
  }
}

/** Bytes a bulk load leaves free in each page it packs (leaves and interior nodes alike). */
export const PACK_SLACK = 16;

/** The page header: type, cell count, right pointer (next leaf, or the last child), row count. */
function writeHeader(page: Uint8Array, v: DataView, type: number, cells: number, right: number, count: number): void {
  page[0] = type;
  page[1] = 0;
  v.setUint16(2, cells, true);
  v.setUint32(4, right, true);
  v.setFloat64(8, count, true);
}

/**
 * A cell's payload at `at`: its length, then its record bytes (`src[from, from + size)`) or, when it
 * is not local, its overflow chain's first page. Returns where the bytes start, or -1.
 */
function writePayload(page: Uint8Array, v: DataView, at: number, size: number, local: boolean, src: Uint8Array, from: number, chain: number): number {
  v.setUint32(at, size, true);
  if (!local) {
    v.setUint32(at + 4, chain, true);
    return -1;
  }
  copyBytes(src, from, page, at + 4, size);
  return at + 4;
}

/** A page written by IndexLeafPacker, with a copy of its largest key's record (its separator). */
export interface PackedPage {
  pgno: number;
  last: Buffer;
}

/**
 * Writes index leaf pages straight from encoded keys given in order, for bulk loads: each page is
 * laid out as writeNode lays out a node and chained to the next, with no Node per page and no
 * second copy of every cell at flush. Each finished page goes into the node cache as a leaf read
 * from its page (NodeStore.adopt), so lookups right after CREATE INDEX do not read it back.
 */
export class IndexLeafPacker {
  private pgno = 0;
  private page: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));
  private cnt = 0;
  private end = 0;
  private bytes = HDR;
  /** The last key added when it went to an overflow chain (its bytes are not in the page). */
  private lastBig: Buffer | null = null;
  private lastAt = 0;
  private lastSize = 0;

  constructor(private readonly store: NodeStore) {}

  /**
   * Adds the key whose record is `src[0, size)`. When it does not fit, the page so far is finished
   * (PACK_SLACK bytes short of full) and returned; otherwise null.
   */
  add(src: Buffer, size: number): PackedPage | null {
    const store = this.store;
    const cell = store.cellBytes(INDEX_LEAF, size);
    let done: PackedPage | null = null;
    if (this.pgno === 0) this.open(store.pager.allocate());
    else if (this.cnt && this.bytes + cell > store.usable - PACK_SLACK) {
      const next = store.pager.allocate();
      done = this.close(next);
      this.open(next);
    }
    const local = size <= store.maxLocal;
    this.end -= 4 + (local ? size : 4);
    const at = this.end;
    writePayload(this.page, this.view, at, size, local, src, 0, local ? 0 : store.writeChain(src, size));
    this.lastBig = local ? null : Buffer.from(src.subarray(0, size));
    this.view.setUint16(HDR + 2 * this.cnt, at, true);
    this.cnt++;
    this.bytes += cell;
    this.lastAt = at + 4;
    this.lastSize = size;
    return done;
  }

  /** Finishes the last page (null when no key was added). */
  finish(): PackedPage | null {
    return this.pgno ? this.close(0) : null;
  }

  private open(pgno: number): void {
    this.pgno = pgno;
    this.page = this.store.pager.write(pgno);
    this.view = new DataView(this.page.buffer, this.page.byteOffset, this.page.byteLength);
    this.cnt = 0;
    this.end = this.store.usable;
    this.bytes = HDR;
  }

  private close(next: number): PackedPage {
    writeHeader(this.page, this.view, INDEX_LEAF, this.cnt, next, 0);
    this.store.adopt(this.pgno, this.page);
    const last = this.lastBig ?? Buffer.from(this.page.subarray(this.lastAt, this.lastAt + this.lastSize));
    const done = { pgno: this.pgno, last };
    this.pgno = 0;
    return done;
  }
}

/** Copies bytes; short runs (most cells) in JS, which costs less than a call into Buffer.copy. */
function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, at: number, size: number): void {
  if (size <= 64) for (let k = 0; k < size; k++) dst[at + k] = src[from + k];
  else dst.set(src.subarray(from, from + size), at);
}

export function corrupt(detail: string): SqlError {
  return new SqlError('SQL_ERROR', `database disk image is malformed: ${detail}`);
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}
