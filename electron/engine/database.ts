import { SqlError } from './errors';
import type { Stmt } from './sql/ast';
import { parse } from './sql/parser';
import { affinityOf, exportValue, importValue, type Value } from './record/values';
import { Table, type Column, type IndexDef, type View, type VirtualTable } from './storage/table';
import type { Catalog } from './exec/catalog';
import { makeCtx, type ExecCtx } from './exec/env';
import { runDelete, runInsert, runUpdate, type UndoLog } from './exec/dml';
import { compileSelect, type PlannedQuery } from './exec/select';
import { ByteReader, ByteWriter } from './record/codec';
import { readSnapshot, writeSnapshot, type SnapshotEntry } from './storage/snapshot';
import { WriteAheadLog } from './wal/log';



export type Params = unknown[] | Record<string, unknown> | undefined;
export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  changes: number;
}

export interface OpenOptions {
  /** Abort any statement that runs longer than this many milliseconds. */
  timeoutMs?: number;
  /** WAL size in bytes past which a commit also checkpoints into the main file. */
  checkpointBytes?: number;
}

/** The engine's public face: a catalog, the statement runner and transaction state. */
export class Database implements Catalog {
  private tables = new Map<string, Table>();
  private indexes = new Map<string, IndexDef>();
  private views = new Map<string, View>();
  private virtuals = new Map<string, VirtualTable>();
  private undo: UndoLog = [];
  private explicitTx = false;
  private interruptFlag = false;
  private closed = false;
  private wal: WriteAheadLog | null = null;
  /** Redo operations of the open transaction, encoded as they happen (the WAL frame payload). */
  private redo = new ByteWriter();
  private replaying = false;
  /** Bumped by every DDL so prepared statements know to recompile. */
  schemaVersion = 0;

  private constructor(readonly path: string, private opts: OpenOptions) {}

  /** Opens (or creates) a database file and recovers it: last checkpoint plus committed WAL frames. */
  static open(path = ':memory:', opts: OpenOptions = {}): Database {
    const db = new Database(path, opts);
    if (path !== ':memory:' && path !== '') db.recover();
    return db;
  }

  private recover(): void {
    this.replaying = true;
    try {
      for (const e of readSnapshot(this.path)) {
        if (e.kind === 'schema') this.exec(e.sql);
        else {
          const t = this.table(e.table)!;
          for (const [rowid, row] of e.rows) t.insert(rowid, row);
        }
      }
      this.wal = new WriteAheadLog(this.path + '-wal');
      for (const frame of this.wal.recover()) this.applyFrame(frame);
    } finally {
      this.replaying = false;
    }
    for (const t of this.tables.values()) this.attachJournal(t);
  }

  private applyFrame(frame: Buffer): void {
    const r = new ByteReader(frame);
    while (r.left > 0) {
      const op = r.u8();
      if (op === 1) {
        const sql = r.str();
        try {
          this.exec(sql);
        } catch (e) {
          // A crash between writing a checkpoint and emptying the WAL replays DDL the image already has.
          if (!(e instanceof SqlError) || !/already exists|no such/.test(e.message)) throw e;
        }
      }
      else {
        const name = r.str();
        const rowid = r.f64();
        const t = this.table(name);
        if (!t) throw new Error(`WAL refers to missing table ${name}`);
        if (op === 2) t.insert(rowid, r.row());
        else t.delete(rowid);
      }
    }
  }

  private attachJournal(t: Table): void {
    if (!this.wal || this.replaying) return;
    const name = t.name;
    const width = t.width;
    t.journal = (op, rowid, row) => {
      const w = this.redo;
      w.u8(op === 'ins' ? 2 : 3);
      w.str(name);
      w.f64(rowid);
      if (op === 'ins') w.row(row!, width);
    };
  }

  /** Makes the transaction durable: one WAL frame, fsynced before the commit returns. */
  private flush(): void {
    if (!this.wal || this.replaying || this.redo.len === 0) {
      this.redo.len = 0;
      return;
    }
    const payload = this.redo.done();
    this.wal.append(payload);
    this.redo = new ByteWriter();
    if (this.wal.size > (this.opts.checkpointBytes ?? 16 << 20)) this.checkpoint();
  }

