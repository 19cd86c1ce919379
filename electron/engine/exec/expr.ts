import { SqlError } from '../errors';
import type { Expr, Select } from '../sql/ast';
import {
  affinityOf, applyAffinity, compare, compareText, isInt, isNumeric, mkReal, num, plainText, Real, toInteger, toNumber, toText, truth, valueKey,
  type Affinity, type Value,
} from '../record/values';
import type { Env, Fn, SourceInfo } from './env';
import { AGGREGATES, makeAggregate, SCALARS, type Aggregate } from './functions';
import { globToRegExp, likeToRegExp } from './like';

export interface CompiledQuery {
  columns: string[];
  types: string[];
  correlated: boolean;
  run(parent: Env | null, ctx: Env['ctx']): Value[][];
}

/**
 * Closures that only read a column of the current row, as `src * COL_LIMIT + col`: hot loops read
 * such a value from the row themselves instead of calling the closure.
 */
export const columnReads = new WeakMap<Fn, number>();
export const COL_LIMIT = 1 << 16;

export interface AggSpec {
  name: string;
  args: Fn[];
  distinct: boolean;
  star: boolean;
  make(): Aggregate;
}

/** Name resolution for one SELECT level; `parent` links correlated subqueries to their outer query. */
export class Scope {
  sources: SourceInfo[] = [];
  aggs: AggSpec[] | null = null;
  /**
   * Set when an aggregate query reads a column outside its aggregates (a bare column, here or from
   * a subquery): its groups must then keep a row for them.
   */
  bare = false;
  correlated = false;
  /** Result-column aliases usable as a fallback when no source column has that name. */
  aliases: Map<string, Expr> | null = null;
  constructor(
    public parent: Scope | null,
    public compileSub: (sel: Select, scope: Scope) => CompiledQuery,
  ) {}

  resolve(table: string | undefined, name: string, pos: number): { depth: number; src: number; col: number; aff: Affinity } | null {
    const lname = name.toLowerCase();
    const ltable = table?.toLowerCase();
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking outward from this scope
    let scope: Scope | null = this;
    let depth = 0;
    while (scope) {
      let found: { src: number; col: number; aff: Affinity } | null = null;
      for (let s = 0; s < scope.sources.length; s++) {
        const src = scope.sources[s];
        if (ltable !== undefined && src.alias !== ltable) continue;
        let c = src.cols.indexOf(lname);
        const aff: Affinity = c >= 0 ? src.aff[c] : 'INTEGER';
        if (c < 0 && src.rowidIdx >= 0 && (lname === 'rowid' || lname === 'oid' || lname === '_rowid_')) c = src.rowidIdx;
        if (c < 0) continue;
        if (found && ltable === undefined) {
          if (src.hidden.has(lname)) continue;
          if (!scope.sources[found.src].hidden.has(lname)) throw new SqlError('SQL_ERROR', `ambiguous column name: ${name}`, pos);
        }
        found = { src: s, col: c, aff };
      }
      if (found) {
        scope.sources[found.src].used?.add(found.col);
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- marks every scope crossed
        for (let sc: Scope = this, d = 0; d < depth; d++, sc = sc.parent!) sc.correlated = true;
        return { depth, ...found };
      }
      scope = scope.parent;
      depth++;
    }
    return null;
  }
}

export function hasAggregate(e: Expr | undefined): boolean {
  if (!e) return false;
  switch (e.k) {
    case 'fn':
      if (AGGREGATES.has(e.name) && !((e.name === 'min' || e.name === 'max') && e.args.length > 1)) return true;
      return e.args.some(hasAggregate);
    case 'un':
    case 'isnull':
    case 'cast':
      return hasAggregate(e.e);
    case 'bin':
    case 'like':
      return hasAggregate(e.l) || hasAggregate(e.r);
    case 'between':
      return hasAggregate(e.e) || hasAggregate(e.lo) || hasAggregate(e.hi);
    case 'in':
      return hasAggregate(e.e) || (e.list?.some(hasAggregate) ?? false);
    case 'case':
      return hasAggregate(e.base) || hasAggregate(e.else) || e.whens.some(([a, b]) => hasAggregate(a) || hasAggregate(b));
    default:
      return false;
  }
}

export function exprAffinity(e: Expr, scope: Scope): Affinity {
  if (e.k === 'col') {
    const r = scope.resolve(e.table, e.name, e.pos);
    return r ? r.aff : 'NONE';
  }
  if (e.k === 'cast') return affinityOf(e.type);
  return 'NONE';
}

