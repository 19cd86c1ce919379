import { SqlError } from '../errors';
import type { Expr, Select } from '../sql/ast';
import { compare, compareText, plainKey, type Affinity, type Value } from '../record/values';
import type { RowPool } from '../btree/node';
import type { ColumnBuf, TextProbe } from '../btree/record';
import type { BTree } from '../btree/tree';

export interface Column {
  name: string;
  type: string;
  affinity: Affinity;
  notNull: boolean;
  dflt?: Expr;
}

/**
 * An index B+tree over some columns of a table: PRIMARY KEY / UNIQUE constraints (`auto`, named
 * sqlite_autoindex_…) and CREATE [UNIQUE] INDEX. Its keys are the column values then the rowid.
 */
export interface TableIndex {
  name: string;
  cols: number[];
  unique: boolean;
  auto: boolean;
  tree: BTree;
}

export interface IndexDef {
  name: string;
  table: string;
  cols: string[];
  unique: boolean;
}

/**
 * A table stored in a table B+tree keyed by rowid, plus its index B+trees. A row is handed out as its
 * column values followed by the rowid (`row[width]`); rows returned by reads are shared with the
 * decoded-node cache and must not be modified.
 */
export class Table {
  indexes: TableIndex[] = [];
  readonly lname: string;
  private maxRowid = -1;
  /** Set on databases logged by a logical journal: every row change is reported to it. */
  journal: ((op: 'ins' | 'del', rowid: number, row: Value[] | null) => void) | null = null;

  constructor(
    public name: string,
    public cols: Column[],
    /** Index of the INTEGER PRIMARY KEY column that aliases the rowid, or -1. */
    public ipk: number,
    public sql: string,
    readonly tree: BTree,
  ) {
    this.lname = name.toLowerCase();
  }

  get width(): number {
    return this.cols.length;
  }

  /** Number of rows (kept in the root page). */
  get size(): number {
    return this.tree.count;
  }

  get(rowid: number): Value[] | undefined {
    return this.tree.get(rowid);
  }

  /** The row at `rowid` with only the columns `want` names decoded (see scanColumns). */
  getColumns(rowid: number, want: Int32Array): Value[] | undefined {
    return this.tree.get(rowid, want);
  }

  /** Rows in rowid order, a leaf page at a time. */
  scan(): Iterable<Value[][]> {
    return this.tree.chunks();
  }

  /**
   * Rows in rowid order, a leaf page at a time, with only the columns `want` names decoded (`want[c]
   * === c`; the others read as NULL). Rows are fresh arrays, not the cached ones. With a `pool`,
   * every chunk reuses the arrays of the one before.
   */
  scanColumns(want: Int32Array, lo = -Infinity, hi = Infinity, pool: RowPool | null = null): Iterable<Value[][]> {
    return this.tree.chunks(lo, hi, want, pool);
  }

  /**
   * scanColumns() of the whole table, less the rows whose stored text fails a `pre` probe (the
   * caller still applies its own filters), in chunks of several leaves (see BTree.matching).
   */
  scanMatching(want: Int32Array, pre: TextProbe[], pool: RowPool | null = null): Iterable<Value[][]> {
    return this.tree.matching(want, pre, pool);
  }

  /** Values `cols` of the rows with lo <= rowid <= hi, a leaf at a time (see BTree.columns). */
  columns(lo: number, hi: number, cols: Int32Array, bufs: ColumnBuf[], each: (count: number) => void): void {
    this.tree.columns(lo, hi, cols, bufs, each);
  }

  /** Rows with lo <= rowid <= hi in rowid order. */
  range(lo: number, hi: number): Iterable<Value[][]> {
    return this.tree.chunks(lo, hi);
  }

  /** Every row, materialised (for callers that change the table while walking the result). */
  all(): Value[][] {
    const out: Value[][] = [];
    for (const chunk of this.tree.chunks()) for (const r of chunk) out.push(r);
    return out;
  }

  keyOf(ix: TableIndex, row: Value[], rowid: number): Value[] {
    const key = new Array<Value>(ix.cols.length + 1);
    for (let i = 0; i < ix.cols.length; i++) key[i] = row[ix.cols[i]];
    key[ix.cols.length] = rowid;
    return key;
  }

  /** Rowids whose index key starts with `prefix` (in index order). */
  lookup(ix: TableIndex, prefix: Value[]): number[] {
    const out: number[] = [];
    const n = prefix.length;
    ix.tree.scanKeys(prefix, (k) => {
      for (let i = 0; i < n; i++) if (compare(k[i], prefix[i]) !== 0) return false;
      out.push(k[k.length - 1] as number);
      return true;
    });
    return out;
  }

  /** Another row with the same values in a unique index (NULLs never clash), or null. */
  private clash(ix: TableIndex, row: Value[], self: number | null): number | null {
    const prefix = new Array<Value>(ix.cols.length);
    for (let i = 0; i < ix.cols.length; i++) {
      const v = row[ix.cols[i]];
      if (v === null) return null;
      prefix[i] = v;
    }
    let found: number | null = null;
    ix.tree.scanKeys(prefix, (k) => {
      for (let i = 0; i < prefix.length; i++) if (compare(k[i], prefix[i]) !== 0) return false;
      const rowid = k[k.length - 1] as number;
      if (rowid === self) return true;
      found = rowid;
      return false;
    });
    return found;
  }