  /** Folds the WAL into the main file: write a fresh image, then empty the log. */
  checkpoint(): void {
    if (!this.wal || this.explicitTx) return;
    const entries: SnapshotEntry[] = [];
    for (const t of this.tables.values()) entries.push({ kind: 'schema', sql: t.sql });
    for (const t of this.tables.values()) entries.push({ kind: 'rows', table: t.name, rows: t.rows.entries(), width: t.width });
    for (const s of this.schema()) if (s.type !== 'table') entries.push({ kind: 'schema', sql: s.sql });
    writeSnapshot(this.path, entries);
    this.wal.reset();
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

  query(sql: string, params?: Params): QueryResult {
    let last: QueryResult = { columns: [], rows: [], changes: 0 };
    for (const { stmt, text } of parse(sql)) last = this.run(stmt, text, params);
    return last;
  }

  prepare(sql: string): Statement {
    const parsed = parse(sql);
    if (parsed.length !== 1) throw new SqlError('SQL_MISUSE', parsed.length ? 'prepare() takes exactly one statement' : 'empty statement');
    return new Statement(this, parsed[0].stmt, parsed[0].text);
  }

  close(): void {
    if (this.closed) return;
    if (this.explicitTx) {
      this.rollbackTo(0);
      this.explicitTx = false;
      this.redo.len = 0;
    }
    if (this.wal) {
      this.checkpoint();
      this.wal.close();
    }
    this.closed = true;
  }

  /** Names of user tables, indexes and views, as the CLI's .tables/.schema show them. */
  schema(): { type: string; name: string; sql: string }[] {
    return [
      ...[...this.tables.values()].map((t) => ({ type: 'table', name: t.name, sql: t.sql })),
      ...[...this.indexes.values()].map((i) => ({ type: 'index', name: i.name, sql: `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${i.name} ON ${i.table}(${i.cols.join(', ')})` })),
      ...[...this.views.values()].map((v) => ({ type: 'view', name: v.name, sql: v.sql })),
    ];
  }

  integrityCheck(): string[] {
    const problems: string[] = [];
    for (const t of this.tables.values()) {
      for (const [rowid, row] of t.rows) {
        if (row[t.width] !== rowid) problems.push(`${t.name}: rowid ${rowid} mismatch`);
        if (t.ipk >= 0 && row[t.ipk] !== rowid) problems.push(`${t.name}: primary key ${rowid} mismatch`);
      }
      for (const u of t.uniques) {
        for (const [k, rowid] of u.map) {
          const row = t.rows.get(rowid);
          if (!row || t.uniqueKeyOf(u, row) !== k) problems.push(`${t.name}: index ${u.name} entry for rowid ${rowid} is stale`);
        }
      }
    }
    return problems.length ? problems : ['ok'];
  }

  private ctx(params: Params): ExecCtx {
    const positional: Value[] = [];
    const named = new Map<string, Value>();
    if (Array.isArray(params)) params.forEach((p, i) => (positional[i] = importValue(p)));
    else if (params) {
      for (const [k, v] of Object.entries(params)) {
        const val = importValue(v);
        if (/^[:@$]/.test(k)) named.set(k, val);
        else for (const p of [':', '@', '$']) named.set(p + k, val);
      }
    }
    this.interruptFlag = false;
    const deadline = this.opts.timeoutMs ? Date.now() + this.opts.timeoutMs : undefined;
    return makeCtx(positional, named, () => this.interruptFlag, deadline);
  }

  private rollbackTo(mark: number): void {
    if (this.undo.length > mark) this.schemaVersion++;
    while (this.undo.length > mark) this.undo.pop()!();
  }

  /** Runs one statement atomically: on any error its own changes are rolled back. */
  run(stmt: Stmt, text: string, params: Params): QueryResult {
    if (this.closed) throw new SqlError('SQL_MISUSE', 'database is closed');
    const mark = this.undo.length;
    const redoMark = this.redo.len;
    try {
      const r = this.dispatch(stmt, text, params);
      if (!this.explicitTx) {
        this.undo = [];
        this.flush();
      }
      return r;
    } catch (e) {
      this.rollbackTo(mark);
      // The undone changes were journaled too; dropping both keeps the log free of no-ops.
      this.redo.len = redoMark;
      if (!this.explicitTx) {
        this.undo = [];
        this.redo.len = 0;
      }
      if (e instanceof SqlError) e.locate(text);
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

  private dispatch(stmt: Stmt, text: string, params: Params): QueryResult {
    switch (stmt.k) {
      case 'select': {
        const q = this.compiled(stmt);
        const rows = q.run(null, this.ctx(params));
        return { columns: q.columns.map((name, i) => ({ name, type: q.types[i] })), rows: rows.map((r) => r.map(exportValue)), changes: 0 };
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
        this.explicitTx = true;
        this.undo = [];
        return empty();
      case 'commit':
        if (!this.explicitTx) throw new SqlError('SQL_MISUSE', 'cannot commit - no transaction is active');
        this.explicitTx = false;
        this.undo = [];
        this.flush();
        return empty();
      case 'rollback':
        if (!this.explicitTx) throw new SqlError('SQL_MISUSE', 'cannot rollback - no transaction is active');
        this.rollbackTo(0);
        this.explicitTx = false;
        this.redo.len = 0;
        return empty();
      case 'createTable':
        this.createTable(stmt, text, params);
        return empty();
      case 'createIndex':
        this.createIndex(stmt);
        this.logDdl(text);
        return empty();
      case 'createView': {
        const key = stmt.name.toLowerCase();
        if (this.nameTaken(key)) {
          if (stmt.ifNotExists) return empty();
          throw new SqlError('SQL_ERROR', `view ${stmt.name} already exists`);
        }
        compileSelect(stmt.sel, null, this); // reject views over missing tables up front
        this.views.set(key, { name: stmt.name, sel: stmt.sel, sql: text });
        this.logDdl(text);
        this.undo.push(() => this.views.delete(key));
        return empty();
      }
      case 'drop':
        this.drop(stmt);
        this.logDdl(text);
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

  private logDdl(sql: string): void {
    this.schemaVersion++;
    if (this.wal && !this.replaying) {
      this.redo.u8(1);
      this.redo.str(sql);
    }
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
    let cols: Column[];
    let rows: Value[][] = [];
    if (stmt.as) {
      const q = compileSelect(stmt.as, null, this);
      rows = q.run(null, this.ctx(params));
      cols = q.columns.map((name, i) => ({ name, type: q.types[i], affinity: affinityOf(q.types[i]), notNull: false }));
    } else {
      cols = stmt.cols.map((c) => ({ name: c.name, type: c.type, affinity: affinityOf(c.type), notNull: c.notNull, dflt: c.dflt }));
    }
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
    // CREATE TABLE AS is logged as a plain CREATE plus its rows, so replay never re-runs the query.
    const ddl = stmt.as ? `CREATE TABLE "${stmt.name}"(${cols.map((c) => `"${c.name.replace(/"/g, '""')}" ${c.type}`).join(', ')})` : text;
    const t = new Table(stmt.name, cols, ipk, ddl);
    if (pk.length && ipk < 0) t.addUnique(`sqlite_autoindex_${stmt.name}_pk`, pk.map(idx));
    stmt.cols.forEach((c, i) => c.unique && t.addUnique(`sqlite_autoindex_${stmt.name}_${i + 1}`, [i]));
    stmt.uniques.forEach((u, i) => t.addUnique(`sqlite_autoindex_${stmt.name}_u${i + 1}`, u.map(idx)));
    this.logDdl(ddl);
    this.attachJournal(t);
    for (const r of rows) t.insert(t.nextRowid(), r);
    this.tables.set(key, t);
    this.undo.push(() => this.tables.delete(key));
  }

  private createIndex(stmt: Stmt & { k: 'createIndex' }): void {
    const key = stmt.name.toLowerCase();
    if (this.indexes.has(key) || this.tables.has(key)) {
      if (stmt.ifNotExists) return;
      throw new SqlError('SQL_ERROR', `index ${stmt.name} already exists`);
    }
    const t = this.table(stmt.table);
    if (!t) throw new SqlError('SQL_NO_SUCH_TABLE', `no such table: main.${stmt.table}`);
    const cols = stmt.cols.map((n) => {
      const i = t.cols.findIndex((c) => c.name.toLowerCase() === n.toLowerCase());
      if (i < 0) throw new SqlError('SQL_NO_SUCH_COLUMN', `no such column: ${n}`);
      return i;
    });
    t.hashIndex(cols[0]);
    if (stmt.unique) {
      t.addUnique(stmt.name, cols);
      this.undo.push(() => (t.uniques = t.uniques.filter((u) => u.name !== stmt.name)));
    }
    this.indexes.set(key, { name: stmt.name, table: t.name, cols: stmt.cols, unique: stmt.unique });
    this.undo.push(() => this.indexes.delete(key));
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
    } else if (stmt.what === 'INDEX') {
      const i = this.indexes.get(key);
      if (!i) return missing();
      this.indexes.delete(key);
      const t = this.table(i.table);
      const before = t?.uniques;
      if (t) t.uniques = t.uniques.filter((u) => u.name !== i.name);
      this.undo.push(() => {
        this.indexes.set(key, i);
        if (t && before) t.uniques = before;
      });
    } else if (stmt.what === 'VIEW') {
      const v = this.views.get(key);
      if (!v) return missing();
      this.views.delete(key);
      this.undo.push(() => this.views.set(key, v));
    } else throw new SqlError('SQL_ERROR', 'triggers are not supported');
  }
}

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