const isNumAff = (a: Affinity) => a === 'INTEGER' || a === 'REAL' || a === 'NUMERIC';

/** The affinity each side of a comparison is converted to (datatype3.html section 4.2). */
function comparisonAffinities(la: Affinity, ra: Affinity): [Affinity, Affinity] {
  // A BLOB-affinity column counts as having an affinity here; only bare expressions have none.
  const noAff = (a: Affinity) => a === 'NONE';
  if (isNumAff(la) && !isNumAff(ra)) return ['NONE', 'NUMERIC'];
  if (isNumAff(ra) && !isNumAff(la)) return ['NUMERIC', 'NONE'];
  if (la === 'TEXT' && noAff(ra)) return ['NONE', 'TEXT'];
  if (ra === 'TEXT' && noAff(la)) return ['TEXT', 'NONE'];
  return ['NONE', 'NONE'];
}

function conv(f: Fn, aff: Affinity, e?: Expr): Fn {
  if (aff === 'NONE') return f;
  if (e && e.k === 'lit') {
    const v = applyAffinity(e.v as Value, aff);
    return () => v;
  }
  return (env) => applyAffinity(f(env), aff);
}

function divide(a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  const x = toNumber(a)!;
  const y = toNumber(b)!;
  const yv = num(y);
  if (yv === 0) return null;
  if (isInt(x as Value) && isInt(y as Value)) {
    const q = Math.trunc(num(x) / yv);
    return q;
  }
  return mkReal(num(x) / yv);
}

function remainder(a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  const x = toNumber(a)!;
  const y = toNumber(b)!;
  if (isInt(x as Value) && isInt(y as Value)) {
    if (y === 0) return null;
    return (x as number) % (y as number);
  }
  const yi = Math.trunc(num(y));
  if (yi === 0) return null;
  return mkReal(Math.trunc(num(x)) % yi);
}

function arith(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) {
    const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
    return Number.isSafeInteger(r) ? r : mkReal(r);
  }
  const x = toNumber(a)!;
  const y = toNumber(b)!;
  const r = op === '+' ? num(x) + num(y) : op === '-' ? num(x) - num(y) : num(x) * num(y);
  return isInt(x as Value) && isInt(y as Value) && Number.isSafeInteger(r) ? r : mkReal(r);
}

function bitop(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  const x = BigInt.asIntN(64, BigInt(toInteger(a)!));
  const y = BigInt(toInteger(b)!);
  let r: bigint;
  switch (op) {
    case '&': r = x & y; break;
    case '|': r = x | y; break;
    case '<<': r = y >= 64n ? 0n : y < 0n ? x >> -y : x << y; break;
    default: r = y >= 64n ? (x < 0n ? -1n : 0n) : y < 0n ? x << -y : x >> y;
  }
  return Number(BigInt.asIntN(64, r));
}

