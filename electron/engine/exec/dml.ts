import { SqlError } from '../errors';
import type { Conflict, Expr, Select, Stmt } from '../sql/ast';
import { applyAffinity, isNumeric, num, truth, type Value } from '../record/values';
import type { Table } from '../storage/table';
import type { Catalog } from './catalog';
import type { Env, ExecCtx } from './env';
import { compileExpr, Scope } from './expr';
import { compileSelect } from './select';

/** Every change is recorded as its inverse, so a failed statement or ROLLBACK can be undone exactly. */
export type UndoLog = (() => void)[];

function rowidFrom(v: Value): number {
  const n = applyAffinity(v, 'INTEGER');
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new SqlError('SQL_MISUSE', 'datatype mismatch');
  return n;
}

/**
 * Inserts one row. `logged` false is for a statement that inserts this one row and nothing after
 * it: its insert needs no entry in the undo log (a failure inside the insert is undone here), which
 * spares a closure and the log's growth per row of a prepared INSERT.
 */
export function insertRow(t: Table, vals: Value[], explicitRowid: Value | undefined, conflict: Conflict, undo: UndoLog, logged = true): boolean {
  // `vals` is the caller's fresh array: affinity is applied in place.
  const row = vals;
  for (let i = 0; i < t.cols.length; i++) row[i] = applyAffinity(row[i], t.cols[i].affinity);
  let rowid: number;
  if (t.ipk >= 0 && row[t.ipk] !== null) rowid = rowidFrom(row[t.ipk]);
  else if (explicitRowid !== undefined && explicitRowid !== null) rowid = rowidFrom(explicitRowid);
  else rowid = t.nextRowid();
  if (t.ipk >= 0) row[t.ipk] = rowid;
  for (let i = 0; i < t.cols.length; i++) {
    if (t.cols[i].notNull && row[i] === null) {
      if (conflict === 'IGNORE') return false;
      throw new SqlError('SQL_CONSTRAINT', `NOT NULL constraint failed: ${t.name}.${t.cols[i].name}`);
    }
  }
  const clashes = t.conflicts(row, rowid, null);
  if (clashes.length) {
    if (conflict === 'IGNORE') return false;
    if (conflict !== 'REPLACE') {
      const what = clashes[0].what;
      throw new SqlError('SQL_CONSTRAINT', `${what.endsWith('rowid') || (t.ipk >= 0 && clashes[0].rowid === rowid) ? 'PRIMARY KEY' : 'UNIQUE'} constraint failed: ${what}`);
    }
    for (const c of clashes) deleteRow(t, c.rowid, undo);
  }
  if (logged) {
    undo.push(() => void t.delete(rowid));
    t.insert(rowid, row);
    return true;
  }
  try {
    t.insert(rowid, row);
  } catch (e) {
    t.delete(rowid); // the row and whichever index keys went in before the failure
    throw e;
  }
  return true;
}

export function deleteRow(t: Table, rowid: number, undo: UndoLog): void {
  const old = t.delete(rowid);
  if (old) undo.push(() => t.insert(rowid, old));
}

type Fn = (env: Env) => Value;
const defaultFns = new WeakMap<Table, (Fn | null)[]>();

function defaults(t: Table, env: Env): Value[] {
  let fns = defaultFns.get(t);
  if (!fns) {
    const scope = new Scope(null, () => {
      throw new SqlError('SQL_ERROR', 'subqueries are not allowed in DEFAULT');
    });
    fns = t.cols.map((c) => (c.dflt ? compileExpr(c.dflt, scope) : null));
    defaultFns.set(t, fns);
  }
  // One slot more for the rowid the table appends, so the array never has to grow.
  const out = new Array<Value>(fns.length + 1);
  for (let i = 0; i < fns.length; i++) out[i] = fns[i] ? fns[i]!(env) : null;
  out[fns.length] = null;
  return out;
}

/** Column targets per INSERT statement, valid while the table object is the same. */
const targetCache = new WeakMap<Stmt, { table: Table; targets: number[] }>();
/** VALUES rows compiled once per prepared statement, valid while the table object is the same. */
const valuesCache = new WeakMap<Stmt, { table: Table; rows: Fn[][] }>();

