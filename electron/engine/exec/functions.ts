import { COL_INT, COL_NULL, COL_OTHER, COL_REAL, type ColumnBuf } from '../btree/record';
import { SqlError } from '../errors';
import {
  compare, isInt, mkReal, num, Real, toInteger, toNumber, toText, typeOf, valueKey, type Value,
} from '../record/values';

export type ScalarFn = (args: Value[]) => Value;

function hex(v: Value): string {
  const bytes = v instanceof Uint8Array ? v : new TextEncoder().encode(toText(v) ?? '');
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
  return s;
}

function round(v: Value, digits: Value): Value {
  if (v === null) return null;
  const x = num(toNumber(v)!);
  const d = digits === null ? 0 : Math.max(0, Math.min(30, toInteger(digits)!));
  const f = 10 ** d;
  const r = Math.round(Math.abs(x) * f + 1e-9 * Math.abs(x) * f * 0) / f;
  return mkReal(x < 0 ? -r : r);
}

function substr(args: Value[]): Value {
  const [s, startV, lenV] = args;
  if (s === null || startV === null || (args.length > 2 && lenV === null)) return null;
  const isBlob = s instanceof Uint8Array;
  const chars: ArrayLike<unknown> = isBlob ? s : Array.from(toText(s)!);
  const n = chars.length;
  let start = toInteger(startV)!;
  let len = args.length > 2 ? toInteger(lenV)! : n + 1;
  // SQLite's 1-based indexing, negative starts from the end, negative length takes chars before start.
  if (start < 0) start = n + start + 1;
  else if (start === 0) {
    if (len > 0) len -= 1;
    start = 1;
  }
  let from = start - 1;
  let to = from + len;
  if (len < 0) {
    to = from;
    from = from + len;
  }
  from = Math.max(0, from);
  to = Math.min(n, Math.max(0, to));
  if (to <= from) return isBlob ? new Uint8Array(0) : '';
  return isBlob ? (s as Uint8Array).slice(from, to) : (chars as string[]).slice(from, to).join('');
}

function trimWith(s: Value, chars: Value, left: boolean, right: boolean): Value {
  if (s === null || chars === null) return null;
  const str = toText(s)!;
  const set = new Set(chars === undefined ? [' '] : Array.from(toText(chars)!));
  let a = 0;
  let b = str.length;
  if (left) while (a < b && set.has(str[a])) a++;
  if (right) while (b > a && set.has(str[b - 1])) b--;
  return str.slice(a, b);
}

function arith(op: '+' | '-' | '*', args: Value[]): Value {
  const [a, b] = args;
  if (a === null || b === null) return null;
  const x = toNumber(a)!;
  const y = toNumber(b)!;
  const r = op === '+' ? num(x) + num(y) : op === '-' ? num(x) - num(y) : num(x) * num(y);
  return isInt(x as Value) && isInt(y as Value) && Number.isSafeInteger(r) ? r : mkReal(r);
}

