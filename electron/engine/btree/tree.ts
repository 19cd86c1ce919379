import { compare, compareText, plainKey, type Value } from '../record/values';
import { type ColumnBuf, type Probe, probeOf, type TextProbe } from './record';
import { cellCount, corrupt, HDR, INDEX_INTERIOR, INDEX_LEAF, IndexLeafPacker, PACK_SLACK, isLeaf, type Node, NodeStore, type OpenNode, type PackedPage, rowidAt, RowPool, TABLE_INTERIOR, TABLE_LEAF } from './node';

/** The leaves whose rows a probed scan gathers into one chunk (see BTree.matching). */
const MATCH_LEAVES = 16;

/**
 * Compares index keys value by value in SQLite order (NULL < numbers < text < blob, BINARY).
 * `plainB`: b's texts are plainText(), so `<` orders text (see compareText).
 */
export function compareKeys(a: Value[], b: Value[], plainB = false): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    // Fast paths for the common same-type cases; everything else goes through compare().
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x < y ? -1 : 1;
    } else if (typeof x === 'string' && typeof y === 'string') {
      if (x !== y) return plainB ? (x < y ? -1 : 1) : compareText(x, y);
    } else {
      const c = compare(x, y);
      if (c) return c;
    }
  }
  return 0;
}

function fullCompare(a: Value[], b: Value[]): number {
  return compareKeys(a, b) || a.length - b.length;
}

interface Path {
  nodes: Node[];
  idx: number[];
}

/**
 * One B+tree: a table tree (key = rowid, payload = the row) or an index tree (key = index column
 * values followed by the rowid, no payload). The root page number never changes: a root split moves
 * the root's cells into a new child.
 */
export class BTree {
  readonly index: boolean;
  private readonly path: Path = { nodes: [], idx: [] };
  /** Table trees: the rightmost leaf as of the last insert, valid while the store's epoch is. */
  private tail: OpenNode | null = null;
  private tailEpoch = -1;

  constructor(
    readonly store: NodeStore,
    readonly root: number,
    index: boolean,
  ) {
    this.index = index;
  }

  static create(store: NodeStore, index: boolean): BTree {
    const n = store.create(index ? INDEX_LEAF : TABLE_LEAF);
    return new BTree(store, n.pgno, index);
  }

  get count(): number {
    return this.store.get(this.root).count;
  }

  // ---- search ----