export function runInsert(s: Stmt & { k: 'insert' }, cat: Catalog, ctx: ExecCtx, undo: UndoLog): number {
  const t = cat.table(s.table);
  if (!t) {
    if (cat.view(s.table)) throw new SqlError('SQL_ERROR', `cannot modify ${s.table} because it is a view`);
    throw new SqlError('SQL_NO_SUCH_TABLE', `no such table: ${s.table}`);
  }
  const env: Env = { rows: [], parent: null, aggs: null, ctx };
  let cached = targetCache.get(s);
  if (!cached || cached.table !== t) {
    cached = { table: t, targets: insertTargets(s, t) };
    targetCache.set(s, cached);
  }
  const targets = cached.targets;

  let source: Value[][];
  if (s.defaults) source = [[]];
  else if (s.rows) {
    let plan = valuesCache.get(s);
    if (!plan || plan.table !== t) {
      const scope = new Scope(null, (sel, sc) => compileSelect(sel, sc, cat));
      plan = {
        table: t,
        rows: s.rows.map((r) => {
          if (r.length !== targets.length) throw new SqlError('SQL_ERROR', `${r.length} values for ${targets.length} columns`);
          return r.map((e: Expr) => compileExpr(e, scope));
        }),
      };
      valuesCache.set(s, plan);
    }
    const rows = plan.rows;
    if (rows.length === 1) {
      // One row (a prepared INSERT run per row): evaluated straight into the row that is stored.
      const r = rows[0];
      const vals = defaults(t, env);
      let rowid: Value | undefined;
      for (let i = 0; i < targets.length; i++) {
        const v = r[i](env);
        if (targets[i] < 0) rowid = v;
        else vals[targets[i]] = v;
      }
      return insertRow(t, vals, rowid, s.conflict, undo, false) ? 1 : 0;
    }
    source = new Array<Value[]>(rows.length);
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      const vals = new Array<Value>(r.length);
      for (let i = 0; i < r.length; i++) vals[i] = r[i](env);
      source[k] = vals;
    }
  } else {
    const q = compileSelect(s.sel!, null, cat);
    if (q.columns.length !== targets.length) throw new SqlError('SQL_ERROR', `table ${t.name} has ${targets.length} columns but ${q.columns.length} values were supplied`);
    source = q.run(null, ctx); // materialised first, so INSERT INTO t SELECT FROM t terminates
  }
  let count = 0;
  for (let k = 0; k < source.length; k++) {
    const src = source[k];
    if ((++ctx.steps & 1023) === 0) ctx.check();
    const vals = defaults(t, env);
    let rowid: Value | undefined;
    for (let i = 0; i < targets.length; i++) {
      if (targets[i] < 0) rowid = src[i];
      else vals[targets[i]] = src[i];
    }
    if (insertRow(t, vals, rowid, s.conflict, undo)) count++;
  }
  return count;
}

/** Table column of each inserted value (-1: the rowid, named as rowid/oid/_rowid_ without an INTEGER PRIMARY KEY). */
function insertTargets(s: Stmt & { k: 'insert' }, t: Table): number[] {
  if (!s.cols) return t.cols.map((_, i) => i);
  return s.cols.map((c) => {
    const lc = c.toLowerCase();
    const idx = t.cols.findIndex((col) => col.name.toLowerCase() === lc);
    if (idx >= 0) return idx;
    if ((lc === 'rowid' || lc === 'oid' || lc === '_rowid_') && t.ipk < 0) return -1;
    throw new SqlError('SQL_NO_SUCH_COLUMN', `table ${t.name} has no column named ${c}`);
  });
}

