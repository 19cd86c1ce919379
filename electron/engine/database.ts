import { isMainThread } from 'node:worker_threads';
import { SqlError } from './errors';
import type { Stmt } from './sql/ast';
import { parse } from './sql/parser';
import { affinityOf, exportValue, importValue, typeOf, type Value } from './record/values';
import { Table, type Column, type IndexDef, type TableIndex, type View, type VirtualTable } from './storage/table';
import type { Catalog } from './exec/catalog';
import { makeCtx, type ExecCtx } from './exec/env';
import { runDelete, runInsert, runUpdate, type UndoLog } from './exec/dml';
import { compileSelect, type PlannedQuery } from './exec/select';
import { NodeStore } from './btree/node';
import { BTree } from './btree/tree';
import { openMemoryPager, openPager } from './pager/file-pager';
import { checkIntegrity } from './pager/integrity';
import type { PageStore } from './pager/types';

export type Params = unknown[] | Record<string, unknown> | undefined;
export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  changes: number;
  /**
   * With `{ classes: true }`: the storage class of each value of `rows` ('null', 'integer', 'real',
   * 'text', 'blob'). `rows` holds plain numbers, so a REAL such as 2.0 is told apart only here.
   */
  classes?: string[][];
}

export interface QueryOptions {
  /** Also return each value's storage class (see QueryResult.classes). */
  classes?: boolean;
}

export interface OpenOptions {
  /** Abort any statement that runs longer than this many milliseconds. */
  timeoutMs?: number;
  /** Checkpoint automatically once the WAL holds this many page frames (default: the pager's). */
  checkpointPages?: number;
  /** Clean pages the pager keeps in memory. */
  cachePages?: number;
  /** A commit adding at least this many new pages writes them in place, not to the WAL (default: the pager's). */
  directPages?: number;
  /** Decoded B+tree pages kept in memory (default 32768: 128 MiB of 4 KiB pages). */
  nodeCache?: number;
  /** Page size of a new database file. */
  pageSize?: number;
  /**
   * Take the `<db>-lock` file so no other process opens the database. Default: true on the main
   * thread, false in a worker thread (a terminated worker can never release it, and its owner
   * reopens the file in a new worker of the same process; the owner must keep it exclusive).
   */
  lock?: boolean;
}

/** Meta slot (pager header) holding the root page of the schema catalog. */
const META_SCHEMA_ROOT = 0;
/** Meta slot holding the B+tree format version. */
const META_FORMAT = 1;
const FORMAT_VERSION = 1;

/** The schema catalog's columns, like sqlite_schema. */
const CATALOG_COLS: Column[] = ['type', 'name', 'tbl_name', 'rootpage', 'sql'].map((name) => ({ name, type: '', affinity: 'BLOB', notNull: false }));

/** The engine's public face: a catalog, the statement runner and transaction state. */
export class Database implements Catalog {
  private tables = new Map<string, Table>();
  private indexes = new Map<string, IndexDef>();
  private views = new Map<string, View>();
  private virtuals = new Map<string, VirtualTable>();
  private undo: UndoLog = [];
  private explicitTx = false;
  private interruptFlag = false;
  private readonly interrupted = () => this.interruptFlag;
  private closed = false;
  private readonly pager: PageStore;
  private readonly store: NodeStore;
  private catalog!: Table;
  /** Bumped by every DDL so prepared statements know to recompile. */
  schemaVersion = 0;

  private constructor(
    readonly path: string,
    private opts: OpenOptions,
  ) {
    const memory = path === ':memory:' || path === '';
    this.pager = memory
      ? openMemoryPager({ pageSize: opts.pageSize })
      : openPager(path, { pageSize: opts.pageSize, cachePages: opts.cachePages, checkpointPages: opts.checkpointPages, directPages: opts.directPages, lock: opts.lock ?? isMainThread });
    this.store = new NodeStore(this.pager, opts.nodeCache ?? 32768);
  }

  /** Opens (or creates) a database file; the pager recovers committed transactions from its WAL. */
  static open(path = ':memory:', opts: OpenOptions = {}): Database {
    const db = new Database(path, opts);
    try {
      db.init();
    } catch (e) {
      db.pager.close();
      throw e;
    }
    return db;
  }