export const SCALARS: Record<string, { min: number; max: number; fn: ScalarFn }> = {
  abs: { min: 1, max: 1, fn: ([v]) => (v === null ? null : isInt(toNumber(v)) ? Math.abs(num(toNumber(v)!)) : mkReal(Math.abs(num(toNumber(v)!)))) },
  length: {
    min: 1, max: 1,
    fn: ([v]) => (v === null ? null : v instanceof Uint8Array ? v.length : Array.from(toText(v)!).length),
  },
  lower: { min: 1, max: 1, fn: ([v]) => (v === null ? null : toText(v)!.toLowerCase()) },
  upper: { min: 1, max: 1, fn: ([v]) => (v === null ? null : toText(v)!.toUpperCase()) },
  substr: { min: 2, max: 3, fn: substr },
  substring: { min: 2, max: 3, fn: substr },
  trim: { min: 1, max: 2, fn: (a) => trimWith(a[0], a.length > 1 ? a[1] : (undefined as never), true, true) },
  ltrim: { min: 1, max: 2, fn: (a) => trimWith(a[0], a.length > 1 ? a[1] : (undefined as never), true, false) },
  rtrim: { min: 1, max: 2, fn: (a) => trimWith(a[0], a.length > 1 ? a[1] : (undefined as never), false, true) },
  round: { min: 1, max: 2, fn: (a) => round(a[0], a.length > 1 ? a[1] : 0) },
  typeof: { min: 1, max: 1, fn: ([v]) => typeOf(v) },
  coalesce: { min: 2, max: 1000, fn: (a) => a.find((v) => v !== null) ?? null },
  ifnull: { min: 2, max: 2, fn: (a) => a.find((v) => v !== null) ?? null },
  nullif: { min: 2, max: 2, fn: ([a, b]) => (compare(a, b) === 0 && a !== null ? null : a) },
  instr: {
    min: 2, max: 2,
    fn: ([a, b]) => {
      if (a === null || b === null) return null;
      const s = toText(a)!;
      const i = s.indexOf(toText(b)!);
      return i < 0 ? 0 : Array.from(s.slice(0, i)).length + 1;
    },
  },
  replace: {
    min: 3, max: 3,
    fn: ([s, f, r]) => {
      if (s === null || f === null || r === null) return null;
      const from = toText(f)!;
      return from === '' ? toText(s) : toText(s)!.split(from).join(toText(r)!);
    },
  },
  hex: { min: 1, max: 1, fn: ([v]) => (v === null ? '' : hex(v)) },
  random: { min: 0, max: 0, fn: () => Math.floor((Math.random() - 0.5) * 2 ** 53) },
  min: { min: 2, max: 1000, fn: (a) => (a.some((v) => v === null) ? null : a.reduce((m, v) => (compare(v, m) < 0 ? v : m))) },
  max: { min: 2, max: 1000, fn: (a) => (a.some((v) => v === null) ? null : a.reduce((m, v) => (compare(v, m) > 0 ? v : m))) },
  quote: {
    min: 1, max: 1,
    fn: ([v]) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : v instanceof Uint8Array ? `X'${hex(v)}'` : toText(v)),
  },
  unicode: { min: 1, max: 1, fn: ([v]) => (v === null ? null : toText(v)!.codePointAt(0) ?? null) },
  char: { min: 0, max: 1000, fn: (a) => String.fromCodePoint(...a.map((v) => toInteger(v) ?? 0)) },
  sign: { min: 1, max: 1, fn: ([v]) => (v === null ? null : Math.sign(num(toNumber(v)!))) },
  zeroblob: { min: 1, max: 1, fn: ([v]) => new Uint8Array(Math.max(0, toInteger(v) ?? 0)) },
  add: { min: 2, max: 2, fn: (a) => arith('+', a) },
};

/** Aggregates keep a small state object per group; `final` turns it into the value. */
export interface Aggregate {
  step(args: Value[]): void;
  final(): Value;
  /**
   * min() and max() only: whether the last step chose its row, by SQLite's rule (a new extreme, or
   * any row while there is none yet). The group's bare columns then come from that row.
   */
  hit?: boolean;
  /** Steps once per row with the row's column `col` as the one argument (a chunk of a scan). */
  stepColumn?(rows: Value[][], col: number): void;
  /** Steps once per value in slots [0, count) of one column of a leaf's rows (see readColumn). */
  stepValues?(buf: ColumnBuf, count: number): void;
}

export const AGGREGATES = new Set(['count', 'sum', 'total', 'avg', 'min', 'max', 'group_concat']);

export function makeAggregate(name: string, distinct: boolean, star: boolean): Aggregate {
  const seen = distinct ? new Set<string>() : null;
  const inner = baseAggregate(name, star);
  if (!seen) return inner;
  return {
    step(args) {
      if (args[0] === null) return;
      const k = valueKey(args[0]);
      if (seen.has(k)) return;
      seen.add(k);
      inner.step(args);
    },
    final: () => inner.final(),
  };
}

/** 2^63: an INTEGER sum at or beyond it (or below its negation) has overflowed. */
const INT64_LIMIT = 9223372036854775808;
/** 2^52: integers this large are added to the float sum in two parts, as SQLite does. */
const SPLIT = 4503599627370496;
/** The low part of such an integer (what is left after its multiples of 16384); 0 below 2^52. */
const lowPart = (x: number): number => (x <= -SPLIT || x >= SPLIT ? x % 16384 : 0);

/**
 * sum(), total() and avg() as SQLite computes them: an exact INTEGER sum while every value is an
 * integer, then a float sum with Kahan-Babuska-Neumaier compensation from the first REAL on (or
 * from an integer overflow, which sum() then reports unless a REAL follows).
 */
class Sum implements Aggregate {
  private n = 0;
  private approx = false;
  private overflow = false;
  private iSum = 0;
  private rSum = 0;
  private rErr = 0;

  constructor(private readonly name: string) {}

  step(args: Value[]): void {
    this.add(args[0]);
  }

