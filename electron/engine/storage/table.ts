import { SqlError } from '../errors';
import type { Expr, Select } from '../sql/ast';
import { rowKey, valueKey, type Affinity, type Value } from '../record/values';

export interface Column {
  name: string;
  type: string;
  affinity: Affinity;
  notNull: boolean;
  dflt?: Expr;
}

/** A uniqueness rule (PRIMARY KEY, UNIQUE, CREATE UNIQUE INDEX) with its key → rowid map. */
export interface UniqueKey {
  name: string;
  cols: number[];
  map: Map<string, number>;
}

export interface IndexDef {
  name: string;
  table: string;
  cols: string[];
  unique: boolean;
}

/**
 * Rows of one table keyed by rowid. A row is stored as its column values followed by the rowid, so a
 * scan hands rows to the executor without copying.
 */
export class Table {
  rows = new Map<number, Value[]>();
  maxRowid = 0;
  /** Scans are in rowid order; inserting below the max breaks Map order, repaired lazily. */
  private ordered = true;
  private snapshot: Value[][] | null = null;
  uniques: UniqueKey[] = [];
  readonly lname: string;
  /** Set on durable databases: every row change is reported so the commit can log it. */
  journal: ((op: 'ins' | 'del', rowid: number, row: Value[] | null) => void) | null = null;

  constructor(
    public name: string,
    public cols: Column[],
    /** Index of the INTEGER PRIMARY KEY column that aliases the rowid, or -1. */
    public ipk: number,
    public sql: string,
  ) {
    this.lname = name.toLowerCase();
  }

  get width(): number {
    return this.cols.length;
  }

  /** Rows in rowid order; the array is shared until the next write. */
  scan(): Value[][] {
    if (this.snapshot) return this.snapshot;
    if (!this.ordered) {
      const keys = [...this.rows.keys()].sort((a, b) => a - b);
      const m = new Map<number, Value[]>();
      for (const k of keys) m.set(k, this.rows.get(k)!);
      this.rows = m;
      this.ordered = true;
    }
    this.snapshot = [...this.rows.values()];
    return this.snapshot;
  }

  uniqueKeyOf(u: UniqueKey, row: Value[]): string | null {
    const vals: Value[] = [];
    for (const c of u.cols) {
      if (row[c] === null) return null; // NULLs are distinct from each other
      vals.push(row[c]);
    }
    return rowKey(vals);
  }

  /** Rowids of existing rows that clash with `row` (primary key or any unique key), excluding `self`. */
  conflicts(row: Value[], rowid: number, self: number | null): { rowid: number; what: string }[] {
    // The common case (no clash, no unique keys) allocates nothing: inserts call this per row.
    if (!this.uniques.length && (rowid === self || !this.rows.has(rowid))) return NO_CONFLICTS;
    const out: { rowid: number; what: string }[] = [];
    if (rowid !== self && this.rows.has(rowid)) out.push({ rowid, what: this.ipk >= 0 ? `${this.name}.${this.cols[this.ipk].name}` : `${this.name}.rowid` });
    for (const u of this.uniques) {
      const k = this.uniqueKeyOf(u, row);
      if (k === null) continue;
      const other = u.map.get(k);
      if (other !== undefined && other !== self) out.push({ rowid: other, what: u.cols.map((c) => `${this.name}.${this.cols[c].name}`).join(', ') });
    }
    return out;
  }

  insert(rowid: number, row: Value[]): void {
    row[this.cols.length] = rowid;
    if (rowid <= this.maxRowid && this.rows.size) this.ordered = false;
    if (rowid > this.maxRowid) this.maxRowid = rowid;
    this.rows.set(rowid, row);
    for (const [col, idx] of this.hashes) {
      const v = row[col];
      if (v === null) continue;
      const k = valueKey(v);
      const list = idx.get(k);
      if (list) list.push(row);
      else idx.set(k, [row]);
    }
    if (this.journal) this.journal('ins', rowid, row);
    for (const u of this.uniques) {
      const k = this.uniqueKeyOf(u, row);
      if (k !== null) u.map.set(k, rowid);
    }
    this.snapshot = null;
  }

  delete(rowid: number): Value[] | undefined {
    const row = this.rows.get(rowid);
    if (!row) return undefined;
    this.rows.delete(rowid);
    for (const [col, idx] of this.hashes) {
      const v = row[col];
      if (v === null) continue;
      const k = valueKey(v);
      const list = idx.get(k);
      if (!list) continue;
      const rest = list.filter((r) => r !== row);
      if (rest.length) idx.set(k, rest);
      else idx.delete(k);
    }
    if (this.journal) this.journal('del', rowid, null);
    for (const u of this.uniques) {
      const k = this.uniqueKeyOf(u, row);
      if (k !== null && u.map.get(k) === rowid) u.map.delete(k);
    }
    this.snapshot = null;
    return row;
  }

  private hashes = new Map<number, Map<string, Value[][]>>();

  /**
   * Equality index on one column: built by CREATE INDEX or on first use by the planner, then kept
   * up to date by every insert and delete.
   */
  hasHashIndex(col: number): boolean {
    return this.hashes.has(col);
  }

  hashIndex(col: number): Map<string, Value[][]> {
    let idx = this.hashes.get(col);
    if (idx) return idx;
    idx = new Map();
    for (const row of this.scan()) {
      const v = row[col];
      if (v === null) continue;
      const k = valueKey(v);
      const list = idx.get(k);
      if (list) list.push(row);
      else idx.set(k, [row]);
    }
    this.hashes.set(col, idx);
    return idx;
  }

  nextRowid(): number {
    if (this.maxRowid >= Number.MAX_SAFE_INTEGER) throw new SqlError('SQL_ERROR', 'database or disk is full');
    return this.maxRowid + 1;
  }

  addUnique(name: string, cols: number[]): void {
    const u: UniqueKey = { name, cols, map: new Map() };
    for (const [rowid, row] of this.rows) {
      const k = this.uniqueKeyOf(u, row);
      if (k === null) continue;
      if (u.map.has(k)) throw new SqlError('SQL_CONSTRAINT', `UNIQUE constraint failed: ${cols.map((c) => `${this.name}.${this.cols[c].name}`).join(', ')}`);
      u.map.set(k, rowid);
    }
    this.uniques.push(u);
  }
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