  private init(): void {
    let root = this.pager.getMeta(META_SCHEMA_ROOT);
    if (root === 0) {
      this.pager.begin();
      root = BTree.create(this.store, false).root;
      this.pager.setMeta(META_SCHEMA_ROOT, root);
      this.pager.setMeta(META_FORMAT, FORMAT_VERSION);
      this.commitPages();
    } else if (this.pager.getMeta(META_FORMAT) !== FORMAT_VERSION) {
      throw new SqlError('SQL_ERROR', `unsupported B+tree format version ${this.pager.getMeta(META_FORMAT)}`);
    }
    this.catalog = new Table('sqlite_schema', CATALOG_COLS, -1, '', new BTree(this.store, root, false));
    this.loadSchema();
  }

  /** Rebuilds tables, indexes and views from the catalog (at open and after a rollback). */
  private loadSchema(): void {
    this.tables.clear();
    this.indexes.clear();
    this.views.clear();
    const rows = this.catalog.all();
    const roots = new Map<string, number>();
    for (const r of rows) if (r[0] === 'index') roots.set(String(r[1]).toLowerCase(), r[3] as number);
    for (const r of rows) {
      const sql = r[4] as string | null;
      if (!sql) continue;
      const stmt = parse(sql)[0]?.stmt;
      if (!stmt) throw new SqlError('SQL_ERROR', `database disk image is malformed: bad schema entry ${String(r[1])}`);
      if (stmt.k === 'createTable' && r[0] === 'table') this.buildTable(stmt, sql, null, r[3] as number, roots);
      else if (stmt.k === 'createIndex') this.attachIndex(stmt, r[3] as number);
      else if (stmt.k === 'createView') this.views.set(stmt.name.toLowerCase(), { name: stmt.name, sel: stmt.sel, sql });
    }
    this.schemaVersion++;
  }

  /** Writes decoded nodes back to their pages and commits the pager's transaction (durable on return). */
  private commitPages(): void {
    this.store.flush();
    this.pager.commit();
  }

  /** Forgets the open page transaction and every decoded node and cached fact derived from it. */
  private abandonPages(): void {
    if (this.pager.inTransaction) this.pager.rollback();
    this.store.reset();
    for (const t of this.tables.values()) t.invalidate();
    this.catalog.invalidate();
  }

  /** Copies the WAL into the main file (outside a transaction). */
  checkpoint(): void {
    if (this.explicitTx || this.closed) return;
    this.pager.checkpoint();
  }

  get inTransaction(): boolean {
    return this.explicitTx;
  }

  table(name: string): Table | undefined {
    return this.tables.get(name.toLowerCase());
  }
  view(name: string): View | undefined {
    return this.views.get(name.toLowerCase());
  }
  virtual(name: string): VirtualTable | undefined {
    return this.virtuals.get(name.toLowerCase());
  }

  registerVirtualTable(name: string, def: Omit<VirtualTable, 'name'>): void {
    this.virtuals.set(name.toLowerCase(), { name, ...def });
    this.schemaVersion++;
  }

  /** Asks the running statement to stop; it throws SQL_INTERRUPTED and its changes are undone. */
  interrupt(): void {
    this.interruptFlag = true;
  }

  exec(sql: string): void {
    for (const { stmt, text } of parse(sql)) this.run(stmt, text, undefined);
  }

  query(sql: string, params?: Params, options: QueryOptions = {}): QueryResult {
    let last: QueryResult = { columns: [], rows: [], changes: 0 };
    for (const { stmt, text } of parse(sql)) last = this.run(stmt, text, params, options.classes === true);
    return last;
  }

  prepare(sql: string): Statement {
    const parsed = parse(sql);
    if (parsed.length !== 1) throw new SqlError('SQL_MISUSE', parsed.length ? 'prepare() takes exactly one statement' : 'empty statement');
    return new Statement(this, parsed[0].stmt, parsed[0].text);
  }

  /** Rolls back an open transaction, then closes the pager (which checkpoints a file database). */
  close(): void {
    if (this.closed) return;
    if (this.explicitTx) {
      this.explicitTx = false;
      this.undo = [];
    }
    this.abandonPages();
    this.closed = true;
    this.pager.close();
  }