export function compileExpr(e: Expr, scope: Scope): Fn {
  switch (e.k) {
    case 'lit': {
      const v = e.v as Value;
      return () => v;
    }
    case 'param': {
      const { index, name } = e;
      return (env) => {
        if (name !== undefined && env.ctx.named.has(name)) return env.ctx.named.get(name)!;
        return env.ctx.params[index - 1] ?? null;
      };
    }
    case 'col': {
      const r = scope.resolve(e.table, e.name, e.pos);
      if (!r) {
        const alias = e.table === undefined ? scope.aliases?.get(e.name.toLowerCase()) : undefined;
        if (alias) {
          const saved = scope.aliases;
          scope.aliases = null; // an alias may not refer to itself
          try {
            return compileExpr(alias, scope);
          } finally {
            scope.aliases = saved;
          }
        }
        // SQLite's legacy rule: a "double-quoted" name that matches no column is a string.
        if (e.dq) {
          const v = e.name;
          return () => v;
        }
        throw new SqlError('SQL_NO_SUCH_COLUMN', `no such column: ${e.table ? e.table + '.' : ''}${e.name}`, e.pos);
      }
      const { depth, src, col } = r;
      let owner = scope;
      for (let d = 0; d < depth; d++) owner = owner.parent!;
      if (owner.aggs !== null) owner.bare = true;
      if (depth === 0) {
        const f: Fn = (env) => env.rows[src][col];
        if (col < COL_LIMIT) columnReads.set(f, src * COL_LIMIT + col);
        return f;
      }
      if (depth === 1) return (env) => env.parent!.rows[src][col];
      return (env) => {
        let en = env;
        for (let d = 0; d < depth; d++) en = en.parent!;
        return en.rows[src][col];
      };
    }
    case 'un': {
      const f = compileExpr(e.e, scope);
      switch (e.op) {
        case '+':
          return f;
        case '-':
          return (env) => {
            const v = f(env);
            if (v === null) return null;
            if (typeof v === 'number') return v === 0 ? 0 : -v;
            const n = toNumber(v)!;
            return typeof n === 'number' ? (n === 0 ? 0 : -n) : new Real(-n.v);
          };
        case '~':
          return (env) => {
            const v = f(env);
            return v === null ? null : Number(BigInt.asIntN(64, ~BigInt(toInteger(v)!)));
          };
        default:
          return (env) => {
            const t = truth(f(env));
            return t === null ? null : t ? 0 : 1;
          };
      }
    }
    case 'bin':
      return compileBinary(e.op, e.l, e.r, scope);
    case 'isnull': {
      const f = compileExpr(e.e, scope);
      return e.not ? (env) => (f(env) !== null ? 1 : 0) : (env) => (f(env) === null ? 1 : 0);
    }
    case 'between': {
      // x BETWEEN a AND b is exactly x>=a AND x<=b, including how affinity applies to each side.
      const ge = compileBinary('>=', e.e, e.lo, scope);
      const le = compileBinary('<=', e.e, e.hi, scope);
      return (env) => {
        const a = truth(ge(env));
        if (a === false) return e.not ? 1 : 0;
        const b = truth(le(env));
        let r: boolean | null;
        if (b === false) r = false;
        else if (a === null || b === null) r = null;
        else r = true;
        return r === null ? null : r !== e.not ? 1 : 0;
      };
    }
    case 'like': {
      const l = compileExpr(e.l, scope);
      const r = compileExpr(e.r, scope);
      const esc = e.esc ? compileExpr(e.esc, scope) : null;
      let lastPat: string | null = null;
      let lastEsc: string | null = null;
      let re: RegExp | null = null;
      const not = e.not;
      const glob = e.op === 'GLOB';
      return (env) => {
        const s = l(env);
        const p = r(env);
        const ev = esc ? esc(env) : null;
        if (s === null || p === null || (esc && ev === null)) return null;
        const pat = toText(p)!;
        const escape = ev === null ? null : toText(ev)!;
        if (escape !== null && Array.from(escape).length !== 1) throw new SqlError('SQL_ERROR', 'ESCAPE expression must be a single character');
        if (pat !== lastPat || escape !== lastEsc || !re) {
          re = glob ? globToRegExp(pat) : likeToRegExp(pat, escape);
          lastPat = pat;
          lastEsc = escape;
        }
        const m = re.test(toText(s)!);
        return m !== not ? 1 : 0;
      };
    }
    case 'in':
      return compileIn(e, scope);
    case 'case': {
      const base = e.base ? compileExpr(e.base, scope) : null;
      const whens = e.whens.map(([w, t]) => [base ? compileBinary('=', e.base!, w, scope) : compileExpr(w, scope), compileExpr(t, scope)] as const);
      const els = e.else ? compileExpr(e.else, scope) : () => null;
      return (env) => {
        for (const [w, t] of whens) if (truth(w(env)) === true) return t(env);
        return els(env);
      };
    }
    case 'cast': {
      const f = compileExpr(e.e, scope);
      const aff = affinityOf(e.type);
      return (env) => castTo(f(env), aff);
    }
    case 'fn':
      return compileCall(e, scope);
    case 'sub': {
      const q = scope.compileSub(e.sel, scope);
      return (env) => {
        if (!q.correlated) {
          const hit = env.ctx.cache.get(q);
          if (hit !== undefined) return hit as Value;
        }
        const rows = q.run(env, env.ctx);
        const v = rows.length ? rows[0][0] : null;
        if (!q.correlated) env.ctx.cache.set(q, v);
        return v;
      };
    }
    case 'exists': {
      const q = scope.compileSub(e.sel, scope);
      const not = e.not;
      return (env) => {
        let rows: Value[][];
        if (!q.correlated && env.ctx.cache.has(q)) rows = env.ctx.cache.get(q) as Value[][];
        else {
          rows = q.run(env, env.ctx);
          if (!q.correlated) env.ctx.cache.set(q, rows);
        }
        return rows.length > 0 !== not ? 1 : 0;
      };
    }
  }
}