  /** First cell of a table node whose rowid is >= `rowid` (for an interior node: the child that may hold it). */
  private lowerBoundRowid(n: Node, rowid: number): number {
    let lo = 0;
    let hi = cellCount(n);
    const keys = n.keys as number[] | null;
    if (keys !== null) {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keys[mid] < rowid) lo = mid + 1;
        else hi = mid;
      }
    } else {
      const v = n.view!; // a leaf read from its page: rowids where they lie
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v.getFloat64(v.getUint16(HDR + 2 * mid, true), true) < rowid) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }

  /**
   * First cell of an index node whose key is >= `key` (for an interior node: the child that may
   * hold it); by leading values, or with `full` also by length. `plain` is plainKey(key) and
   * `probe` its probeOf(). A node with cell arrays decodes the keys it compares and keeps them
   * (interior nodes, searched by every descent); a leaf read from its page compares them on their
   * record bytes, which allocates nothing.
   */
  private lowerBoundKey(n: Node, key: Value[], full: boolean, plain: boolean, probe: Probe | null): number {
    if (n.keys === null && probe !== null) return this.store.lowerBoundRecord(n, probe, full);
    const store = this.store;
    let lo = 0;
    let hi = cellCount(n);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const k = store.key(n, mid);
      const c = compareKeys(k, key, plain) || (full ? k.length - key.length : 0);
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The nodes from the root down to the leaf for `key`, and the child taken at each. The path is
   * the tree's one scratch path, valid until the next descent: every change starts with a descent
   * and finishes with the path before another begins, and a fresh path per row was most of an
   * insert's garbage.
   */
  private descend(key: number | Value[], plain = false): Path {
    const path = this.path;
    const { nodes, idx } = path;
    let n = this.store.get(this.root);
    let depth = 0;
    for (; !isLeaf(n); depth++) {
      if (depth > 64) throw corrupt(`B+tree at page ${this.root} is too deep`);
      const i = typeof key === 'number' ? this.lowerBoundRowid(n, key) : this.lowerBoundKey(n, key, false, plain, null);
      nodes[depth] = n;
      idx[depth] = i;
      n = this.store.get(n.children![i]);
    }
    nodes[depth] = n;
    idx[depth] = -1;
    // Same depth as last time (the usual case): the lengths already fit and nothing reallocates.
    if (nodes.length !== depth + 1) {
      nodes.length = depth + 1;
      idx.length = depth + 1;
    }
    return path;
  }

  // ---- table trees ----

  /** The row at `rowid` (with `want`, a fresh row with only those columns: see NodeStore.rowsSome). */
  get(rowid: number, want: Int32Array | null = null): Value[] | undefined {
    this.store.trim();
    let n = this.store.get(this.root);
    while (n.children) n = this.store.get(n.children[this.lowerBoundRowid(n, rowid)]);
    // A dense leaf (see Node.dense) holds every rowid of its range at its distance from the first.
    const d = rowid - n.dense;
    let i: number;
    if (n.dense >= 0 && d >= 0 && d < n.denseCount && (d | 0) === d) i = d;
    else {
      i = this.lowerBoundRowid(n, rowid);
      if (i >= cellCount(n) || rowidAt(n, i) !== rowid) return undefined;
    }
    return want ? this.store.rowSome(n, i, want) : this.store.row(n, i);
  }

  /** Largest rowid, or 0 for an empty table. */
  maxKey(): number {
    let n = this.store.get(this.root);
    while (n.children) n = this.store.get(n.children[n.children.length - 1]);
    const cnt = cellCount(n);
    return cnt ? rowidAt(n, cnt - 1) : 0;
  }

  /** Inserts or replaces the row at `rowid` (`row[width]` must hold the rowid). */
  insert(rowid: number, row: Value[]): void {
    this.store.trim();
    const store = this.store;
    const size = store.recordSize(row, row.length - 1);
    // Appending past the largest rowid (the usual bulk load) into a rightmost leaf with room: no
    // descent. No ancestor changes: the rightmost child of an interior node has no separator key.
    const tail = this.tail;
    if (tail !== null && this.tailEpoch === store.epoch && tail.type === TABLE_LEAF && tail.next === 0 && tail.offs !== null) {
      const keys = tail.keys as number[];
      if (keys.length > 0 && rowid > keys[keys.length - 1] && tail.bytes + store.cellBytes(TABLE_LEAF, size) <= store.usable) {
        tail.ref = true;
        this.addCell(tail, keys.length, rowid, store.w.buf, size);
        this.bumpCount(1);
        return;
      }
    }
    const path = this.descend(rowid);
    const leaf = store.cells(path.nodes[path.nodes.length - 1]);
    const i = this.lowerBoundRowid(leaf, rowid);
    // The row is stored as its record bytes (encoded by recordSize into the scratch buffer).
    // Only the bytes are kept: the row is decoded again if it is read (holding the caller's array for
    // every inserted row would keep a bulk load's rows alive on the heap).
    if (i < leaf.keys.length && leaf.keys[i] === rowid) {
      this.removeCell(leaf, i);
      this.addCell(leaf, i, rowid, store.w.buf, size);
    } else {
      this.addCell(leaf, i, rowid, store.w.buf, size);
      this.bumpCount(1);
    }
    if (leaf.bytes > store.usable) this.split(path, i === leaf.keys.length - 1 && leaf.next === 0);
    // After a split the rightmost leaf is the path's new last node or a new sibling, found next
    // time (`leaf` itself may have become the interior root, or been written back without arrays).
    this.tail = leaf.next === 0 && leaf.type === TABLE_LEAF && leaf.offs !== null ? leaf : null;
    this.tailEpoch = store.epoch;
  }

  /** Removes the row at `rowid`; returns it, or undefined when absent. */
  delete(rowid: number): Value[] | undefined {
    this.store.trim();
    const path = this.descend(rowid);
    const leaf = this.store.cells(path.nodes[path.nodes.length - 1]);
    const i = this.lowerBoundRowid(leaf, rowid);
    if (i >= leaf.keys.length || leaf.keys[i] !== rowid) return undefined;
    const row = this.store.row(leaf, i);
    this.removeCell(leaf, i);
    this.bumpCount(-1);
    this.rebalance(path);
    return row;
  }

  /**
   * Rows in rowid order from the first key >= `lo` up to `hi` inclusive, one leaf's worth at a time
   * (the arrays are the cached leaves themselves: read-only). With `want`, only the columns it names
   * are decoded, into fresh rows that the cache does not keep; with a `pool`, each chunk overwrites
   * the last (see NodeStore.rowsSome). Scans with text probes go through matching().
   */
  *chunks(lo = -Infinity, hi = Infinity, want: Int32Array | null = null, pool: RowPool | null = null): Generator<Value[][]> {
    for (const s of this.spans(lo, hi)) yield want ? this.store.rowsSome(s.node, s.from, s.to, want, null, pool) : this.store.rowsOf(s.node, s.from, s.to);
  }

  /**
   * Every row that the `pre` probes do not rule out, in rowid order, with only the columns `want`
   * names decoded (see NodeStore.rowsSome). A probe leaves a few rows of each leaf, so a chunk holds
   * the rows of MATCH_LEAVES leaves: the consumer's loop, and this generator, run once per chunk
   * rather than once per leaf, and a LIMIT still stops the scan within a few leaves of its last
   * row. With a `pool`, each chunk overwrites the last.
   */
  *matching(want: Int32Array, pre: TextProbe[], pool: RowPool | null = null): Generator<Value[][]> {
    this.store.trim();
    let n = this.store.get(this.root);
    while (n.children) n = this.store.get(n.children[0]);
    let out: Value[][] = pool ? pool.out : [];
    out.length = 0;
    for (let leaves = 1; ; leaves++) {
      const cnt = cellCount(n);
      if (cnt > 0) this.store.rowsSome(n, 0, cnt, want, pre, pool, out);
      if (!n.next) break;
      if (leaves >= MATCH_LEAVES && out.length > 0) {
        yield out;
        if (!pool) out = [];
        out.length = 0;
        leaves = 0;
      }
      n = this.store.get(n.next);
    }
    if (out.length > 0) yield out;
  }

  /**
   * Values `cols[j]` of the rows with lo <= rowid <= hi, in rowid order, a leaf at a time: `bufs[j]`
   * gets value `cols[j]` of each of the leaf's rows in that range, then `each(count)` steps on them.
   */
  columns(lo: number, hi: number, cols: Int32Array, bufs: ColumnBuf[], each: (count: number) => void): void {
    for (const s of this.spans(lo, hi)) {
      for (let j = 0; j < cols.length; j++) this.store.columnOf(s.node, s.from, s.to, cols[j], bufs[j]);
      each(s.to - s.from);
    }
  }

  /**
   * The leaves holding the rows with lo <= rowid <= hi, in order, each with the cells [from, to) of
   * it in that range (never empty). One object, updated for each leaf.
   */
  private *spans(lo: number, hi: number): Generator<{ node: Node; from: number; to: number }> {
    this.store.trim();
    let n: Node = this.store.get(this.root);
    while (n.children) n = this.store.get(n.children[lo === -Infinity ? 0 : this.lowerBoundRowid(n, lo)]);
    const span = { node: n, from: lo === -Infinity ? 0 : this.lowerBoundRowid(n, lo), to: 0 };
    for (;;) {
      const cnt = cellCount(n);
      let end = cnt;
      if (cnt > 0 && rowidAt(n, cnt - 1) > hi) {
        end = span.from;
        while (end < cnt && rowidAt(n, end) <= hi) end++;
      }
      if (end > span.from) {
        span.node = n;
        span.to = end;
        yield span;
      }
      if (end < cnt || !n.next) return;
      n = this.store.get(n.next);
      span.from = 0;
    }
  }

  /**
   * The values of columns `cols` for every row, in rowid order, column by column (`values[j][i]` is
   * column `cols[j]` of the i-th row), and the rowids. Only those values are decoded, straight from
   * the record bytes: rows are neither built nor kept in the cache.
   */
  projectColumns(cols: number[]): { values: Value[][]; rowids: number[] } {
    let width = 0;
    for (const c of cols) width = Math.max(width, c + 1);
    const want = new Int32Array(width).fill(-1);
    for (const c of cols) want[c] = c;
    const values: Value[][] = cols.map(() => []);
    const rowids: number[] = [];
    // The scan every SELECT runs (pooled rows, only these columns decoded), not a loop of its own.
    for (const chunk of this.chunks(-Infinity, Infinity, want, new RowPool())) {
      for (let i = 0; i < chunk.length; i++) {
        const r = chunk[i];
        for (let j = 0; j < cols.length; j++) values[j].push(r[cols[j]]);
        rowids.push(r[r.length - 1] as number);
      }
    }
    return { values, rowids };
  }

  // ---- index trees ----

  insertKey(key: Value[]): void {
    this.store.trim();
    const size = this.store.recordSize(key, key.length);
    // Interior nodes and the leaf about to change have cell arrays: their keys are decoded, no probe.
    const plain = plainKey(key);
    const path = this.descend(key, plain);
    const leaf = this.store.cells(path.nodes[path.nodes.length - 1]);
    const i = this.lowerBoundKey(leaf, key, true, plain, null);
    if (i < leaf.keys.length && fullCompare(this.store.key(leaf, i), key) === 0) return;
    this.addCell(leaf, i, undefined, this.store.w.buf, size);
    this.bumpCount(1);
    if (leaf.bytes > this.store.usable) this.split(path, i === leaf.keys.length - 1 && leaf.next === 0);
  }

  /**
   * Fills an empty index tree from keys already in order: leaves are packed and chained left to
   * right, then each interior level is built over the one below; the top node moves into the root.
   */
  bulkLoad(sorted: Value[][]): void {
    this.bulkLoadFrom(sorted.length, (i) => sorted[i]);
  }

  /** bulkLoad() from `count` keys in order, key `i` given by `keyAt(i)` (which may reuse one array). */
  bulkLoadFrom(count: number, keyAt: (i: number) => Value[]): void {
    const store = this.store;
    const root = store.get(this.root);
    if (root.children || cellCount(root)) throw new Error('bulkLoad needs an empty tree');
    if (!count) return;
    const limit = store.usable - PACK_SLACK;
    // Level 0: leaves, written straight into their pages. Each entry of a level is a page and the
    // record of the largest key under it.
    let level: PackedPage[] = [];
    const packer = new IndexLeafPacker(store);
    for (let k = 0; k < count; k++) {
      const key = keyAt(k);
      const full = packer.add(store.w.buf, store.recordSize(key, key.length));
      if (full) level.push(full);
    }
    level.push(packer.finish()!);
    // Interior levels: each child but the last contributes its largest key as separator.
    while (level.length > 1) {
      const up: PackedPage[] = [];
      let node = store.create(INDEX_INTERIOR);
      node.children!.push(level[0].pgno);
      let last = level[0];
      for (let i = 1; i < level.length; i++) {
        const size = last.last.length;
        const cell = store.cellBytes(INDEX_INTERIOR, size);
        if (node.bytes + cell > limit) {
          up.push({ pgno: node.pgno, last: last.last });
          node = store.create(INDEX_INTERIOR);
        } else {
          node.offs.push(store.put(node, last.last, 0, size));
          node.keys.push(undefined);
          node.sizes.push(size);
          node.ovfl.push(0);
          node.bytes += cell;
        }
        node.children!.push(level[i].pgno);
        last = level[i];
      }
      up.push({ pgno: node.pgno, last: last.last });
      level = up;
    }
    const top = store.get(level[0].pgno);
    this.takeOver(root, top);
    root.next = 0;
    root.count = count;
    // The top node's page is not used: the root took its cells.
    top.dirty = false;
    store.free(top.pgno);
  }

  /** The root takes another node's cells (root splits and shrinks keep the root page number). */
  private takeOver(root: Node, node: Node): void {
    this.store.own(node);
    const from = this.store.cells(node);
    root.type = from.type;
    root.keys = from.keys;
    root.rows = from.rows;
    root.children = from.children;
    root.data = from.data;
    root.view = null;
    root.offs = from.offs;
    root.owned = true;
    root.end = from.end;
    root.sizes = from.sizes;
    root.ovfl = from.ovfl;
    root.bytes = from.bytes;
    root.dirty = true;
    // `from` is about to be freed: it must never write its page or share the buffer.
    from.owned = false;
    from.dirty = false;
  }

  deleteKey(key: Value[]): boolean {
    this.store.trim();
    const plain = plainKey(key);
    const path = this.descend(key, plain);
    const leaf = this.store.cells(path.nodes[path.nodes.length - 1]);
    const i = this.lowerBoundKey(leaf, key, true, plain, null);
    if (i >= leaf.keys.length || fullCompare(this.store.key(leaf, i), key) !== 0) return false;
    this.removeCell(leaf, i);
    this.bumpCount(-1);
    this.rebalance(path);
    return true;
  }

  /**
   * Visits index keys in order starting at the first key whose leading values are >= `from`
   * (every key when `from` is empty) until `visit` returns false.
   */
  scanKeys(from: Value[], visit: (key: Value[]) => boolean): void {
    this.store.trim();
    const plain = plainKey(from);
    let n: Node = this.store.get(this.root);
    while (n.children) n = this.store.get(n.children[from.length ? this.lowerBoundKey(n, from, false, plain, null) : 0]);
    // Only a leaf read from its page compares on record bytes, with the probe made for it here.
    let i = from.length ? this.lowerBoundKey(n, from, false, plain, n.keys === null ? probeOf(from, plain) : null) : 0;
    for (;;) {
      const len = cellCount(n);
      for (; i < len; i++) if (!visit(this.store.key(n, i))) return;
      if (!n.next) return;
      n = this.store.get(n.next);
      i = 0;
    }
  }

  // ---- shared mechanics ----

  private bumpCount(d: number): void {
    const r = this.store.get(this.root);
    r.count += d;
    r.dirty = true;
  }

  /**
   * Inserts a cell whose record bytes are `src[0, size)`: `key` is the rowid of a table cell
   * (undefined for an index cell, whose key is decoded from the bytes when first read).
   */
  private addCell(n: OpenNode, i: number, key: number | undefined, src: Buffer, size: number): void {
    const off = this.store.put(n, src, 0, size);
    if (i === n.keys.length) {
      n.keys.push(key);
      if (n.rows) n.rows.push(undefined);
      n.offs.push(off);
      n.sizes.push(size);
      n.ovfl.push(0);
    } else {
      n.keys.splice(i, 0, key);
      if (n.rows) n.rows.splice(i, 0, undefined);
      n.offs.splice(i, 0, off);
      n.sizes.splice(i, 0, size);
      n.ovfl.splice(i, 0, 0);
    }
    n.bytes += this.store.cellBytes(n.type, size);
    n.dirty = true;
  }

  /** Drops cell `i` of a leaf and frees its overflow pages. */
  private removeCell(n: OpenNode, i: number): void {
    if (n.ovfl[i]) this.store.freeChain(n.ovfl[i]);
    n.bytes -= this.store.cellBytes(n.type, n.sizes[i]);
    n.keys.splice(i, 1);
    if (n.rows) n.rows.splice(i, 1);
    n.offs.splice(i, 1);
    n.sizes.splice(i, 1);
    n.ovfl.splice(i, 1);
    n.dirty = true;
  }

  /** Moves cells [from, end) of `a` to the end of `b` (record bytes are copied into `b`). */
  private moveCells(a: OpenNode, from: number, b: OpenNode): void {
    const store = this.store;
    const keys = a.keys.splice(from);
    const sizes = a.sizes.splice(from);
    const ovfl = a.ovfl.splice(from);
    const offs = a.offs.splice(from);
    const rows = a.rows ? a.rows.splice(from) : null;
    let moved = 0;
    for (let i = 0; i < keys.length; i++) {
      moved += store.cellBytes(a.type, sizes[i]);
      b.offs.push(offs[i] >= 0 && sizes[i] ? store.put(b, a.data, offs[i], sizes[i]) : -1);
      b.keys.push(keys[i]);
      b.sizes.push(sizes[i]);
      b.ovfl.push(ovfl[i]);
      if (rows) b.rows!.push(rows[i]);
    }
    a.bytes -= moved;
    b.bytes += moved;
    a.dirty = b.dirty = true;
  }

  /** Splits the overfull last node of `path`, then any parent that overflows in turn. */
  private split(path: Path, append: boolean): void {
    const store = this.store;
    for (let level = path.nodes.length - 1; level >= 0; level--) {
      const n = store.cells(path.nodes[level]);
      if (n.bytes <= store.usable) return;
      if (level === 0) {
        // Root split: the root's cells move to a new child so the root page number stays put.
        const child = store.create(n.type);
        this.moveCells(n, 0, child);
        if (n.children) child.children = n.children;
        child.next = n.next;
        n.next = 0;
        n.type = this.index ? INDEX_INTERIOR : TABLE_INTERIOR;
        n.rows = null;
        n.children = [child.pgno];
        n.data = Buffer.allocUnsafe(this.index ? store.usable : 0);
        n.view = null;
        n.owned = true;
        n.end = 0;
        n.bytes = HDR;
        n.dirty = true;
        path.nodes.splice(1, 0, child);
        path.idx.splice(0, 0, 0);
        level = 2; // the loop decrements to 1: split the child under the new root
        continue;
      }
      const parent = store.cells(path.nodes[level - 1]);
      const at = path.idx[level - 1];
      const right = store.create(n.type);
      if (isLeaf(n)) {
        // Appending in key order (rowid autoincrement) leaves full pages behind: move only the new cell.
        let m = n.keys.length - 1;
        if (!append) m = this.splitPoint(n);
        this.moveCells(n, m, right);
        right.next = n.next;
        n.next = right.pgno;
        const last = n.keys.length - 1;
        if (this.index) {
          // The separator is a copy of the left half's largest key (its own record, own overflow chain).
          const rec = store.record(n, last);
          this.insertChild(parent, at, undefined, n.sizes[last], right.pgno, rec.buf, rec.off, 0);
        } else this.insertChild(parent, at, n.keys[last] as number, 0, right.pgno, null, -1, 0);
        // An append fills leaves one after another and leaves each behind full: write it back now and
        // keep only its page, so a bulk load's rows do not pile up on the heap as cell arrays.
        if (append) store.writeNode(n, true);
      } else {
        const m = this.splitPoint(n);
        // Keys after m go right with their children; key m moves up (with its record and chain).
        const upKey = n.keys[m];
        const upSize = n.sizes[m];
        const upOvfl = n.ovfl[m];
        const upOff = n.offs[m];
        const upData = n.data;
        this.moveCells(n, m + 1, right);
        right.children = n.children!.splice(m + 1);
        n.keys.pop();
        n.sizes.pop();
        n.ovfl.pop();
        n.offs.pop();
        n.bytes -= store.cellBytes(n.type, upSize);
        this.insertChild(parent, at, upKey, upSize, right.pgno, upData, upOff, upOvfl);
      }
      append = false;
    }
  }

  /** The cell index where a node's bytes are split in half. */
  private splitPoint(n: OpenNode): number {
    const half = (n.bytes - HDR) / 2;
    let acc = 0;
    let m = 0;
    const last = n.keys.length - 1;
    while (m < last) {
      acc += this.store.cellBytes(n.type, n.sizes[m]);
      if (acc >= half) break;
      m++;
    }
    return Math.max(1, Math.min(m, last));
  }

  /**
   * In `parent`, the child at `at` was split: the separator (rowid, or index record bytes at
   * `src[off]`, or only an overflow chain when `off` is -1) bounds it and `pgno` is the new right half.
   */
  private insertChild(parent: OpenNode, at: number, key: number | Value[] | undefined, size: number, pgno: number, src: Buffer | null, off: number, ovfl: number): void {
    const store = this.store;
    const where = src && off >= 0 ? store.put(parent, src, off, size) : -1;
    parent.keys.splice(at, 0, key);
    parent.offs.splice(at, 0, where);
    parent.sizes.splice(at, 0, size);
    parent.ovfl.splice(at, 0, ovfl);
    parent.children!.splice(at + 1, 0, pgno);
    parent.bytes += store.cellBytes(parent.type, size);
    parent.dirty = true;
  }

  /**
   * Removes child `at` and the separator below it (the one after it for the first child), so the
   * neighbour that took over the child's cells, or its key range, keeps a valid upper bound.
   */
  private removeChild(parent: OpenNode, at: number): void {
    const k = at > 0 ? at - 1 : 0;
    if (k < parent.keys.length) {
      if (parent.ovfl[k]) this.store.freeChain(parent.ovfl[k]);
      parent.bytes -= this.store.cellBytes(parent.type, parent.sizes[k]);
      parent.keys.splice(k, 1);
      parent.offs.splice(k, 1);
      parent.sizes.splice(k, 1);
      parent.ovfl.splice(k, 1);
    }
    parent.children!.splice(at, 1);
    parent.dirty = true;
  }

  /** The leaf before the one at the end of `path`, or null when it is the first. */
  private prevLeaf(path: Path): Node | null {
    for (let d = path.nodes.length - 2; d >= 0; d--) {
      if (path.idx[d] > 0) {
        let n = this.store.get(path.nodes[d].children![path.idx[d] - 1]);
        while (n.children) n = this.store.get(n.children[n.children.length - 1]);
        return n;
      }
    }
    return null;
  }

  /** After a delete: frees an empty leaf, merges an under-full one with a sibling, shrinks the root. */
  private rebalance(path: Path): void {
    const store = this.store;
    const depth = path.nodes.length - 1;
    const leaf = store.cells(path.nodes[depth]);
    if (depth === 0) return;
    const parent = store.cells(path.nodes[depth - 1]);
    const at = path.idx[depth - 1];
    if (leaf.keys.length === 0) {
      const prev = this.prevLeaf(path);
      if (prev) {
        prev.next = leaf.next;
        prev.dirty = true;
      }
      this.removeChild(parent, at);
      leaf.dirty = false;
      store.free(leaf.pgno);
      // Interior nodes left without children go too.
      for (let d = depth - 1; d > 0 && path.nodes[d].children!.length === 0; d--) {
        this.removeChild(store.cells(path.nodes[d - 1]), path.idx[d - 1]);
        path.nodes[d].dirty = false;
        store.free(path.nodes[d].pgno);
      }
    } else if (leaf.bytes < store.usable / 4) {
      const children = parent.children!;
      if (at + 1 < children.length) {
        const right = store.cells(store.get(children[at + 1]));
        if (leaf.bytes + right.bytes - HDR <= store.usable) {
          this.moveCells(right, 0, leaf);
          leaf.next = right.next;
          this.removeChild(parent, at + 1);
          // The separator kept is the one after the removed child's: still an upper bound for `leaf`.
          right.dirty = false;
          store.free(right.pgno);
        }
      } else if (at > 0) {
        const left = store.cells(store.get(children[at - 1]));
        if (leaf.bytes + left.bytes - HDR <= store.usable) {
          this.moveCells(leaf, 0, left);
          left.next = leaf.next;
          this.removeChild(parent, at);
          leaf.dirty = false;
          store.free(leaf.pgno);
        }
      }
    }
    this.shrinkRoot();
  }

  /** A root with a single child takes over that child's cells (the root page number never changes). */
  private shrinkRoot(): void {
    const store = this.store;
    const root = store.get(this.root);
    if (root.children && root.children.length === 0) {
      root.type = this.index ? INDEX_LEAF : TABLE_LEAF;
      root.children = null;
      root.rows = this.index ? null : [];
      root.keys = [];
      root.offs = [];
      root.sizes = [];
      root.ovfl = [];
      root.data = Buffer.allocUnsafe(store.usable);
      root.view = null;
      root.owned = true;
      root.end = 0;
      root.bytes = HDR;
      root.next = 0;
      root.dirty = true;
      return;
    }
    while (root.children && root.children.length === 1) {
      const child = store.get(root.children[0]);
      this.takeOver(root, child);
      root.next = 0;
      store.free(child.pgno);
    }
  }

  // ---- whole-tree operations ----

  /** Every page of the tree (interior, leaf and overflow), for DROP and the integrity check. */
  pages(): number[] {
    const out: number[] = [];
    const walk = (pgno: number): void => {
      const n = this.store.cells(this.store.get(pgno));
      out.push(pgno);
      for (const o of n.ovfl) if (o) out.push(...this.store.chain(o));
      if (n.children) for (const c of n.children) walk(c);
    };
    walk(this.root);
    return out;
  }

  /**
   * Checks the tree's invariants: keys ordered within and across pages, every key inside its
   * parent's bounds, leaves chained left to right, the root's entry count, no page used twice.
   */
  check(seen: Map<number, string>, name: string, problems: string[]): void {
    const leaves: number[] = [];
    let count = 0;
    let prevKey: number | Value[] | null = null;
    const cmp = (a: number | Value[], b: number | Value[]): number => (typeof a === 'number' ? a - (b as number) : fullCompare(a, b as Value[]));
    const use = (pgno: number, what: string) => {
      const other = seen.get(pgno);
      if (other) problems.push(`page ${pgno} is used twice (${other} and ${what})`);
      seen.set(pgno, what);
    };
    const walk = (pgno: number, lo: number | Value[] | null, hi: number | Value[] | null, depth: number, leafDepth: { d: number }): void => {
      use(pgno, name);
      if (depth > 64) return void problems.push(`${name}: tree too deep at page ${pgno}`);
      const n = this.store.full(this.store.get(pgno));
      const keys = n.keys as (number | Value[])[];
      const rows = n.rows as Value[][] | null;
      const wantLeaf = this.index ? INDEX_LEAF : TABLE_LEAF;
      const wantInterior = this.index ? INDEX_INTERIOR : TABLE_INTERIOR;
      if (n.type !== wantLeaf && n.type !== wantInterior) return void problems.push(`${name}: page ${pgno} has the wrong type ${n.type}`);
      for (const o of n.ovfl) if (o) for (const p of this.store.chain(o)) use(p, `${name} overflow`);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        if (i > 0 && cmp(keys[i - 1], k) >= 0) problems.push(`${name}: keys out of order on page ${pgno}`);
        if (lo !== null && cmp(k, lo) <= 0) problems.push(`${name}: key on page ${pgno} below its parent's range`);
        if (hi !== null && cmp(k, hi) > 0) problems.push(`${name}: key on page ${pgno} above its parent's range`);
      }
      if (n.children) {
        if (n.children.length !== keys.length + 1) problems.push(`${name}: page ${pgno} has ${n.children.length} children for ${keys.length} keys`);
        n.children.forEach((c, i) => walk(c, i === 0 ? lo : keys[i - 1], i < keys.length ? keys[i] : hi, depth + 1, leafDepth));
      } else {
        if (leafDepth.d < 0) leafDepth.d = depth;
        else if (leafDepth.d !== depth) problems.push(`${name}: leaves at different depths`);
        if (keys.length === 0 && pgno !== this.root) problems.push(`${name}: empty leaf page ${pgno}`);
        if (rows) rows.forEach((r, i) => r[r.length - 1] !== keys[i] && problems.push(`${name}: rowid mismatch on page ${pgno}`));
        leaves.push(pgno);
        count += keys.length;
        if (keys.length) {
          if (prevKey !== null && cmp(prevKey, keys[0]) >= 0) problems.push(`${name}: leaf ${pgno} out of order with its left neighbour`);
          prevKey = keys[keys.length - 1];
        }
      }
    };
    walk(this.root, null, null, 0, { d: -1 });
    for (let i = 0; i < leaves.length; i++) {
      const next = this.store.get(leaves[i]).next;
      if (next !== (leaves[i + 1] ?? 0)) problems.push(`${name}: leaf ${leaves[i]} links to ${next}, expected ${leaves[i + 1] ?? 0}`);
    }
    const root = this.store.get(this.root);
    if (root.count !== count) problems.push(`${name}: root counts ${root.count} entries, found ${count}`);
  }
}