  /** Names of user tables, indexes and views, as the CLI's .tables/.schema show them. */
  schema(): { type: string; name: string; sql: string }[] {
    return [
      ...[...this.tables.values()].map((t) => ({ type: 'table', name: t.name, sql: t.sql })),
      ...[...this.indexes.values()].map((i) => ({ type: 'index', name: i.name, sql: `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${i.name} ON ${i.table}(${i.cols.join(', ')})` })),
      ...[...this.views.values()].map((v) => ({ type: 'view', name: v.name, sql: v.sql })),
    ];
  }

  /**
   * B+tree invariants for every tree (keys ordered, within their parent's bounds, leaves chained,
   * entry counts, no page used twice), every index entry matching a row and every row indexed,
   * INTEGER PRIMARY KEY aliasing, then the pager's check (checksums, free list disjoint from the
   * pages in use, no page lost).
   */
  integrityCheck(): string[] {
    const problems: string[] = [];
    const seen = new Map<number, string>();
    this.catalog.tree.check(seen, 'sqlite_schema', problems);
    for (const t of this.tables.values()) {
      t.tree.check(seen, t.name, problems);
      if (t.ipk >= 0) {
        for (const chunk of t.scan()) for (const row of chunk) if (row[t.ipk] !== row[t.width]) problems.push(`${t.name}: primary key ${String(row[t.width])} mismatch`);
      }
      for (const ix of t.indexes) {
        ix.tree.check(seen, ix.name, problems);
        if (ix.tree.count !== t.size) problems.push(`${ix.name}: ${ix.tree.count} entries for ${t.size} rows`);
        for (const chunk of t.scan()) {
          for (const row of chunk) {
            const key = t.keyOf(ix, row, row[t.width] as number);
            if (!t.lookup(ix, key).length) problems.push(`${ix.name}: row ${String(row[t.width])} missing from the index`);
          }
        }
      }
    }
    if (problems.length) return problems;
    if (!this.pager.inTransaction) {
      const report = checkIntegrity(this.pager, { inUse: seen.keys() });
      problems.push(...report.problems);
    }
    return problems.length ? problems : ['ok'];
  }

  private ctx(params: Params): ExecCtx {
    let positional: Value[] = NO_PARAMS;
    let named = NO_NAMES;
    if (Array.isArray(params)) {
      // Plain numbers, strings and NULLs are used as given (read-only; a prepared statement run per
      // row would otherwise copy its parameters every time); anything else is converted.
      positional = params as Value[];
      for (let i = 0; i < params.length; i++) {
        const v: unknown = params[i];
        if (typeof v !== 'number' && typeof v !== 'string' && v !== null) {
          positional = params.map(importValue);
          break;
        }
      }
    }
    else if (params) {
      named = new Map<string, Value>();
      for (const [k, v] of Object.entries(params)) {
        const val = importValue(v);
        if (/^[:@$]/.test(k)) named.set(k, val);
        else for (const p of [':', '@', '$']) named.set(p + k, val);
      }
    }
    this.interruptFlag = false;
    const deadline = this.opts.timeoutMs ? Date.now() + this.opts.timeoutMs : undefined;
    return makeCtx(positional, named, this.interrupted, deadline);
  }

  private rollbackTo(mark: number): void {
    if (this.undo.length > mark) this.schemaVersion++;
    while (this.undo.length > mark) this.undo.pop()!();
  }

  /**
   * Runs one statement atomically: on any error its own changes are undone (the undo log inside an
   * explicit transaction; a rollback of the page transaction otherwise). Outside BEGIN a writing
   * statement is its own page transaction, committed (durably) before this returns.
   */
  run(stmt: Stmt, text: string, params: Params, classes = false): QueryResult {
    if (this.closed) throw new SqlError('SQL_MISUSE', 'database is closed');
    if (WRITES.has(stmt.k) && !this.pager.inTransaction) this.pager.begin();
    const mark = this.undo.length;
    let r: QueryResult;
    try {
      r = this.dispatch(stmt, text, params, classes);
      // EXPLAIN, PRAGMA and the like answer with plain values: their classes are what they look like.
      if (classes && !r.classes) r.classes = r.rows.map((row) => row.map((v) => typeOf(v as Value)));
    } catch (e) {
      try {
        this.rollbackTo(mark);
      } finally {
        if (!this.explicitTx) {
          this.undo = [];
          // A failed read changed nothing: keep the decoded pages.
          if (this.pager.inTransaction) this.abandonPages();
        }
      }
      if (e instanceof SqlError) e.locate(text);
      throw e;
    }
    if (!this.explicitTx && this.pager.inTransaction) {
      this.undo = [];
      this.commit();
    } else if (mark === 0 && this.undo.length) {
      // A statement that succeeded is never undone on its own (ROLLBACK drops the page transaction
      // and reloads the schema), so a transaction's undo log holds one statement's changes at most.
      // (Setting the length is a runtime call even on an empty array: a prepared INSERT per row.)
      this.undo.length = 0;
    }
    return r;
  }