function matchingRows(t: Table, where: Expr | undefined, cat: Catalog, ctx: ExecCtx): { scope: Scope; rows: Value[][]; env: Env } {
  const scope = new Scope(null, (sel, sc) => compileSelect(sel, sc, cat));
  scope.sources.push({
    alias: t.lname,
    cols: t.cols.map((c) => c.name.toLowerCase()),
    types: t.cols.map((c) => c.type),
    aff: t.cols.map((c) => c.affinity),
    rowidIdx: t.width,
    hidden: new Set(),
  });
  const env: Env = { rows: [[]], parent: null, aggs: null, ctx };
  const pred = where ? compileExpr(where, scope) : null;
  const rows: Value[][] = [];
  // A WHERE the planner answers with a rowid or index search finds the rows without a scan.
  if (where && !t.cols.some((c) => c.name.toLowerCase() === 'rowid')) {
    const sel: Select = {
      k: 'select',
      core: { distinct: false, cols: [{ expr: { k: 'col', name: 'rowid', pos: 0 }, text: 'rowid' }], from: [{ source: { k: 'table', name: t.name, pos: 0 }, join: 'first' }], where },
      compound: [],
    };
    const q = compileSelect(sel, null, cat);
    if (q.plan[0]?.[2].startsWith('SEARCH')) {
      for (const [rowid] of q.run(null, ctx)) {
        const row = t.get(rowid as number);
        if (row) rows.push(row);
      }
      return { scope, rows, env };
    }
  }
  for (const chunk of t.scan()) {
    for (const row of chunk) {
      if ((++ctx.steps & 4095) === 0) ctx.check();
      env.rows[0] = row;
      if (!pred || truth(pred(env)) === true) rows.push(row);
    }
  }
  return { scope, rows, env };
}

export function runDelete(s: Stmt & { k: 'delete' }, cat: Catalog, ctx: ExecCtx, undo: UndoLog): number {
  const t = cat.table(s.table);
  if (!t) throw new SqlError('SQL_NO_SUCH_TABLE', `no such table: ${s.table}`);
  const { rows } = matchingRows(t, s.where, cat, ctx);
  for (const r of rows) deleteRow(t, r[t.width] as number, undo);
  return rows.length;
}

export function runUpdate(s: Stmt & { k: 'update' }, cat: Catalog, ctx: ExecCtx, undo: UndoLog): number {
  const t = cat.table(s.table);
  if (!t) {
    if (cat.view(s.table)) throw new SqlError('SQL_ERROR', `cannot modify ${s.table} because it is a view`);
    throw new SqlError('SQL_NO_SUCH_TABLE', `no such table: ${s.table}`);
  }
  const { scope, rows, env } = matchingRows(t, s.where, cat, ctx);
  const sets = s.sets.map((x) => {
    const lc = x.col.toLowerCase();
    let idx = t.cols.findIndex((c) => c.name.toLowerCase() === lc);
    if (idx < 0 && (lc === 'rowid' || lc === 'oid' || lc === '_rowid_')) idx = t.ipk >= 0 ? t.ipk : t.width;
    if (idx < 0) throw new SqlError('SQL_NO_SUCH_COLUMN', `no such column: ${x.col}`);
    return { idx, f: compileExpr(x.e, scope) };
  });
  // New values are computed against the old table state before any row changes.
  const planned = rows.map((row) => {
    env.rows[0] = row;
    const next = row.slice(0, t.width);
    let rowid = row[t.width] as number;
    for (const st of sets) {
      const v = st.f(env);
      if (st.idx === t.width) rowid = rowidFrom(v);
      else next[st.idx] = v;
    }
    return { old: row[t.width] as number, rowid, next };
  });
  let count = 0;
  for (const p of planned) {
    const current = t.get(p.old);
    if (!current) continue;
    deleteRow(t, p.old, undo);
    const explicit = t.ipk >= 0 ? undefined : p.rowid;
    if (t.ipk >= 0 && p.next[t.ipk] !== null && isNumeric(p.next[t.ipk])) p.next[t.ipk] = num(p.next[t.ipk] as number);
    if (insertRow(t, p.next, explicit, s.conflict, undo)) count++;
    else if (s.conflict === 'IGNORE') {
      t.insert(p.old, current);
      undo.push(() => void t.delete(p.old));
    }
  }
  return count;
}
