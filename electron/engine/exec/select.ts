import { SqlError } from '../errors';
import type { Expr, JoinItem, Select, SelectCore } from '../sql/ast';
import { affinityOf, anyArray, applyAffinity, compare, importValue, Real, rowKey, toInteger, truth, valueKey, type Affinity, type Value } from '../record/values';
import type { Table, TableIndex } from '../storage/table';
import { RowPool } from '../btree/node';
import { ColumnBuf, textNeedle, type TextProbe } from '../btree/record';
import type { Catalog } from './catalog';
import type { Env, ExecCtx, Fn, SourceInfo } from './env';
import { COL_LIMIT, columnReads, compileExpr, exprAffinity, hasAggregate, Scope, type AggSpec, type CompiledQuery } from './expr';
import type { Aggregate } from './functions';

export interface PlannedQuery extends CompiledQuery {
  /** EXPLAIN QUERY PLAN rows: [id, parent, detail]. */
  plan: [number, number, string][];
}

interface Conjunct {
  e: Expr;
  f: Fn;
  /** Sources (by index) the conjunct reads; null means "treat as reading everything". */
  refs: Set<number> | null;
}

/** Candidate rows of one join level, a chunk (a B+tree leaf, a lookup result) at a time. */
type Chunks = Iterable<Value[][]>;

/**
 * A level's rows. The row loop passes a pool: it keeps no row past its chunk (groups copy the
 * values they keep), so a table scan may decode every leaf into the same arrays.
 */
type RowSource = (env: Env, pool?: RowPool) => Chunks;

interface Level {
  src: number;
  rows: RowSource;
  lookup: RowSource | null;
  /** A rowid lookup: the row it finds, or undefined (set instead of `lookup`). */
  one: ((env: Env) => Value[] | undefined) | null;
  on: Fn[];
  filters: Fn[];
  left: boolean;
  nullRow: Value[];
  /**
   * A rowid lookup's row as a chunk of one, for each() (see CoreRun.loopOne). Shared by every run:
   * each() reads the row out of it before anything else can run.
   */
  oneChunk: Value[][];
  detail: string;
  /**
   * A rowid range search whose last run had integer bounds: its rows satisfy the inclusive range
   * conjuncts, so `filtersInRange` (the filters without them) are enough.
   */
  rangeExact?: () => boolean;
  filtersInRange?: Fn[];
  /**
   * Reads values of the rows straight from the table's leaves (see Table.columns), for aggregates
   * that step on plain columns alone; false when it cannot answer this run (a rowid bound that is
   * not an integer leaves rows to be tested), and the rows are read instead.
   */
  columns?: (env: Env, cols: Int32Array, bufs: ColumnBuf[], each: (count: number) => void) => boolean;
}

interface CoreQuery {
  columns: string[];
  types: string[];
  scope: Scope;
  plan: string[];
  /** Rows plus, when ORDER BY is handled by the core, the sort keys after the result columns. */
  run(parent: Env | null, ctx: ExecCtx, limit: number): Value[][];
  sortKeys: number;
  desc: boolean[];
}

const splitAnd = (e: Expr | undefined, out: Expr[] = []): Expr[] => {
  if (!e) return out;
  if (e.k === 'bin' && e.op === 'AND') {
    splitAnd(e.l, out);
    splitAnd(e.r, out);
  } else out.push(e);
  return out;
};