  /** Commits the page transaction; if that fails nothing of it is kept, in memory either. */
  private commit(): void {
    try {
      this.commitPages();
    } catch (e) {
      this.abandonPages();
      this.loadSchema();
      throw e;
    }
  }

  private cache = new WeakMap<Stmt, { version: number; q: PlannedQuery }>();

  /** Compiled form of a parsed SELECT, reused by prepared statements until the schema changes. */
  private compiled(stmt: Stmt & { k: 'select' }): PlannedQuery {
    const hit = this.cache.get(stmt);
    if (hit && hit.version === this.schemaVersion) return hit.q;
    const q = compileSelect(stmt, null, this);
    this.cache.set(stmt, { version: this.schemaVersion, q });
    return q;
  }

  compileQuery(stmt: Stmt): PlannedQuery {
    if (stmt.k !== 'select') throw new SqlError('SQL_MISUSE', 'not a query');
    return compileSelect(stmt, null, this);
  }

  private dispatch(stmt: Stmt, text: string, params: Params, classes: boolean): QueryResult {
    switch (stmt.k) {
      case 'select': {
        const q = this.compiled(stmt);
        const rows = q.run(null, this.ctx(params));
        const columns = q.columns.map((name, i) => ({ name, type: q.types[i] }));
        const result: QueryResult = { columns, rows: rows.map((r) => r.map(exportValue)), changes: 0 };
        if (classes) result.classes = rows.map((r) => r.map(typeOf));
        return result;
      }
      case 'explain': {
        if (stmt.stmt.k !== 'select') return { columns: explainCols, rows: [[1, 0, stmt.stmt.k.toUpperCase()]], changes: 0 };
        const q = compileSelect(stmt.stmt, null, this);
        return { columns: explainCols, rows: q.plan, changes: 0 };
      }
      case 'insert':
        return empty(runInsert(stmt, this, this.ctx(params), this.undo));
      case 'update':
        return empty(runUpdate(stmt, this, this.ctx(params), this.undo));
      case 'delete':
        return empty(runDelete(stmt, this, this.ctx(params), this.undo));
      case 'begin':
        if (this.explicitTx) throw new SqlError('SQL_MISUSE', 'cannot start a transaction within a transaction');
        if (!this.pager.inTransaction) this.pager.begin();
        this.explicitTx = true;
        this.undo = [];
        return empty();
      case 'commit':
        if (!this.explicitTx) throw new SqlError('SQL_MISUSE', 'cannot commit - no transaction is active');
        this.explicitTx = false;
        this.undo = [];
        this.commit();
        return empty();
      case 'rollback':
        if (!this.explicitTx) throw new SqlError('SQL_MISUSE', 'cannot rollback - no transaction is active');
        // The pages go back to the last commit; the schema is read again from the catalog.
        this.explicitTx = false;
        this.undo = [];
        this.abandonPages();
        this.loadSchema();
        return empty();
      case 'createTable':
        this.createTable(stmt, text, params);
        return empty();
      case 'createIndex':
        this.createIndex(stmt, text);
        return empty();
      case 'createView': {
        const key = stmt.name.toLowerCase();
        if (this.nameTaken(key)) {
          if (stmt.ifNotExists) return empty();
          throw new SqlError('SQL_ERROR', `view ${stmt.name} already exists`);
        }
        compileSelect(stmt.sel, null, this); // reject views over missing tables up front
        this.views.set(key, { name: stmt.name, sel: stmt.sel, sql: text });
        this.schemaVersion++;
        this.undo.push(() => this.views.delete(key));
        this.addCatalog(['view', stmt.name, stmt.name, 0, text]);
        return empty();
      }
      case 'drop':
        this.drop(stmt);
        this.schemaVersion++;
        return empty();
      case 'pragma':
        if (stmt.name === 'integrity_check' || stmt.name === 'quick_check')
          return { columns: [{ name: stmt.name, type: 'TEXT' }], rows: this.integrityCheck().map((s) => [s]), changes: 0 };
        if (stmt.name === 'table_info') {
          const t = this.table(stmt.arg ?? '');
          if (!t) return { columns: [], rows: [], changes: 0 };
          return {
            columns: ['cid', 'name', 'type', 'notnull', 'dflt_value', 'pk'].map((name) => ({ name, type: '' })),
            rows: t.cols.map((c, i) => [i, c.name, c.type, c.notNull ? 1 : 0, null, i === t.ipk ? 1 : 0]),
            changes: 0,
          };
        }
        return empty();
      case 'reindex':
        if (stmt.name && !this.table(stmt.name) && !this.indexes.has(stmt.name.toLowerCase()) && !/^(binary|nocase|rtrim)$/i.test(stmt.name))
          throw new SqlError('SQL_ERROR', `unable to identify the object to be reindexed`);
        return empty();
      case 'unsupported':
        throw new SqlError('SQL_ERROR', `${stmt.what} is not supported`);
    }
  }