  stepColumn(rows: Value[][], col: number): void {
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r][col];
      // add()'s common case called directly: V8 inlines int() here, not all of add().
      if (typeof v === 'number' && Number.isInteger(v)) this.int(v);
      else this.add(v);
    }
  }

  stepValues(buf: ColumnBuf, count: number): void {
    const { nums, kinds } = buf;
    let k = 0;
    while (k < count) {
      const kind = kinds[k];
      if (kind === COL_REAL && this.approx) {
        // A run of REALs into a float sum: real() and kbn() inlined over locals. A scan's first run
        // executes this loop before V8 has optimised it, where every call costs.
        let s = this.rSum;
        let err = this.rErr;
        const from = k;
        for (; k < count && kinds[k] === COL_REAL; k++) {
          const r = nums[k];
          const t = s + r;
          err += Math.abs(s) > Math.abs(r) ? s - t + r : r - t + s;
          s = t;
        }
        this.rSum = s;
        this.rErr = err;
        this.n += k - from;
        this.overflow = false;
        continue;
      }
      if (kind === COL_INT) this.int(nums[k]);
      else if (kind === COL_REAL) this.real(nums[k]);
      else if (kind === COL_OTHER) this.add(buf.vals[k]);
      k++;
    }
  }

  final(): Value {
    if (this.name === 'total') return mkReal(this.approx ? this.float() : this.iSum);
    if (this.n === 0) return null;
    if (this.name === 'avg') return mkReal((this.approx ? this.float() : this.iSum) / this.n);
    if (!this.approx) return this.iSum;
    if (this.overflow) throw new SqlError('SQL_ERROR', 'integer overflow');
    return mkReal(this.float());
  }

  private add(v: Value): void {
    if (v === null) return;
    if (typeof v === 'number') {
      if (Number.isInteger(v)) this.int(v);
      else this.real(v);
    } else if (v instanceof Real) this.real(v.v);
    else {
      // Text and blobs count as the number they read as, an INTEGER only when spelled as one.
      const x = toNumber(v)!;
      if (isInt(x as Value) && /^\s*[+-]?\d+\s*$/.test(toText(v) ?? '')) this.int(num(x));
      else this.real(num(x));
    }
  }

  private int(x: number): void {
    this.n++;
    if (!this.approx) {
      const s = this.iSum + x;
      if (s < INT64_LIMIT && s >= -INT64_LIMIT) {
        this.iSum = s;
        return;
      }
      this.overflow = true;
      this.toFloat();
    }
    const low = lowPart(x);
    this.kbn(x - low);
    if (low !== 0) this.kbn(low);
  }

  private real(x: number): void {
    this.n++;
    if (!this.approx) this.toFloat();
    else this.overflow = false;
    this.kbn(x);
  }

  /** Carries the INTEGER sum so far into the float sum (split as int() splits a value). */
  private toFloat(): void {
    this.approx = true;
    const low = lowPart(this.iSum);
    this.rSum = this.iSum - low;
    this.rErr = low;
  }

  private kbn(r: number): void {
    const s = this.rSum;
    const t = s + r;
    if (Math.abs(s) > Math.abs(r)) this.rErr += s - t + r;
    else this.rErr += r - t + s;
    this.rSum = t;
  }

  /** The compensated float sum; its error term is dropped once it is no longer finite. */
  private float(): number {
    return Number.isFinite(this.rErr) ? this.rSum + this.rErr : this.rSum;
  }
}

function baseAggregate(name: string, star: boolean): Aggregate {
  switch (name) {
    case 'count': {
      let n = 0;
      if (star) return { step: () => void n++, final: () => n };
      return {
        step: (a) => void (a[0] !== null && n++),
        stepColumn(rows, col) {
          for (let r = 0; r < rows.length; r++) if (rows[r][col] !== null) n++;
        },
        stepValues(buf, count) {
          const kinds = buf.kinds;
          for (let k = 0; k < count; k++) if (kinds[k] !== COL_NULL) n++;
        },
        final: () => n,
      };
    }
    case 'sum':
    case 'total':
    case 'avg':
      return new Sum(name);
    case 'min':
    case 'max': {
      let best: Value = null;
      const sign = name === 'min' ? -1 : 1;
      return {
        hit: false,
        step(args) {
          const v = args[0];
          if (v === null) this.hit = best === null;
          else if (best === null || compare(v, best) * sign > 0) {
            best = v;
            this.hit = true;
          } else this.hit = false;
        },
        final: () => best,
      };
    }
    case 'group_concat': {
      let out: string | null = null;
      return {
        step([v, sep]) {
          if (v === null) return;
          const s = toText(v)!;
          out = out === null ? s : out + (sep === undefined ? ',' : (toText(sep) ?? '')) + s;
        },
        final: () => out,
      };
    }
  }
  throw new SqlError('SQL_ERROR', `no such aggregate: ${name}`);
}