/** Which sources of this scope an expression reads; null when it holds a subquery or unknown name. */
function refsOf(e: Expr, scope: Scope): Set<number> | null {
  const out = new Set<number>();
  let opaque = false;
  const walk = (x: Expr | undefined): void => {
    if (!x || opaque) return;
    switch (x.k) {
      case 'col': {
        let r;
        try {
          r = scope.resolve(x.table, x.name, x.pos);
        } catch {
          r = null;
        }
        if (!r) opaque = true;
        else if (r.depth === 0) out.add(r.src);
        return;
      }
      case 'sub':
      case 'exists':
        opaque = true;
        return;
      case 'in':
        if (x.sel || x.table) opaque = true;
        walk(x.e);
        x.list?.forEach(walk);
        return;
      case 'un':
      case 'isnull':
      case 'cast':
        walk(x.e);
        return;
      case 'bin':
      case 'like':
        walk(x.l);
        walk(x.r);
        if (x.k === 'like') walk(x.esc);
        return;
      case 'between':
        walk(x.e);
        walk(x.lo);
        walk(x.hi);
        return;
      case 'case':
        walk(x.base);
        walk(x.else);
        x.whens.forEach(([a, b]) => (walk(a), walk(b)));
        return;
      case 'fn':
        x.args.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(e);
  return opaque ? null : out;
}

/**
 * Columns of source `s` that the expressions read, or null when that cannot be known (subqueries,
 * which may read them as outer references).
 */
function columnsUsed(exprs: (Expr | undefined)[], s: number, scope: Scope): Set<number> | null {
  const out = new Set<number>();
  let opaque = false;
  const walk = (x: Expr | undefined): void => {
    if (!x || opaque) return;
    switch (x.k) {
      case 'col': {
        let r;
        try {
          r = scope.resolve(x.table, x.name, x.pos);
        } catch {
          r = null;
        }
        if (r && r.depth === 0 && r.src === s) out.add(r.col);
        return;
      }
      case 'sub':
      case 'exists':
        opaque = true;
        return;
      case 'in':
        if (x.sel || x.table) opaque = true;
        walk(x.e);
        x.list?.forEach(walk);
        return;
      case 'un':
      case 'isnull':
      case 'cast':
        walk(x.e);
        return;
      case 'bin':
      case 'like':
        walk(x.l);
        walk(x.r);
        if (x.k === 'like') walk(x.esc);
        return;
      case 'between':
        walk(x.e);
        walk(x.lo);
        walk(x.hi);
        return;
      case 'case':
        walk(x.base);
        walk(x.else);
        x.whens.forEach(([a, b]) => (walk(a), walk(b)));
        return;
      case 'fn':
        x.args.forEach(walk);
        return;
      default:
        return;
    }
  };
  exprs.forEach(walk);
  return opaque ? null : out;
}

export function compileSelect(sel: Select, parent: Scope | null, cat: Catalog): PlannedQuery {
  const compileSub = (s: Select, sc: Scope) => compileSelect(s, sc, cat);
  const single = sel.compound.length === 0;
  const cores = [sel.core, ...sel.compound.map((c) => c.core)].map((c) =>
    compileCore(c, parent, cat, compileSub, single ? sel.orderBy : undefined),
  );
  const first = cores[0];
  for (const c of cores) {
    if (c.columns.length !== first.columns.length)
      throw new SqlError('SQL_ERROR', 'SELECTs to the left and right of ' + (sel.compound[0]?.op ?? 'UNION') + ' do not have the same number of result columns');
  }
  const limitScope = new Scope(parent, compileSub);
  const limitF = sel.limit ? compileExpr(sel.limit, limitScope) : null;
  const offsetF = sel.offset ? compileExpr(sel.offset, limitScope) : null;
  const ncols = first.columns.length;

  let compoundOrder: { idx: number; desc: boolean }[] = [];
  if (!single && sel.orderBy) {
    compoundOrder = sel.orderBy.map((t, i) => {
      const idx = resolveOutputTerm(t.e, first.columns, sel.core);
      if (idx < 0) throw new SqlError('SQL_ERROR', `${i + 1}${['st', 'nd', 'rd'][i] ?? 'th'} ORDER BY term does not match any column in the result set`);
      return { idx, desc: t.desc };
    });
  }

  const plan: [number, number, string][] = [];
  let id = 1;
  if (single) for (const d of first.plan) plan.push([id++, 0, d]);
  else {
    const top = id++;
    plan.push([top, 0, `COMPOUND QUERY`]);
    cores.forEach((c, i) => {
      const sub = id++;
      plan.push([sub, top, i === 0 ? 'LEFT-MOST SUBQUERY' : `${sel.compound[i - 1].op} USING TEMP B-TREE`]);
      for (const d of c.plan) plan.push([id++, sub, d]);
    });
  }

  return {
    columns: first.columns,
    types: first.types,
    plan,
    get correlated() {
      return cores.some((c) => c.scope.correlated) || limitScope.correlated;
    },
    run(parentEnv, ctx) {
      const env: Env = { rows: [], parent: parentEnv, aggs: null, ctx };
      const limit = limitF ? toInteger(limitF(env)) ?? -1 : -1;
      let offset = offsetF ? toInteger(offsetF(env)) ?? 0 : 0;
      if (offset < 0) offset = 0;
      if (limit === 0) return [];
      if (single) {
        // No ORDER BY and no DISTINCT/aggregate: the core can stop early.
        const want = limit >= 0 ? limit + offset : -1;
        let rows = first.run(parentEnv, ctx, want);
        if (first.sortKeys) {
          const k = ncols;
          const desc = first.desc;
          rows.sort((a, b) => {
            for (let i = 0; i < desc.length; i++) {
              const c = compare(a[k + i], b[k + i]);
              if (c) return desc[i] ? -c : c;
            }
            return 0;
          });
          rows = rows.map((r) => r.slice(0, k));
        }
        if (offset || limit >= 0) rows = rows.slice(offset, limit >= 0 ? offset + limit : undefined);
        return rows;
      }
      let acc = first.run(parentEnv, ctx, -1);
      for (let i = 0; i < sel.compound.length; i++) {
        const rhs = cores[i + 1].run(parentEnv, ctx, -1);
        acc = combine(sel.compound[i].op, acc, rhs);
      }
      if (compoundOrder.length) {
        acc.sort((a, b) => {
          for (const t of compoundOrder) {
            const c = compare(a[t.idx], b[t.idx]);
            if (c) return t.desc ? -c : c;
          }
          return 0;
        });
      }
      if (offset || limit >= 0) acc = acc.slice(offset, limit >= 0 ? offset + limit : undefined);
      return acc;
    },
  };
}

function combine(op: string, a: Value[][], b: Value[][]): Value[][] {
  if (op === 'UNION ALL') return a.concat(b);
  const dedupe = (rows: Value[][], seen = new Set<string>()) => {
    const out: Value[][] = [];
    for (const r of rows) {
      const k = rowKey(r);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(r);
      }
    }
    return out;
  };
  let out: Value[][];
  if (op === 'UNION') out = dedupe(a.concat(b));
  else {
    const bk = new Set(b.map(rowKey));
    out = dedupe(a.filter((r) => bk.has(rowKey(r)) === (op === 'INTERSECT')));
  }
  // Set operations in SQLite come out of a sorted temp b-tree, so their order is the row order.
  return out.sort(compareRows);
}

function compareRows(a: Value[], b: Value[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compare(a[i], b[i]);
    if (c) return c;
  }
  return 0;
}

function resolveOutputTerm(e: Expr, columns: string[], core: SelectCore): number {
  if (e.k === 'lit' && typeof e.v === 'number') {
    const k = e.v;
    if (!Number.isInteger(k) || k < 1 || k > columns.length) throw new SqlError('SQL_ERROR', `ORDER BY term out of range - should be between 1 and ${columns.length}`);
    return k - 1;
  }
  if (e.k === 'col' && !e.table) {
    const i = columns.findIndex((c) => c.toLowerCase() === e.name.toLowerCase());
    if (i >= 0) return i;
  }
  const txt = JSON.stringify(e);
  return core.cols.findIndex((c) => c.expr && JSON.stringify(c.expr) === txt);
}

function compileCore(
  core: SelectCore,
  parent: Scope | null,
  cat: Catalog,
  compileSub: (s: Select, sc: Scope) => CompiledQuery,
  orderBy: Select['orderBy'],
): CoreQuery {
  const scope = new Scope(parent, compileSub);
  if (core.values) return compileValues(core, scope, orderBy);

  const getters: ((env: Env) => Chunks)[] = [];
  const tables: (Table | null)[] = [];
  const estimates: number[] = [];
  for (const item of core.from) {
    const { info, rows, table, estimate } = openSource(item, scope, cat, compileSub);
    scope.sources.push(info);
    getters.push(rows);
    tables.push(table);
    estimates.push(estimate);
  }

  // USING / NATURAL become ON equalities; the right-hand copies are hidden from `*`.
  const onExtra: Expr[][] = core.from.map(() => []);
  core.from.forEach((item, i) => {
    if (i === 0) return;
    let names = item.using;
    if (item.natural) names = scope.sources[i].cols.filter((c) => scope.sources.slice(0, i).some((s) => s.cols.includes(c)));
    for (const n of names ?? []) {
      const ln = n.toLowerCase();
      const l = scope.sources.slice(0, i).findIndex((s) => s.cols.includes(ln));
      if (l < 0 || !scope.sources[i].cols.includes(ln)) throw new SqlError('SQL_ERROR', `cannot join using column ${n} - column not present in both tables`);
      onExtra[i].push({ k: 'bin', op: '=', l: { k: 'col', table: scope.sources[l].alias, name: ln, pos: 0 }, r: { k: 'col', table: scope.sources[i].alias, name: ln, pos: 0 } });
      scope.sources[i].hidden.add(ln);
    }
  });

  // Result columns, with `*` expanded.
  const resultExprs: Expr[] = [];
  const columns: string[] = [];
  const types: string[] = [];
  for (const c of core.cols) {
    if (c.star) {
      const srcs = c.table ? scope.sources.filter((s) => s.alias === c.table!.toLowerCase()) : scope.sources;
      if (c.table && !srcs.length) throw new SqlError('SQL_ERROR', `no such table: ${c.table}`);
      if (!scope.sources.length) throw new SqlError('SQL_ERROR', 'no tables specified');
      for (const s of srcs) {
        s.cols.forEach((name, j) => {
          if (!c.table && s.hidden.has(name)) return;
          resultExprs.push({ k: 'col', table: s.alias, name, pos: 0 });
          columns.push(s.cols[j]);
          types.push(s.types[j]);
        });
      }
    } else {
      const e = c.expr!;
      resultExprs.push(e);
      columns.push(c.alias ?? (e.k === 'col' ? e.name : c.text));
      let t = '';
      if (e.k === 'col') {
        const r = scope.resolve(e.table, e.name, e.pos);
        if (r && r.depth === 0) t = scope.sources[r.src].types[r.col] ?? '';
      }
      types.push(t);
    }
  }
  scope.aliases = new Map();
  core.cols.forEach((c) => c.alias && scope.aliases!.set(c.alias.toLowerCase(), c.expr!));

  const isAgg = !!core.groupBy || resultExprs.some(hasAggregate) || hasAggregate(core.having) || (orderBy?.some((t) => hasAggregate(t.e)) ?? false);
  if (!isAgg && core.having) throw new SqlError('SQL_ERROR', 'a GROUP BY clause is required before HAVING');

  // WHERE and inner-join ON conjuncts form one pool the planner may push to any level.
  const pool: Conjunct[] = [];
  const mk = (e: Expr): Conjunct => ({ e, f: compileExpr(e, scope), refs: refsOf(e, scope) });
  for (const e of splitAnd(core.where)) pool.push(mk(e));
  const leftOn: Conjunct[][] = core.from.map(() => []);
  core.from.forEach((item, i) => {
    const conj = [...splitAnd(item.on), ...onExtra[i]].map(mk);
    if (item.join === 'left') leftOn[i] = conj;
    else pool.push(...conj);
  });

  const hasLeft = core.from.some((f) => f.join === 'left');
  // Every expression of the query, to find sources whose used columns an index covers.
  const allExprs: (Expr | undefined)[] = [...resultExprs, core.where, ...(core.groupBy ?? []), core.having, ...(orderBy ?? []).map((t) => t.e), ...core.from.map((f) => f.on), ...onExtra.flat()];
  const usedBy = (s: number) => columnsUsed(allExprs, s, scope);
  const n = scope.sources.length;
  const levels: Level[] = [];
  const bound = new Set<number>();
  const remaining = Array.from({ length: n }, (_, i) => i);
  const placed = new Set<Conjunct>();
  const joinOrder = hasLeft ? null : chooseJoinOrder(n, pool, scope, tables, estimates);
  while (remaining.length) {
    let pick = 0;
    let best: ReturnType<typeof findLookup>;
    if (hasLeft) best = findLookup(remaining[0], leftOn[remaining[0]].length ? leftOn[remaining[0]] : pool, bound, scope, tables);
    else {
      pick = remaining.indexOf(joinOrder![levels.length]);
      best = findLookup(remaining[pick], pool, bound, scope, tables);
    }
    const s = remaining.splice(pick, 1)[0];
    bound.add(s);
    const info = scope.sources[s];
    const level: Level = {
      src: s,
      rows: getters[s],
      lookup: null,
      one: null,
      on: leftOn[s].map((c) => c.f),
      filters: [],
      left: core.from[s].join === 'left',
      nullRow: new Array(info.cols.length + 1).fill(null),
      oneChunk: [[]],
      detail: `SCAN ${info.alias}`,
    };
    const lk = best as ReturnType<typeof findLookup>;
    let rangeConj: Set<Conjunct> | null = null;
    let rangeColumns: Level['columns'] | null = null;
    // A LEFT JOIN's right side may be narrowed only by its ON clause.
    const narrowing = level.left ? leftOn[s] : pool;
    const ixPlan = tables[s] && !(lk && lk.rowid) ? findIndexPlan(s, narrowing, bound, scope, tables[s]!, usedBy(s)) : null;
    if (ixPlan && (!lk || ixPlan.eqs > 0)) {
      level.lookup = ixPlan.run;
      level.detail = `SEARCH ${info.alias} USING ${ixPlan.covering ? 'COVERING ' : ''}INDEX ${ixPlan.ix.name} (${ixPlan.detail})`;
    } else if (lk?.rowid) {
      level.one = rowidLookup(lk, tables[s]!, info);
      level.detail = `SEARCH ${info.alias} USING INTEGER PRIMARY KEY (rowid=?)`;
    } else if (lk) {
      info.used?.add(lk.col); // the hash index reads the column straight from the rows
      level.lookup = hashLookup(lk, level);
      level.detail = `SEARCH ${info.alias} USING AUTOMATIC HASH INDEX (${info.cols[lk.col]}=?)`;
    } else if (tables[s]) {
      const range = findRowidRange(s, narrowing, bound, scope, tables[s]!);
      if (range) {
        level.lookup = range.run;
        level.rangeExact = range.exact;
        rangeConj = range.answers;
        rangeColumns = range.columns;
        level.detail = `SEARCH ${info.alias} USING INTEGER PRIMARY KEY (${range.detail})`;
      }
    }
    const here: Conjunct[] = [];
    for (const c of pool) {
      if (placed.has(c)) continue;
      if (c.refs && [...c.refs].every((r) => bound.has(r))) {
        placed.add(c);
        // A rowid lookup finds a row exactly when its equality holds: the rowid is an integer, and
        // the probe is converted as the comparison would convert it (normFor).
        if (lk?.rowid && lk.conj === c) continue;
        level.filters.push(c.f);
        here.push(c);
        if (rangeConj?.has(c)) continue;
        (level.filtersInRange ??= []).push(c.f);
      }
    }
    if (level.rangeExact) level.filtersInRange ??= [];
    const table = tables[s];
    const scanned = level.lookup === null && level.one === null;
    if (table && scanned && !level.left) {
      // Text equalities rule rows out on their record bytes, before anything is decoded.
      const probes = textProbes(s, here, scope, table);
      if (probes.length) level.rows = tableScan(info, table, probes);
    }
    // Rows that need no test but their range can be read as columns (see CoreRun.stepValues).
    if (table && !level.left && level.on.length === 0) {
      if (scanned && level.filters.length === 0) level.columns = (_env, cols, bufs, each) => (table.columns(-Infinity, Infinity, cols, bufs, each), true);
      else if (rangeColumns && level.filtersInRange!.length === 0) level.columns = rangeColumns;
    }
    levels.push(level);
  }
  const leftovers = pool.filter((c) => !placed.has(c)).map((c) => c.f);

  // Grouping and aggregates.
  scope.aggs = isAgg ? [] : null;
  const groupFns = (core.groupBy ?? []).map((g) => {
    if (g.k === 'lit' && typeof g.v === 'number') {
      if (g.v < 1 || g.v > resultExprs.length) throw new SqlError('SQL_ERROR', `GROUP BY term out of range - should be between 1 and ${resultExprs.length}`);
      g = resultExprs[g.v - 1];
    }
    const saved = scope.aggs;
    scope.aggs = null;
    try {
      return compileExpr(g, scope);
    } catch (err) {
      if (err instanceof SqlError && err.code === 'SQL_MISUSE') throw new SqlError('SQL_MISUSE', 'aggregate functions are not allowed in the GROUP BY clause');
      throw err;
    } finally {
      scope.aggs = saved;
    }
  });
  const resultFns = resultExprs.map((e) => compileExpr(e, scope));
  const havingF = core.having ? compileExpr(core.having, scope) : null;
  const orderFns: Fn[] = [];
  const desc: boolean[] = [];
  for (const t of orderBy ?? []) {
    let idx = -1;
    if (t.e.k === 'lit' && typeof t.e.v === 'number') idx = resolveOutputTerm(t.e, columns, core);
    else if (t.e.k === 'col' && !t.e.table && core.cols.some((c) => c.alias?.toLowerCase() === (t.e as { name: string }).name.toLowerCase()))
      idx = resolveOutputTerm(t.e, columns, core);
    orderFns.push(idx >= 0 ? resultFns[idx] : compileExpr(t.e, scope));
    desc.push(t.desc);
  }
  const aggSpecs = scope.aggs ?? [];
  scope.aggs = null;
  const distinct = core.distinct;
  const ncols = resultFns.length;
  const argBufs: Value[][] = aggSpecs.map((a) => new Array(a.args.length));
  // count(*) is the group's row count: it needs no call per row.
  const countsRows = aggSpecs.map((a) => a.name === 'count' && a.star && !a.distinct);
  const stepped = Int32Array.from(aggSpecs.keys()).filter((i) => !countsRows[i]);
  // Aggregate arguments that are plain columns are read from the row directly (-1: call the closure).
  const argCols: Int32Array[] = aggSpecs.map((a) => Int32Array.from(a.args, (f) => columnReads.get(f) ?? -1));

  const plan = levels.map((l) => l.detail);
  if (isAgg && core.groupBy) plan.push('USE TEMP B-TREE FOR GROUP BY');
  if (distinct) plan.push('USE TEMP B-TREE FOR DISTINCT');
  if (orderFns.length) plan.push('USE TEMP B-TREE FOR ORDER BY');

  const project = (env: Env): Value[] => {
    const row = new Array<Value>(ncols + orderFns.length);
    for (let i = 0; i < ncols; i++) row[i] = resultFns[i](env);
    for (let i = 0; i < orderFns.length; i++) row[ncols + i] = orderFns[i](env);
    return row;
  };

  // SQLite's rule for bare columns: the row a lone (or the last) min()/max() chose, else the first.
  let repBy = -1;
  aggSpecs.forEach((a, i) => (a.name === 'min' || a.name === 'max') && a.args.length === 1 && (repBy = i));
  // One source, nothing to test per row but its range, one group, no bare-column rule, arguments
  // that are that source's columns: whole chunks can step the aggregates (see CoreRun.stepChunk).
  const batch =
    isAgg &&
    groupFns.length === 0 &&
    levels.length === 1 &&
    !levels[0].left &&
    levels[0].on.length === 0 &&
    leftovers.length === 0 &&
    repBy < 0 &&
    Array.from(stepped).every((i) => argCols[i].every((at) => at >= 0 && Math.floor(at / COL_LIMIT) === levels[0].src));
  // ...and when each of them has a step over one column's values (a DISTINCT one has not), and no
  // bare column needs a row, they can step on values read straight from the leaves (see
  // CoreRun.stepValues).
  const byValues =
    batch &&
    !scope.bare &&
    levels[0].columns !== undefined &&
    Array.from(stepped).every((i) => argCols[i].length === 1 && aggSpecs[i].make().stepValues !== undefined);
  const valueCols = byValues ? Int32Array.from(stepped, (i) => argCols[i][0] % COL_LIMIT) : null;
  const rowPlan: RowPlan = { levels, leftovers, groupFns, aggSpecs, stepped, argBufs, argCols, repBy, batch, valueCols, project, ncols };

  return {
    columns,
    types,
    scope,
    plan,
    sortKeys: orderFns.length,
    desc,
    run(parentEnv, ctx, want) {
      const env: Env = { rows: new Array(n), parent: parentEnv, aggs: null, ctx };
      const out: Value[][] = [];
      const seen = distinct ? new Set<string>() : null;
      const groups = isAgg ? new Map<GroupKey, Group>() : null;
      const limit = want >= 0 && !isAgg && !distinct && !orderFns.length ? want : -1;
      new CoreRun(rowPlan, env, out, seen, groups, limit).loop(0);

      if (groups) {
        if (groups.size === 0 && !core.groupBy) {
          groups.set('', { accs: aggSpecs.map((a) => a.make()), rows: 0, rep: levels.length ? scope.sources.map((s) => new Array(s.cols.length + 1).fill(null)) : [], keys: [] });
        }
        const list = [...groups.values()];
        if (core.groupBy) list.sort((a, b) => compareRows(a.keys, b.keys));
        for (const g of list) {
          env.rows = g.rep;
          const aggs = (env.aggs = anyArray(g.accs.length));
          for (let i = 0; i < aggs.length; i++) aggs[i] = countsRows[i] ? g.rows : g.accs[i].final();
          if (havingF && truth(havingF(env)) !== true) continue;
          const row = project(env);
          if (seen) {
            const k = rowKey(row.slice(0, ncols));
            if (seen.has(k)) continue;
            seen.add(k);
          }
          out.push(row);
        }
      }
      return out;
    },
  };
}

type Group = { accs: Aggregate[]; rows: number; rep: Value[][]; keys: Value[] };
/** rowKey() of the group's keys, or for a single numeric key the number itself. */
type GroupKey = string | number;

/** What the row loop of a compiled core reads. */
interface RowPlan {
  levels: Level[];
  /** Conjuncts no level could take (they read outer queries only): checked per result row. */
  leftovers: Fn[];
  groupFns: Fn[];
  aggSpecs: AggSpec[];
  /** The aggregates that step per row (count(*) reads the group's row count instead). */
  stepped: Int32Array;
  argBufs: Value[][];
  /** Per aggregate argument, the column it reads as `src * COL_LIMIT + col`, or -1: call it. */
  argCols: Int32Array[];
  /** The last min() or max() aggregate, whose chosen row gives the bare columns; -1: the first row does. */
  repBy: number;
  /** Aggregates of one group over one source whose rows need no test: they step a chunk at a time. */
  batch: boolean;
  /**
   * ...and, when they step on column values read from the table's leaves (see CoreRun.stepValues),
   * the column each stepped aggregate reads; null otherwise.
   */
  valueCols: Int32Array | null;
  project: (env: Env) => Value[];
  ncols: number;
}

const noKeys: Value[] = [];
/** CoreRun.pools before the first scan, and what its arrays are cut from (slice keeps the kind). */
const NO_POOLS = anyArray<RowPool | null>(0);
const POOLS = anyArray<RowPool | null>(64);

/**
 * One run of a core's nested-loop join. A class rather than closures made per run: its methods are
 * compiled and optimised once for every statement, and a prepared statement run many times
 * allocates one object per run instead of a closure per step.
 */
class CoreRun {
  stop = false;
  single: Group | undefined = undefined;
  /**
   * Per level, the arrays its scan decodes into: made at the first scan, so that a run of lookups
   * alone (a point select) allocates nothing for them. Always of one kind (see anyArray).
   */
  private pools: (RowPool | null)[] = NO_POOLS;
  /**
   * One emit per kind of statement, each its own method: V8 optimises each for the one shape of
   * row it sees, instead of one function re-optimised whenever the kind of statement changes.
   */
  readonly emit: () => void;

  constructor(
    readonly p: RowPlan,
    readonly env: Env,
    readonly out: Value[][],
    readonly seen: Set<string> | null,
    readonly groups: Map<GroupKey, Group> | null,
    /** Stop after this many rows (-1: all). */
    readonly limit: number,
  ) {
    this.emit = !groups ? this.emitRow : p.groupFns.length === 0 ? this.emitSingle : this.emitGrouped;
  }

  loop(li: number): void {
    const levels = this.p.levels;
    if (li === levels.length) {
      this.emit();
      return;
    }
    const L = levels[li];
    if (this.p.valueCols !== null && this.stepValues(L, this.p.valueCols)) return;
    if (L.one !== null) {
      this.loopOne(li, L);
      return;
    }
    const env = this.env;
    if (this.pools === NO_POOLS) this.pools = POOLS.slice(0, levels.length);
    const pool = (this.pools[li] ??= new RowPool());
    const chunks = L.lookup ? L.lookup(env, pool) : L.rows(env, pool);
    let matched = false;
    const filters = L.rangeExact && L.rangeExact() ? L.filtersInRange! : L.filters;
    if (this.p.batch && filters.length === 0) {
      if (Array.isArray(chunks)) for (let c = 0; c < chunks.length; c++) this.stepChunk(L.src, chunks[c]);
      else for (const cand of chunks) this.stepChunk(L.src, cand);
      return;
    }
    // Lookups answer with arrays, scans with generators: two loops keep each iteration monomorphic.
    if (Array.isArray(chunks)) {
      for (let c = 0; c < chunks.length && !this.stop; c++) if (this.each(li, L, chunks[c], filters)) matched = true;
    } else {
      for (const cand of chunks) {
        if (this.each(li, L, cand, filters)) matched = true;
        if (this.stop) break;
      }
    }
    if (L.left && !matched && !this.stop) this.unmatched(li, L, filters);
  }

  /**
   * Level `li` is a rowid lookup: its one row goes through each() as a chunk of one, the same array
   * every time, with no chunk list (this runs once per row of the levels before it).
   */
  private loopOne(li: number, L: Level): void {
    const row = L.one!(this.env);
    let matched = false;
    if (row !== undefined) {
      const chunk = L.oneChunk;
      chunk[0] = row;
      if (this.p.batch && L.filters.length === 0) {
        this.stepChunk(L.src, chunk);
        return;
      }
      matched = this.each(li, L, chunk, L.filters);
    }
    if (L.left && !matched && !this.stop) this.unmatched(li, L, L.filters);
  }

  /** A LEFT JOIN's level `li` found no row: the rest of the join sees its NULL row. */
  private unmatched(li: number, L: Level, filters: Fn[]): void {
    const env = this.env;
    env.rows[L.src] = L.nullRow;
    for (let j = 0; j < filters.length; j++) if (truth(filters[j](env)) !== true) return;
    this.loop(li + 1);
  }

  /** The rows of one chunk at level `li`; true when any of them passed the ON clause. */
  private each(li: number, L: Level, cand: Value[][], filters: Fn[]): boolean {
    const last = li + 1 === this.p.levels.length;
    const env = this.env;
    const ctx = env.ctx;
    const on = L.on;
    const src = L.src;
    const bound = env.rows;
    let matched = false;
    outer: for (let r = 0; r < cand.length; r++) {
      if (this.stop) return matched;
      if ((++ctx.steps & 4095) === 0) ctx.check();
      bound[src] = cand[r];
      for (let j = 0; j < on.length; j++) if (truth(on[j](env)) !== true) continue outer;
      matched = true;
      for (let j = 0; j < filters.length; j++) {
        // Comparisons yield 1, 0 or NULL: only other values need truth()'s conversion.
        const v = filters[j](env);
        if (v !== 1 && (v === 0 || v === null || truth(v) !== true)) continue outer;
      }
      if (last) this.emit();
      else this.loop(li + 1);
    }
    return matched;
  }

  private passes(): boolean {
    const leftovers = this.p.leftovers;
    for (let i = 0; i < leftovers.length; i++) if (truth(leftovers[i](this.env)) !== true) return false;
    return true;
  }

  private emitRow(): void {
    const p = this.p;
    if (p.leftovers.length && !this.passes()) return;
    const row = p.project(this.env);
    if (this.seen) {
      const k = rowKey(p.ncols === row.length ? row : row.slice(0, p.ncols));
      if (this.seen.has(k)) return;
      this.seen.add(k);
    }
    this.out.push(row);
    if (this.limit >= 0 && this.out.length >= this.limit) this.stop = true;
  }

  /** Aggregates without GROUP BY: one group, no hashing per row. */
  private emitSingle(): void {
    if (this.p.leftovers.length && !this.passes()) return;
    let g = this.single;
    if (!g) this.groups!.set('', (g = this.single = this.newGroup(noKeys)));
    this.step(g);
  }

  private emitGrouped(): void {
    const p = this.p;
    if (p.leftovers.length && !this.passes()) return;
    const fns = p.groupFns;
    let g: Group | undefined;
    if (fns.length === 1) {
      // One key: a number is its own map key (no string per row); 1 and 1.0 still share a group.
      const v = fns[0](this.env);
      const k = typeof v === 'number' ? v : v instanceof Real ? v.v : valueKey(v);
      g = this.groups!.get(k);
      if (!g) {
        const keys = anyArray(1); // not [v], whose kind would follow v's (see anyArray)
        keys[0] = v;
        this.groups!.set(k, (g = this.newGroup(keys)));
      }
    } else {
      const keys = anyArray(fns.length);
      for (let i = 0; i < keys.length; i++) keys[i] = fns[i](this.env);
      const k = rowKey(keys);
      g = this.groups!.get(k);
      if (!g) this.groups!.set(k, (g = this.newGroup(keys)));
    }
    this.step(g);
  }

  private newGroup(keys: Value[]): Group {
    return { accs: this.p.aggSpecs.map((a) => a.make()), rows: 0, rep: this.env.rows.map((r) => r.slice()), keys };
  }

  /**
   * Makes the current row the one the group's bare columns read. Its values are copied into the
   * group's own arrays: the bound rows may be pooled ones that the next leaf overwrites.
   */
  private keepRep(g: Group): void {
    const rep = g.rep;
    const rows = this.env.rows;
    for (let i = 0; i < rep.length; i++) {
      const from = rows[i];
      const to = rep[i];
      if (from === undefined) continue;
      if (to === undefined || to.length !== from.length) rep[i] = from.slice();
      else for (let c = 0; c < from.length; c++) to[c] = from[c];
    }
  }

  /** Counts `n` rows as steps of the statement, checking for cancellation every 4096 (as each() does). */
  private countSteps(n: number): void {
    const ctx = this.env.ctx;
    const before = ctx.steps;
    ctx.steps += n;
    if (Math.floor(before / 4096) !== Math.floor(ctx.steps / 4096)) ctx.check();
  }

  /**
   * Steps the aggregates on the values of their columns, a leaf at a time, without building rows;
   * false when the level cannot read them this run.
   */
  private stepValues(L: Level, cols: Int32Array): boolean {
    const stepped = this.p.stepped;
    const bufs = Array.from(cols, () => new ColumnBuf());
    return L.columns!(this.env, cols, bufs, (count) => {
      this.countSteps(count);
      let g = this.single;
      if (!g) this.groups!.set('', (g = this.single = this.newGroup(noKeys)));
      g.rows += count;
      for (let k = 0; k < stepped.length; k++) g.accs[stepped[k]].stepValues!(bufs[k], count);
    });
  }

  /**
   * Every row of a chunk steps the aggregates (see RowPlan.batch): one loop per aggregate over the
   * chunk instead of emit and step per row, so a scan's hot loop is a few small functions that V8
   * optimises early. The same step functions see the same values in the same order.
   */
  private stepChunk(src: number, rows: Value[][]): void {
    const n = rows.length;
    if (n === 0) return;
    this.countSteps(n);
    let g = this.single;
    if (!g) {
      this.env.rows[src] = rows[0]; // the group's bare columns read its first row
      this.groups!.set('', (g = this.single = this.newGroup(noKeys)));
    }
    g.rows += n;
    const { stepped, argBufs, argCols } = this.p;
    for (let k = 0; k < stepped.length; k++) {
      const i = stepped[k];
      const acc = g.accs[i];
      const cols = argCols[i];
      if (cols.length === 1 && acc.stepColumn) {
        acc.stepColumn(rows, cols[0] % COL_LIMIT);
        continue;
      }
      const buf = argBufs[i];
      for (let r = 0; r < n; r++) {
        const row = rows[r];
        for (let j = 0; j < buf.length; j++) buf[j] = row[cols[j] % COL_LIMIT];
        acc.step(buf);
      }
    }
  }

  private step(g: Group): void {
    const { aggSpecs, stepped, argBufs, argCols } = this.p;
    const rows = this.env.rows;
    g.rows++;
    for (let k = 0; k < stepped.length; k++) {
      const i = stepped[k];
      const buf = argBufs[i];
      const cols = argCols[i];
      for (let j = 0; j < buf.length; j++) {
        const at = cols[j];
        buf[j] = at < 0 ? aggSpecs[i].args[j](this.env) : rows[(at / COL_LIMIT) | 0][at % COL_LIMIT];
      }
      g.accs[i].step(buf);
    }
    if (this.p.repBy >= 0 && g.accs[this.p.repBy].hit) this.keepRep(g);
  }
}

function compileValues(core: SelectCore, scope: Scope, orderBy: Select['orderBy']): CoreQuery {
  const rows = core.values!.map((r) => r.map((e) => compileExpr(e, scope)));
  const width = rows[0].length;
  if (rows.some((r) => r.length !== width)) throw new SqlError('SQL_ERROR', 'all VALUES must have the same number of terms');
  const columns = Array.from({ length: width }, (_, i) => `column${i + 1}`);
  const order = (orderBy ?? []).map((t) => {
    const idx = resolveOutputTerm(t.e, columns, core);
    if (idx < 0) throw new SqlError('SQL_ERROR', '1st ORDER BY term does not match any column in the result set');
    return idx;
  });
  return {
    columns,
    types: columns.map(() => ''),
    scope,
    plan: ['SCAN CONSTANT ROW'],
    sortKeys: order.length,
    desc: (orderBy ?? []).map((t) => t.desc),
    run(parent, ctx) {
      const env: Env = { rows: [], parent, aggs: null, ctx };
      return rows.map((r) => {
        const vals = r.map((f) => f(env));
        return order.length ? [...vals, ...order.map((i) => vals[i])] : vals;
      });
    },
  };
}

function openSource(
  item: JoinItem,
  scope: Scope,
  cat: Catalog,
  compileSub: (s: Select, sc: Scope) => CompiledQuery,
): { info: SourceInfo; rows: RowSource; table: Table | null; estimate: number } {
  const src = item.source;
  const fromQuery = (q: CompiledQuery, alias: string) => {
    const info: SourceInfo = {
      alias: alias.toLowerCase(),
      cols: q.columns.map((c) => c.toLowerCase()),
      types: q.types,
      aff: q.types.map((t) => (t ? affinityOf(t) : 'NONE')),
      rowidIdx: -1,
      hidden: new Set(),
    };
    const rows = (env: Env): Chunks => {
      if (q.correlated) return [q.run(env.parent, env.ctx)];
      let r = env.ctx.cache.get(q) as Value[][] | undefined;
      if (!r) env.ctx.cache.set(q, (r = q.run(null, env.ctx)));
      return [r];
    };
    return { info, rows, table: null, estimate: 1000 };
  };
  if (src.k === 'sub') return fromQuery(compileSub(src.sel, scope), src.alias ?? `subquery`);
  const table = cat.table(src.name);
  const alias = (src.alias ?? src.name).toLowerCase();
  if (table) {
    const info: SourceInfo = {
      alias,
      cols: table.cols.map((c) => c.name.toLowerCase()),
      types: table.cols.map((c) => c.type),
      aff: table.cols.map((c) => c.affinity),
      rowidIdx: table.width,
      hidden: new Set(),
      used: new Set(),
    };
    return { info, rows: tableScan(info, table, null), table, estimate: table.size };
  }
  const view = cat.view(src.name);
  if (view) return fromQuery(compileSelect(view.sel, null, cat), alias);
  const vt = cat.virtual(src.name);
  if (vt) {
    const info: SourceInfo = {
      alias,
      cols: vt.columns.map((c) => c.name.toLowerCase()),
      types: vt.columns.map((c) => c.type),
      aff: vt.columns.map((c) => affinityOf(c.type)),
      rowidIdx: -1,
      hidden: new Set(),
    };
    // Virtual tables are computed once per statement so a join sees one consistent snapshot.
    const rows = (env: Env): Chunks => {
      let r = env.ctx.cache.get(vt) as Value[][] | undefined;
      if (!r) {
        r = [];
        for (const raw of vt.scan()) {
          const row = vt.columns.map((c, i) => applyAffinity(importValue(raw[i]), affinityOf(c.type)));
          row.push(null);
          r.push(row);
        }
        env.ctx.cache.set(vt, r);
      }
      return [r];
    };
    return { info, rows, table: null, estimate: 1e5 };
  }
  throw new SqlError('SQL_NO_SUCH_TABLE', `no such table: ${src.name}`, src.pos);
}

interface Lookup {
  col: number;
  rowid: boolean;
  /** The equality it looks up. */
  conj: Conjunct;
  probe: Fn;
  probeAff: Affinity;
  colAff: Affinity;
}

const isNumericAff = (a: Affinity) => a === 'INTEGER' || a === 'REAL' || a === 'NUMERIC';

/**
 * Whether `col op probe` compares the column's stored values unchanged (only the probe may be
 * converted), so an ordered or hashed key over the column answers it.
 */
function keyable(colAff: Affinity, probeAff: Affinity): boolean {
  const probeNone = probeAff === 'NONE' || probeAff === 'BLOB';
  return isNumericAff(colAff) || (colAff === 'TEXT' && !isNumericAff(probeAff)) || (probeNone && !isNumericAff(colAff) && colAff !== 'TEXT');
}

/** The conversion SQLite applies to a probe compared with a column of this affinity. */
function normFor(colAff: Affinity): (v: Value) => Value {
  if (isNumericAff(colAff)) return (v) => applyAffinity(v, 'NUMERIC');
  if (colAff === 'TEXT') return (v) => applyAffinity(v, 'TEXT');
  return (v) => v;
}

/** An equality between a column of `s` and an expression over already-bound sources, usable as a key. */
function findLookup(s: number, conj: Conjunct[], bound: Set<number>, scope: Scope, tables: (Table | null)[]): Lookup | null {
  let found: Lookup | null = null;
  for (const c of conj) {
    if (c.e.k !== 'bin' || c.e.op !== '=' || !c.refs || !c.refs.has(s)) continue;
    for (const [a, b] of [[c.e.l, c.e.r], [c.e.r, c.e.l]] as const) {
      if (a.k !== 'col') continue;
      const r = scope.resolve(a.table, a.name, a.pos);
      if (!r || r.depth !== 0 || r.src !== s) continue;
      const other = refsOf(b, scope);
      if (!other || other.has(s) || ![...other].every((o) => bound.has(o))) continue;
      const info = scope.sources[s];
      const t = tables[s];
      const isRowid = !!t && (r.col === info.rowidIdx || r.col === t.ipk);
      const probeAff = exprAffinity(b, scope);
      const colAff = r.col === info.rowidIdx ? 'INTEGER' : info.aff[r.col];
      if (!keyable(colAff, probeAff)) continue;
      // A probe by a constant without an index is a filtered scan (an index plan covers indexed columns).
      if (!isRowid && other.size === 0) continue;
      const lk: Lookup = { col: r.col, rowid: isRowid, conj: c, probe: compileExpr(b, scope), probeAff, colAff };
      if (isRowid) return lk;
      found ??= lk;
    }
  }
  return found;
}

/** A full scan of a stored table, decoding the columns the statement reads, minus rows `probes` rule out. */
function tableScan(info: SourceInfo, table: Table, probes: TextProbe[] | null): RowSource {
  if (probes) return (_env, pool) => table.scanMatching(columnsRead(info, table), probes, pool);
  return (_env, pool) => table.scanColumns(columnsRead(info, table), -Infinity, Infinity, pool);
}

/** The `column = 'text'` conjuncts on source `s`, as probes its scan checks on the record bytes. */
function textProbes(s: number, conj: Conjunct[], scope: Scope, table: Table): TextProbe[] {
  const out: TextProbe[] = [];
  for (const c of conj) {
    const e = c.e;
    if (e.k !== 'bin' || e.op !== '=') continue;
    for (const [a, b] of [[e.l, e.r], [e.r, e.l]] as const) {
      if (a.k !== 'col' || b.k !== 'lit' || typeof b.v !== 'string') continue;
      const r = scope.resolve(a.table, a.name, a.pos);
      if (!r || r.depth !== 0 || r.src !== s || r.col >= table.width || r.col === table.ipk) continue;
      const bytes = Buffer.from(b.v, 'utf8');
      // Under a numeric affinity a literal like '7' becomes 7 and equals numbers: rows must then be
      // read whatever their bytes. Otherwise only a stored text can be equal.
      const exact = !isNumericAff(r.aff) || typeof applyAffinity(b.v, 'NUMERIC') === 'string';
      out.push({ col: r.col, bytes, needle: exact ? textNeedle(bytes) : null });
      break;
    }
  }
  // The first probe is the one a scan searches the page for.
  return out.sort((x, y) => (x.needle ? 0 : 1) - (y.needle ? 0 : 1));
}

/** A rowid lookup's row for the probe of `lk` (see Level.one). */
function rowidLookup(lk: Lookup, table: Table, info: SourceInfo): (env: Env) => Value[] | undefined {
  const norm = normFor(lk.colAff);
  const at = columnReads.get(lk.probe);
  if (at !== undefined) {
    // The probe is a column of an outer row (a join): read it here rather than through the probe's
    // closure, so that this function does not share a call site, and V8's bail-outs, with lookups
    // by parameters. The body is a copy of the one below on purpose: sharing it through a helper
    // made the join's first run slower again (11.6 -> 14 ms, median of 6 alternating runs).
    const src = Math.floor(at / COL_LIMIT);
    const col = at % COL_LIMIT;
    return (env) => {
      const v = norm(env.rows[src][col]);
      if (typeof v !== 'number' || !Number.isInteger(v)) return undefined;
      return table.getColumns(v, columnsRead(info, table));
    };
  }
  return (env) => {
    const v = norm(lk.probe(env));
    if (typeof v !== 'number' || !Number.isInteger(v)) return undefined;
    return table.getColumns(v, columnsRead(info, table));
  };
}

/** An automatic hash index over the level's rows, built once per statement run, probed by `lk`. */
function hashLookup(lk: Lookup, level: Level): (env: Env) => Chunks {
  const none: Value[][][] = [];
  const norm = normFor(lk.colAff);
  const col = lk.col;
  return (env) => {
    let idx = env.ctx.cache.get(level) as Map<string, Value[][]> | undefined;
    if (!idx) {
      idx = new Map();
      for (const chunk of level.rows(env)) {
        for (const row of chunk) {
          const v = row[col];
          if (v === null) continue;
          const k = valueKey(v);
          const list = idx.get(k);
          if (list) list.push(row);
          else idx.set(k, [row]);
        }
      }
      env.ctx.cache.set(level, idx);
    }
    const v = lk.probe(env);
    if (v === null) return none;
    const hit = idx.get(valueKey(norm(v)));
    return hit ? [hit] : none;
  };
}

interface IndexPlan {
  ix: TableIndex;
  /** The index holds every column the query reads: rows are built from the keys, not fetched. */
  covering: boolean;
  /** Leading index columns matched by equalities. */
  eqs: number;
  range: boolean;
  detail: string;
  run: (env: Env) => Chunks;
}

/**
 * The best index of a stored table for the conjuncts: equalities on a prefix of its columns, then
 * optionally a range (<, <=, >, >=, BETWEEN) on the next one. Bounds are inclusive, so the rows may
 * be a superset; the conjuncts still run as filters.
 */
function findIndexPlan(s: number, conj: Conjunct[], bound: Set<number>, scope: Scope, table: Table, used: Set<number> | null = null): IndexPlan | null {
  if (!table.indexes.length) return null;
  const info = scope.sources[s];
  const colOf = (x: Expr): number => {
    if (x.k !== 'col') return -1;
    const r = scope.resolve(x.table, x.name, x.pos);
    return r && r.depth === 0 && r.src === s && r.col < info.cols.length ? r.col : -1;
  };
  const usable = (x: Expr): boolean => {
    const refs = refsOf(x, scope);
    return !!refs && !refs.has(s) && [...refs].every((o) => bound.has(o));
  };
  const ok = (col: number, x: Expr) => usable(x) && keyable(info.aff[col], exprAffinity(x, scope));
  const eq = new Map<number, Expr>();
  const lows = new Map<number, Expr[]>();
  const highs = new Map<number, Expr[]>();
  const add = (m: Map<number, Expr[]>, col: number, x: Expr) => m.set(col, [...(m.get(col) ?? []), x]);
  for (const c of conj) {
    const e = c.e;
    if (e.k === 'between' && !e.not) {
      const col = colOf(e.e);
      if (col >= 0 && ok(col, e.lo) && ok(col, e.hi)) {
        add(lows, col, e.lo);
        add(highs, col, e.hi);
      }
    } else if (e.k === 'bin' && ['=', '<', '<=', '>', '>='].includes(e.op)) {
      for (const [a, b, flip] of [[e.l, e.r, false], [e.r, e.l, true]] as const) {
        const col = colOf(a);
        if (col < 0 || !ok(col, b)) continue;
        if (e.op === '=') {
          if (!eq.has(col)) eq.set(col, b);
        } else add((e.op === '>' || e.op === '>=') !== flip ? lows : highs, col, b);
        break;
      }
    }
  }
  let best: { ix: TableIndex; k: number; rangeCol: number; score: number } | null = null;
  for (const ix of table.indexes) {
    let k = 0;
    while (k < ix.cols.length && eq.has(ix.cols[k])) k++;
    const rangeCol = k < ix.cols.length && (lows.has(ix.cols[k]) || highs.has(ix.cols[k])) ? ix.cols[k] : -1;
    if (k === 0 && rangeCol < 0) continue;
    const score = k * 4 + (rangeCol >= 0 ? 1 : 0) + (ix.unique && k === ix.cols.length ? 2 : 0);
    if (!best || score > best.score) best = { ix, k, rangeCol, score };
  }
  if (!best) return null;
  const { ix, k, rangeCol } = best;
  const name = (c: number) => info.cols[c];
  const eqFns = ix.cols.slice(0, k).map((c) => ({ f: compileExpr(eq.get(c)!, scope), norm: normFor(info.aff[c]) }));
  const rnorm = rangeCol >= 0 ? normFor(info.aff[rangeCol]) : (v: Value) => v;
  const lowFns = rangeCol >= 0 ? (lows.get(rangeCol) ?? []).map((x) => compileExpr(x, scope)) : [];
  const highFns = rangeCol >= 0 ? (highs.get(rangeCol) ?? []).map((x) => compileExpr(x, scope)) : [];
  const parts = ix.cols.slice(0, k).map((c) => `${name(c)}=?`);
  if (lowFns.length) parts.push(`${name(rangeCol)}>?`);
  if (highFns.length) parts.push(`${name(rangeCol)}<?`);
  const none: Value[][][] = [];
  const width = table.width;
  const covering = !!used && [...used].every((c) => ix.cols.includes(c) || c === table.ipk || c === width);
  const ncols = ix.cols.length;
  const run = (env: Env): Chunks => {
    const prefix: Value[] = new Array(k);
    for (let i = 0; i < k; i++) {
      const v = eqFns[i].norm(eqFns[i].f(env));
      if (v === null) return none;
      prefix[i] = v;
    }
    let lo: Value | undefined;
    let hi: Value | undefined;
    for (const f of lowFns) {
      const v = rnorm(f(env));
      if (v === null) return none;
      if (lo === undefined || compare(v, lo) > 0) lo = v;
    }
    for (const f of highFns) {
      const v = rnorm(f(env));
      if (v === null) return none;
      if (hi === undefined || compare(v, hi) < 0) hi = v;
    }
    // With a range, start past the NULLs of the range column (NULL < every number).
    const start = rangeCol < 0 ? prefix : [...prefix, lo === undefined ? -Infinity : lo];
    const rows: Value[][] = [];
    ix.tree.scanKeys(start, (key) => {
      for (let i = 0; i < k; i++) if (compare(key[i], prefix[i]) !== 0) return false;
      if (hi !== undefined && compare(key[k], hi) > 0) return false;
      const rowid = key[ncols] as number;
      if (covering) {
        // Only the index's columns and the rowid are read: the other slots stay NULL.
        const row = new Array<Value>(width + 1).fill(null);
        for (let i = 0; i < ncols; i++) row[ix.cols[i]] = key[i];
        row[width] = rowid;
        if (table.ipk >= 0) row[table.ipk] = rowid;
        rows.push(row);
      } else {
        const row = table.get(rowid);
        if (row) rows.push(row);
      }
      return true;
    });
    return rows.length ? [rows] : none;
  };
  return { ix, covering, eqs: k, range: rangeCol >= 0, detail: parts.join(' AND '), run };
}

/**
 * Bounds on the rowid from BETWEEN / < / <= / > / >= conjuncts. The rows may be a superset of the
 * predicate (bounds are taken inclusively); the conjuncts still run as filters.
 */
function findRowidRange(
  s: number,
  conj: Conjunct[],
  bound: Set<number>,
  scope: Scope,
  table: Table,
): { run: RowSource; columns: NonNullable<Level['columns']>; detail: string; exact: () => boolean; answers: Set<Conjunct> } | null {
  const info = scope.sources[s];
  const isRowid = (x: Expr) => {
    if (x.k !== 'col') return false;
    const r = scope.resolve(x.table, x.name, x.pos);
    return !!r && r.depth === 0 && r.src === s && (r.col === info.rowidIdx || r.col === table.ipk);
  };
  const usable = (x: Expr) => {
    const refs = refsOf(x, scope);
    return !!refs && !refs.has(s) && [...refs].every((o) => bound.has(o));
  };
  const lows: Fn[] = [];
  const highs: Fn[] = [];
  // Inclusive conjuncts every row of the range satisfies when all bounds are integers.
  const answers = new Set<Conjunct>();
  for (const c of conj) {
    const e = c.e;
    if (e.k === 'between' && !e.not && isRowid(e.e) && usable(e.lo) && usable(e.hi)) {
      lows.push(compileExpr(e.lo, scope));
      highs.push(compileExpr(e.hi, scope));
      answers.add(c);
    } else if (e.k === 'bin' && ['<', '<=', '>', '>='].includes(e.op)) {
      const [col, other, flip] = isRowid(e.l) && usable(e.r) ? [e.l, e.r, false] : isRowid(e.r) && usable(e.l) ? [e.r, e.l, true] : [null, null, false];
      if (!col) continue;
      const lower = (e.op === '>' || e.op === '>=') !== flip;
      (lower ? lows : highs).push(compileExpr(other!, scope));
      if (e.op === '<=' || e.op === '>=') answers.add(c);
    }
  }
  let exact = false;
  if (!lows.length && !highs.length) return null;
  const bound1 = (fns: Fn[], env: Env, pick: (a: number, b: number) => number, dflt: number): number | null => {
    let out = dflt;
    for (const f of fns) {
      const v = f(env);
      if (v === null) return null;
      const n = typeof v === 'number' ? v : v instanceof Object && 'v' in v ? (v as { v: number }).v : NaN;
      if (!Number.isInteger(n)) exact = false;
      if (Number.isNaN(n)) return dflt; // text bounds compare above all numbers; keep the scan wide
      out = pick(out, n);
    }
    return out;
  };
  /** This run's bounds, or null when no row can be in range; sets `exact`. */
  const bounds = (env: Env): [number, number] | null => {
    exact = true;
    const lo = bound1(lows, env, Math.max, -Infinity);
    const hi = bound1(highs, env, Math.min, Infinity);
    return lo === null || hi === null ? null : [lo, hi];
  };
  const parts: string[] = [];
  if (lows.length) parts.push('rowid>?');
  if (highs.length) parts.push('rowid<?');
  return {
    detail: parts.join(' AND '),
    answers,
    exact: () => exact,
    run: (env, pool) => {
      const b = bounds(env);
      return b ? table.scanColumns(columnsRead(info, table), Math.floor(b[0]), Math.floor(b[1]), pool) : [];
    },
    columns: (env, cols, bufs, each) => {
      const b = bounds(env);
      if (!exact) return false;
      if (b) table.columns(b[0], b[1], cols, bufs, each);
      return true;
    },
  };
}

const wanted = new WeakMap<SourceInfo, Int32Array>();

/**
 * The columns of a stored table a statement reads, for scans that decode only those. Computed at the
 * first run, when every expression of the statement (subqueries included) has been compiled.
 */
function columnsRead(info: SourceInfo, table: Table): Int32Array {
  let want = wanted.get(info);
  if (!want) {
    want = new Int32Array(table.width).fill(-1);
    for (const c of info.used ?? table.cols.keys()) if (c < table.width) want[c] = c;
    wanted.set(info, want);
  }
  return want;
}

/**
 * Join order by estimated cost: for every choice of first source, extend greedily with the
 * cheapest next step, and keep the cheapest whole plan. Steps cost one probe per outer row for a
 * rowid or index lookup, a one-off build plus probes for an automatic hash index, and a full
 * scan per outer row otherwise; constant filters are assumed to keep a tenth of the rows.
 */
function chooseJoinOrder(n: number, pool: Conjunct[], scope: Scope, tables: (Table | null)[], est: number[]): number[] {
  if (n <= 1) return n ? [0] : [];
  const constFiltered = (s: number) => pool.some((c) => c.refs && c.refs.size === 1 && c.refs.has(s));
  let bestOrder: number[] = [];
  let bestCost = Infinity;
  for (let first = 0; first < n; first++) {
    const bound = new Set<number>([first]);
    const order = [first];
    let outer = Math.max(1, est[first] * (constFiltered(first) ? 0.1 : 1));
    let total = est[first];
    while (order.length < n) {
      let stepBest = Infinity;
      let stepPick = -1;
      let stepRows = 0;
      for (let s = 0; s < n; s++) {
        if (bound.has(s)) continue;
        const lk = findLookup(s, pool, bound, scope, tables);
        const ix = tables[s] && !(lk && lk.rowid) ? findIndexPlan(s, pool, bound, scope, tables[s]!) : null;
        let cost: number;
        let rows: number;
        if (lk && lk.rowid) [cost, rows] = [outer, outer];
        else if (ix && ix.eqs > 0) [cost, rows] = [outer * 2, outer * 2];
        else if (lk) [cost, rows] = [outer + est[s], outer * 2];
        else if (ix) [cost, rows] = [outer * Math.max(1, est[s] / 4), outer * Math.max(1, est[s] / 4)];
        else [cost, rows] = [outer * Math.max(1, est[s]), outer * Math.max(1, est[s]) * (constFiltered(s) ? 0.1 : 1)];
        if (cost < stepBest) [stepBest, stepPick, stepRows] = [cost, s, rows];
      }
      order.push(stepPick);
      bound.add(stepPick);
      total += stepBest;
      outer = Math.max(1, stepRows);
    }
    if (total < bestCost) [bestCost, bestOrder] = [total, order];
  }
  return bestOrder;
}