  /** Adds a catalog row (type, name, tbl_name, rootpage, sql); undone with the statement. */
  private addCatalog(row: Value[]): void {
    const rowid = this.catalog.nextRowid();
    this.catalog.insert(rowid, row);
    this.undo.push(() => void this.catalog.delete(rowid));
  }

  /** Removes the catalog rows named `name` (case-insensitive); undone with the statement. */
  private removeCatalog(name: string): void {
    const lname = name.toLowerCase();
    for (const row of this.catalog.all()) {
      if (String(row[1]).toLowerCase() !== lname) continue;
      const rowid = row[CATALOG_COLS.length] as number;
      this.catalog.delete(rowid);
      this.undo.push(() => this.catalog.insert(rowid, row.slice(0, CATALOG_COLS.length)));
    }
  }

  /** Queues every page of the trees for the free list at commit; undone with the statement. */
  private freeTrees(trees: BTree[]): void {
    const pages = trees.flatMap((t) => t.pages());
    this.store.pendingFree.push(...pages);
    this.undo.push(() => {
      const drop = new Set(pages);
      this.store.pendingFree = this.store.pendingFree.filter((p) => !drop.has(p));
    });
  }

  private nameTaken(key: string): boolean {
    return this.tables.has(key) || this.views.has(key) || this.virtuals.has(key);
  }