export function castTo(v: Value, aff: Affinity): Value {
  if (v === null) return null;
  switch (aff) {
    case 'INTEGER':
      return toInteger(v);
    case 'REAL': {
      const n = toNumber(v)!;
      return mkReal(num(n));
    }
    case 'NUMERIC': {
      if (isNumeric(v)) return v instanceof Real && Math.abs(v.v) < 9e18 ? v.v : v;
      const n = toNumber(v)!;
      return n instanceof Real && Math.abs(n.v) < 9e18 ? n.v : n;
    }
    case 'TEXT':
      return toText(v);
    default:
      return v instanceof Uint8Array ? v : new TextEncoder().encode(toText(v)!);
  }
}

function compileBinary(op: string, le: Expr, re: Expr, scope: Scope): Fn {
  const l = compileExpr(le, scope);
  const r = compileExpr(re, scope);
  switch (op) {
    case 'AND':
      return (env) => {
        const a = truth(l(env));
        if (a === false) return 0;
        const b = truth(r(env));
        if (b === false) return 0;
        return a === null || b === null ? null : 1;
      };
    case 'OR':
      return (env) => {
        const a = truth(l(env));
        if (a === true) return 1;
        const b = truth(r(env));
        if (b === true) return 1;
        return a === null || b === null ? null : 0;
      };
    case '+':
    case '-':
    case '*':
      return (env) => arith(op, l(env), r(env));
    case '/':
      return (env) => divide(l(env), r(env));
    case '%':
      return (env) => remainder(l(env), r(env));
    case '||':
      return (env) => {
        const a = l(env);
        const b = r(env);
        return a === null || b === null ? null : toText(a)! + toText(b)!;
      };
    case '&':
    case '|':
    case '<<':
    case '>>':
      return (env) => bitop(op, l(env), r(env));
  }
  const [la, ra] = comparisonAffinities(exprAffinity(le, scope), exprAffinity(re, scope));
  const lc = conv(l, la, le);
  const rc = conv(r, ra, re);
  const test = COMPARATORS[op];
  if (!test) throw new SqlError('SQL_SYNTAX', `unknown operator ${op}`);
  if (op === 'IS') return (env) => (compare(lc(env), rc(env)) === 0 ? 1 : 0);
  if (op === 'ISNOT') return (env) => (compare(lc(env), rc(env)) !== 0 ? 1 : 0);
  // `column <op> literal` (the common filter): the row is read and the converted literal compared
  // without calling the operand closures per row.
  if (re.k === 'lit' && le.k === 'col' && lc === l) {
    const b = applyAffinity(re.v as Value, ra);
    const r0 = scope.resolve(le.table, le.name, le.pos);
    if (r0 && r0.depth === 0 && (typeof b === 'number' || typeof b === 'string')) {
      const { src, col } = r0;
      const bt = typeof b;
      const plain = typeof b === 'string' && plainText(b);
      if (op === '=')
        return (env) => {
          const a = env.rows[src][col];
          if (a === null) return null;
          if (typeof a === bt) return a === b ? 1 : 0;
          return compare(a, b) === 0 ? 1 : 0;
        };
      return (env) => {
        const a = env.rows[src][col];
        if (a === null) return null;
        if (typeof a === bt && (bt === 'number' || plain)) return test(a < b ? -1 : a > b ? 1 : 0) ? 1 : 0;
        return test(compare(a, b)) ? 1 : 0;
      };
    }
  }
  return (env) => {
    const a = lc(env);
    if (a === null) return null;
    const b = rc(env);
    if (b === null) return null;
    if (typeof a === 'number' && typeof b === 'number') return test(a < b ? -1 : a > b ? 1 : 0) ? 1 : 0;
    if (typeof a === 'string' && typeof b === 'string') return test(compareText(a, b)) ? 1 : 0;
    return test(compare(a, b)) ? 1 : 0;
  };
}

const COMPARATORS: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
  IS: (c) => c === 0,
  ISNOT: (c) => c !== 0,
};