  /** Rowids of existing rows that clash with `row` (primary key or any unique key), excluding `self`. */
  conflicts(row: Value[], rowid: number, self: number | null): { rowid: number; what: string }[] {
    let out: { rowid: number; what: string }[] | null = null;
    // Rowids above the largest one cannot clash (the common append case skips a descent).
    if (this.maxRowid < 0) this.maxRowid = Math.max(0, this.tree.maxKey());
    if (rowid !== self && rowid <= this.maxRowid && this.tree.get(rowid)) (out ??= []).push({ rowid, what: this.ipk >= 0 ? `${this.name}.${this.cols[this.ipk].name}` : `${this.name}.rowid` });
    for (const ix of this.indexes) {
      if (!ix.unique) continue;
      const other = this.clash(ix, row, self);
      if (other !== null) (out ??= []).push({ rowid: other, what: ix.cols.map((c) => `${this.name}.${this.cols[c].name}`).join(', ') });
    }
    return out ?? NO_CONFLICTS;
  }

  insert(rowid: number, row: Value[]): void {
    row[this.cols.length] = rowid;
    this.tree.insert(rowid, row);
    if (this.maxRowid >= 0 && rowid > this.maxRowid) this.maxRowid = rowid;
    for (const ix of this.indexes) ix.tree.insertKey(this.keyOf(ix, row, rowid));
    if (this.journal) this.journal('ins', rowid, row);
  }

  delete(rowid: number): Value[] | undefined {
    const row = this.tree.delete(rowid);
    if (!row) return undefined;
    if (rowid === this.maxRowid) this.maxRowid = -1;
    for (const ix of this.indexes) ix.tree.deleteKey(this.keyOf(ix, row, rowid));
    if (this.journal) this.journal('del', rowid, null);
    return row;
  }

  nextRowid(): number {
    if (this.maxRowid < 0) this.maxRowid = Math.max(0, this.tree.maxKey());
    if (this.maxRowid >= Number.MAX_SAFE_INTEGER) throw new SqlError('SQL_ERROR', 'database or disk is full');
    return this.maxRowid + 1;
  }

  /** Forgets cached facts about the tree (after a rollback replaced its pages). */
  invalidate(): void {
    this.maxRowid = -1;
  }

  /**
   * Adds an index; a new (empty) tree is filled from the rows, checking uniqueness. The keys are
   * sorted first and loaded bottom-up (packed pages, no descents).
   */
  addIndex(ix: TableIndex, build: boolean): void {
    if (build) {
      // Column values are sorted through a permutation (no key array per row until loading).
      const { values, rowids } = this.tree.projectColumns(ix.cols);
      const n = ix.cols.length;
      const perm = new Array<number>(rowids.length);
      for (let i = 0; i < perm.length; i++) perm[i] = i; // not Array.from: its callback per element is slower
      // When every text is plainText(), `<` orders them (one test per value, not per comparison).
      const plain = values.every(plainKey);
      const text = plain ? (x: string, y: string) => (x < y ? -1 : 1) : compareText;
      perm.sort((a, b) => {
        for (let j = 0; j < n; j++) {
          const x = values[j][a];
          const y = values[j][b];
          if (typeof x === 'string' && typeof y === 'string') {
            if (x !== y) return text(x, y);
          } else if (typeof x === 'number' && typeof y === 'number') {
            if (x !== y) return x < y ? -1 : 1;
          } else {
            const c = compare(x, y);
            if (c) return c;
          }
        }
        return a - b; // rows were projected in rowid order
      });
      const keyAt = (i: number, key: Value[]): Value[] => {
        const at = perm[i];
        for (let j = 0; j < n; j++) key[j] = values[j][at];
        key[n] = rowids[at];
        return key;
      };
      if (ix.unique) {
        const prev = new Array<Value>(n + 1);
        const cur = new Array<Value>(n + 1);
        for (let i = 1; i < perm.length; i++) {
          if (samePrefix(keyAt(i - 1, prev), keyAt(i, cur), n))
            throw new SqlError('SQL_CONSTRAINT', `UNIQUE constraint failed: ${ix.cols.map((c) => `${this.name}.${this.cols[c].name}`).join(', ')}`);
        }
      }
      if (ix.tree.count === 0) {
        const scratch = new Array<Value>(n + 1);
        ix.tree.bulkLoadFrom(perm.length, (i) => keyAt(i, scratch));
      } else for (let i = 0; i < perm.length; i++) ix.tree.insertKey(keyAt(i, new Array<Value>(n + 1)));
    }
    this.indexes.push(ix);
  }
}

/** Equal non-NULL values in the first `n` positions (NULLs never clash in a UNIQUE index). */
function samePrefix(a: Value[], b: Value[], n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] === null || compare(a[i], b[i]) !== 0) return false;
  return true;
}

const NO_CONFLICTS: { rowid: number; what: string }[] = [];

export interface View {
  name: string;
  sel: Select;
  sql: string;
}

export interface VirtualTable {
  name: string;
  columns: { name: string; type: string }[];
  scan(): Iterable<unknown[]>;
}