  private createTable(stmt: Stmt & { k: 'createTable' }, text: string, params: Params): void {
    const key = stmt.name.toLowerCase();
    if (this.nameTaken(key) || this.indexes.has(key)) {
      if (stmt.ifNotExists) return;
      throw new SqlError('SQL_ERROR', `table ${stmt.name} already exists`);
    }
    let cols: Column[] | null = null;
    let rows: Value[][] = [];
    if (stmt.as) {
      const q = compileSelect(stmt.as, null, this);
      rows = q.run(null, this.ctx(params));
      cols = q.columns.map((name, i) => ({ name, type: q.types[i], affinity: affinityOf(q.types[i]), notNull: false }));
    }
    // CREATE TABLE AS is stored as a plain CREATE, so opening the file never re-runs the query.
    const ddl = cols ? `CREATE TABLE "${stmt.name}"(${cols.map((c) => `"${c.name.replace(/"/g, '""')}" ${c.type}`).join(', ')})` : text;
    const t = this.buildTable(stmt, ddl, cols, 0, null);
    this.undo.push(() => this.tables.delete(key));
    this.freeTreesOnUndo([t.tree, ...t.indexes.map((i) => i.tree)]);
    this.addCatalog(['table', t.name, t.name, t.tree.root, ddl]);
    for (const ix of t.indexes) this.addCatalog(['index', ix.name, t.name, ix.tree.root, null]);
    this.schemaVersion++;
    for (const r of rows) t.insert(t.nextRowid(), r);
  }

  /** Pages allocated by this statement for new trees go back to the free list if it is undone. */
  private freeTreesOnUndo(trees: BTree[]): void {
    this.undo.push(() => {
      for (const tree of trees) this.store.pendingFree.push(...tree.pages());
    });
  }

  /**
   * Builds a Table from its CREATE statement: new trees when `root` is 0, else the stored trees
   * (`roots` names the roots of its automatic indexes).
   */
  private buildTable(stmt: Stmt & { k: 'createTable' }, ddl: string, colsAs: Column[] | null, root: number, roots: Map<string, number> | null): Table {
    const key = stmt.name.toLowerCase();
    const cols = colsAs ?? stmt.cols.map((c) => ({ name: c.name, type: c.type, affinity: affinityOf(c.type), notNull: c.notNull, dflt: c.dflt }));
    const names = new Set<string>();
    for (const c of cols) {
      if (names.has(c.name.toLowerCase())) throw new SqlError('SQL_ERROR', `duplicate column name: ${c.name}`);
      names.add(c.name.toLowerCase());
    }
    const colPk = stmt.cols.filter((c) => c.pk).map((c) => c.name);
    if (colPk.length > 1 || (colPk.length && stmt.pk)) throw new SqlError('SQL_ERROR', `table "${stmt.name}" has more than one primary key`);
    const pk = stmt.pk ?? colPk;
    const idx = (n: string) => {
      const i = cols.findIndex((c) => c.name.toLowerCase() === n.toLowerCase());
      if (i < 0) throw new SqlError('SQL_NO_SUCH_COLUMN', `no such column: ${n}`);
      return i;
    };
    let ipk = -1;
    const pkDesc = stmt.cols.some((c) => c.pk && c.pkDesc);
    if (pk.length === 1 && cols[idx(pk[0])].type === 'INTEGER' && !pkDesc) ipk = idx(pk[0]);
    const uniques: { name: string; cols: number[] }[] = [];
    if (pk.length && ipk < 0) uniques.push({ name: `sqlite_autoindex_${stmt.name}_pk`, cols: pk.map(idx) });
    stmt.cols.forEach((c, i) => c.unique && uniques.push({ name: `sqlite_autoindex_${stmt.name}_${i + 1}`, cols: [i] }));
    stmt.uniques.forEach((u, i) => uniques.push({ name: `sqlite_autoindex_${stmt.name}_u${i + 1}`, cols: u.map(idx) }));
    const tree = root ? new BTree(this.store, root, false) : BTree.create(this.store, false);
    const t = new Table(stmt.name, cols, ipk, ddl, tree);
    for (const u of uniques) {
      const r = roots?.get(u.name.toLowerCase());
      if (root && !r) throw new SqlError('SQL_ERROR', `database disk image is malformed: missing index ${u.name}`);
      t.addIndex({ name: u.name, cols: u.cols, unique: true, auto: true, tree: r ? new BTree(this.store, r, true) : BTree.create(this.store, true) }, false);
    }
    this.tables.set(key, t);
    return t;
  }

  private indexColumns(t: Table, names: string[]): number[] {
    return names.map((n) => {
      const i = t.cols.findIndex((c) => c.name.toLowerCase() === n.toLowerCase());
      if (i < 0) throw new SqlError('SQL_NO_SUCH_COLUMN', `no such column: ${n}`);
      return i;
    });
  }

  /** Attaches a stored index (at open). */
  private attachIndex(stmt: Stmt & { k: 'createIndex' }, root: number): void {
    const t = this.table(stmt.table);
    if (!t) throw new SqlError('SQL_ERROR', `database disk image is malformed: index ${stmt.name} on missing table ${stmt.table}`);
    const cols = this.indexColumns(t, stmt.cols);
    t.addIndex({ name: stmt.name, cols, unique: stmt.unique, auto: false, tree: new BTree(this.store, root, true) }, false);
    this.indexes.set(stmt.name.toLowerCase(), { name: stmt.name, table: t.name, cols: stmt.cols, unique: stmt.unique });
  }

  private createIndex(stmt: Stmt & { k: 'createIndex' }, text: string): void {
    const key = stmt.name.toLowerCase();
    if (this.indexes.has(key) || this.tables.has(key)) {
      if (stmt.ifNotExists) return;
      throw new SqlError('SQL_ERROR', `index ${stmt.name} already exists`);
    }
    const t = this.table(stmt.table);
    if (!t) throw new SqlError('SQL_NO_SUCH_TABLE', `no such table: main.${stmt.table}`);
    const cols = this.indexColumns(t, stmt.cols);
    const ix: TableIndex = { name: stmt.name, cols, unique: stmt.unique, auto: false, tree: BTree.create(this.store, true) };
    this.freeTreesOnUndo([ix.tree]);
    t.addIndex(ix, true);
    this.undo.push(() => (t.indexes = t.indexes.filter((i) => i !== ix)));
    this.indexes.set(key, { name: stmt.name, table: t.name, cols: stmt.cols, unique: stmt.unique });
    this.undo.push(() => this.indexes.delete(key));
    this.addCatalog(['index', stmt.name, t.name, ix.tree.root, text]);
    this.schemaVersion++;
  }

  private drop(stmt: Stmt & { k: 'drop' }): void {
    const key = stmt.name.toLowerCase();
    const missing = () => {
      if (!stmt.ifExists) throw new SqlError(stmt.what === 'TABLE' ? 'SQL_NO_SUCH_TABLE' : 'SQL_ERROR', `no such ${stmt.what.toLowerCase()}: ${stmt.name}`);
    };
    if (stmt.what === 'TABLE') {
      const t = this.tables.get(key);
      if (!t) return missing();
      this.tables.delete(key);
      const dropped = [...this.indexes].filter(([, i]) => i.table.toLowerCase() === key);
      for (const [k] of dropped) this.indexes.delete(k);
      this.undo.push(() => {
        this.tables.set(key, t);
        for (const [k, i] of dropped) this.indexes.set(k, i);
      });
      this.removeCatalog(t.name);
      for (const ix of t.indexes) this.removeCatalog(ix.name);
      this.freeTrees([t.tree, ...t.indexes.map((i) => i.tree)]);
    } else if (stmt.what === 'INDEX') {
      const i = this.indexes.get(key);
      if (!i) return missing();
      this.indexes.delete(key);
      const t = this.table(i.table)!;
      const before = t.indexes;
      const ix = t.indexes.find((x) => x.name.toLowerCase() === key)!;
      t.indexes = t.indexes.filter((x) => x !== ix);
      this.undo.push(() => {
        this.indexes.set(key, i);
        t.indexes = before;
      });
      this.removeCatalog(i.name);
      this.freeTrees([ix.tree]);
    } else if (stmt.what === 'VIEW') {
      const v = this.views.get(key);
      if (!v) return missing();
      this.views.delete(key);
      this.undo.push(() => this.views.set(key, v));
      this.removeCatalog(v.name);
    } else throw new SqlError('SQL_ERROR', 'triggers are not supported');
  }
}

/** Shared by statements without named parameters (never written to). */
const NO_NAMES: Map<string, Value> = new Map();
/** Shared by statements without positional parameters (never written). */
const NO_PARAMS: Value[] = [];

const WRITES = new Set<Stmt['k']>(['insert', 'update', 'delete', 'createTable', 'createIndex', 'createView', 'drop']);

function empty(changes = 0): QueryResult {
  return { columns: [], rows: [], changes };
}

const explainCols = ['id', 'parent', 'detail'].map((name) => ({ name, type: '' }));

export class Statement {
  constructor(
    private db: Database,
    private stmt: Stmt,
    private text: string,
  ) {}
  run(params?: Params): { changes: number } {
    return { changes: this.db.run(this.stmt, this.text, params).changes };
  }
  all(params?: Params): unknown[][] {
    return this.db.run(this.stmt, this.text, params).rows;
  }
  *iterate(params?: Params): IterableIterator<unknown[]> {
    yield* this.all(params);
  }
  columns(): { name: string; type: string }[] {
    if (this.stmt.k !== 'select') return [];
    const q = this.db.compileQuery(this.stmt);
    return q.columns.map((name, i) => ({ name, type: q.types[i] }));
  }
}