function compileIn(e: Expr & { k: 'in' }, scope: Scope): Fn {
  const lhs = compileExpr(e.e, scope);
  const laff = exprAffinity(e.e, scope);
  const not = e.not;
  const finish = (found: boolean, sawNull: boolean): Value => (found ? (not ? 0 : 1) : sawNull ? null : not ? 1 : 0);
  if (e.list) {
    const items = e.list.map((x) => ({ f: compileExpr(x, scope), aff: exprAffinity(x, scope) }));
    if (items.length === 0) return () => (not ? 1 : 0);
    return (env) => {
      const v = lhs(env);
      if (v === null) return null;
      let sawNull = false;
      for (const it of items) {
        let w = it.f(env);
        if (w === null) {
          sawNull = true;
          continue;
        }
        const [a, b] = comparisonAffinities(laff, it.aff);
        const x = a === 'NONE' ? v : applyAffinity(v, a);
        if (b !== 'NONE') w = applyAffinity(w, b);
        if (compare(x, w) === 0) return finish(true, false);
      }
      return finish(false, sawNull);
    };
  }
  let q: CompiledQuery;
  if (e.sel) q = scope.compileSub(e.sel, scope);
  else {
    q = scope.compileSub(
      { k: 'select', core: { distinct: false, cols: [{ star: true, text: '*' }], from: [{ source: { k: 'table', name: e.table!, pos: 0 }, join: 'first' }] }, compound: [] },
      scope,
    );
  }
  if (q.columns.length !== 1) throw new SqlError('SQL_ERROR', `sub-select returns ${q.columns.length} columns - expected 1`);
  // Subquery results are hashed once per run; numeric LHS affinity is applied to the probe value.
  return (env) => {
    let set = (q.correlated ? null : env.ctx.cache.get(q)) as { keys: Set<string>; hasNull: boolean; empty: boolean; rows: Value[] } | null;
    if (!set) {
      const rows = q.run(env, env.ctx);
      set = { keys: new Set(), hasNull: false, empty: rows.length === 0, rows: rows.map((r) => r[0]) };
      for (const r of rows) {
        if (r[0] === null) set.hasNull = true;
        else set.keys.add(valueKey(r[0]));
      }
      if (!q.correlated) env.ctx.cache.set(q, set);
    }
    if (set.empty) return not ? 1 : 0;
    let v = lhs(env);
    if (v === null) return null;
    if (isNumAff(laff)) {
      for (const w of set.rows) if (w !== null && compare(v, applyAffinity(w, laff)) === 0) return finish(true, false);
      return finish(false, set.hasNull);
    }
    if (laff === 'TEXT') v = applyAffinity(v, 'TEXT');
    return finish(set.keys.has(valueKey(v)), set.hasNull);
  };
}

function compileCall(e: Expr & { k: 'fn' }, scope: Scope): Fn {
  const isAgg = AGGREGATES.has(e.name) && !((e.name === 'min' || e.name === 'max') && e.args.length > 1);
  if (isAgg) {
    if (!scope.aggs) throw new SqlError('SQL_MISUSE', `misuse of aggregate function ${e.name}()`, e.pos);
    if (e.star && e.name !== 'count') throw new SqlError('SQL_SYNTAX', `wrong number of arguments to function ${e.name}()`, e.pos);
    const aggs = scope.aggs;
    scope.aggs = null; // nested aggregates are a misuse
    let args: Fn[];
    try {
      args = e.args.map((a) => compileExpr(a, scope));
    } finally {
      scope.aggs = aggs;
    }
    const expected = e.name === 'count' ? (e.star ? 0 : 1) : e.name === 'group_concat' ? -1 : 1;
    if ((expected >= 0 && args.length !== expected) || (expected < 0 && (args.length < 1 || args.length > 2)))
      throw new SqlError('SQL_ERROR', `wrong number of arguments to function ${e.name}()`, e.pos);
    if (e.distinct && args.length !== 1) throw new SqlError('SQL_ERROR', 'DISTINCT aggregates must have exactly one argument', e.pos);
    const { name, distinct, star } = e;
    const idx = aggs.length;
    aggs.push({ name, args, distinct, star, make: () => makeAggregate(name, distinct, star) });
    return (env) => env.aggs![idx];
  }
  const def = SCALARS[e.name];
  if (!def) throw new SqlError('SQL_ERROR', `no such function: ${e.name}`, e.pos);
  if (e.args.length < def.min || e.args.length > def.max || e.star || e.distinct)
    throw new SqlError('SQL_ERROR', `wrong number of arguments to function ${e.name}()`, e.pos);
  const args = e.args.map((a) => compileExpr(a, scope));
  const fn = def.fn;
  if (e.name === 'coalesce' || e.name === 'ifnull') {
    return (env) => {
      for (const a of args) {
        const v = a(env);
        if (v !== null) return v;
      }
      return null;
    };
  }
  if (args.length === 1) {
    const a0 = args[0];
    return (env) => fn([a0(env)]);
  }
  return (env) => fn(args.map((a) => a(env)));
}
