/**
 * SQL values as the engine carries them. JS numbers cannot say whether 2.0 is REAL, so a REAL whose
 * value happens to be integral is boxed in `Real`; every other number is INTEGER when integral and
 * REAL otherwise. The box never leaves the engine: the public API unwraps it.
 */
export class Real {
  constructor(readonly v: number) {}
}
export type Value = null | number | string | Uint8Array | Real;

/**
 * An array of `n` NULLs whose V8 elements kind is "any value, with holes" from the start, and so
 * whatever it holds later: one hidden class for every such array. A literal's kind follows its
 * first values (small integers, doubles, objects), and optimised code that read arrays of one kind
 * is thrown away when another kind comes: the arrays a statement's shared code reads (pooled
 * chunks, aggregate results, group keys) would do that at every new kind of statement.
 */
export function anyArray<T = Value>(n: number): T[] {
  const a = new Array<T>(n > 0 ? n : 1).fill(null as T);
  a.length = n;
  return a;
}
export type Affinity = 'INTEGER' | 'REAL' | 'NUMERIC' | 'TEXT' | 'BLOB' | 'NONE';

export function mkReal(x: number): number | Real | null {
  if (Number.isNaN(x)) return null;
  return Number.isInteger(x) ? new Real(x) : x;
}

export const isNumeric = (v: Value): v is number | Real => typeof v === 'number' || v instanceof Real;
export const isInt = (v: Value): v is number => typeof v === 'number' && Number.isInteger(v);
export const num = (v: number | Real): number => (typeof v === 'number' ? v : v.v);

/** SQLite's rule for a declared column type (datatype3.html section 3.1). */
export function affinityOf(type: string): Affinity {
  const t = type.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB') || t === '') return t === '' ? 'BLOB' : 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)\s*$/;
const INT_TEXT = /^\s*[+-]?\d+\s*$/;

/** Text that is entirely a number becomes that number (integer when it has no fraction/exponent). */
export function textToNumber(s: string): number | Real | null {
  if (!NUMERIC_TEXT.test(s)) return null;
  const x = Number(s.trim());
  if (INT_TEXT.test(s) && Number.isSafeInteger(x)) return x;
  if (INT_TEXT.test(s)) return x;
  return mkReal(x);
}

/** Apply a column affinity to a value being stored or compared. */
export function applyAffinity(v: Value, aff: Affinity): Value {
  if (v === null) return v;
  switch (aff) {
    case 'INTEGER':
    case 'NUMERIC': {
      if (typeof v === 'string') {
        const n = textToNumber(v);
        if (n === null) return v;
        if (n instanceof Real && Math.abs(n.v) < 9.2e18) return n.v;
        return n;
      }
      if (v instanceof Real && Math.abs(v.v) < 9.2e18) return v.v;
      return v;
    }
    case 'REAL': {
      if (typeof v === 'string') {
        const n = textToNumber(v);
        return n === null ? v : mkReal(num(n));
      }
      if (typeof v === 'number') return mkReal(v);
      return v;
    }
    case 'TEXT':
      if (isNumeric(v)) return toText(v);
      return v;
    default:
      return v;
  }
}

/** SQLite prints reals with %!.15g: always a decimal point or exponent. */
export function realToText(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '' : x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0.0';
  let s = x.toPrecision(15);
  if (s.includes('e')) {
    const parts = s.split('e');
    let m = parts[0];
    const e = parts[1];
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '.0');
    else m += '.0';
    const sign = e[0] === '-' ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${m}e${sign}${digits}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '.0');
  else s += '.0';
  return s;
}

export function toText(v: Value): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : realToText(v);
  if (v instanceof Real) return realToText(v.v);
  return new TextDecoder().decode(v);
}

/** Numeric value for arithmetic: text uses its longest numeric prefix, as SQLite does. */
export function toNumber(v: Value): number | Real | null {
  if (v === null) return null;
  if (typeof v === 'number' || v instanceof Real) return v;
  const s = typeof v === 'string' ? v : new TextDecoder().decode(v);
  const m = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(s);
  if (!m) return 0;
  const txt = m[0].trim();
  const x = Number(txt);
  if (/^[+-]?\d+$/.test(txt)) return x;
  return mkReal(x);
}

export function toInteger(v: Value): number | null {
  const n = toNumber(v);
  if (n === null) return null;
  const x = num(n);
  if (!Number.isFinite(x)) return x > 0 ? 2 ** 63 - 1 : -(2 ** 63);
  return Math.trunc(x);
}

/** Truth value for WHERE/AND/OR/NOT; null means unknown. */
export function truth(v: Value): boolean | null {
  if (v === null) return null;
  if (typeof v === 'number') return v !== 0;
  const n = toNumber(v);
  return n === null ? null : num(n) !== 0;
}

function typeRank(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'number' || v instanceof Real) return 1;
  if (typeof v === 'string') return 2;
  return 3;
}

/**
 * Text in SQLite's BINARY order, which is the order of the UTF-8 bytes. JavaScript's `<` compares
 * UTF-16 code units: the same order except where a character from U+10000 up (a surrogate pair,
 * D800–DFFF) meets one of U+E000–U+FFFF, which UTF-8 puts first.
 */
export function compareText(x: string, y: string): number {
  if (x === y) return 0;
  const n = x.length < y.length ? x.length : y.length;
  for (let i = 0; i < n; i++) {
    let a = x.charCodeAt(i);
    let b = y.charCodeAt(i);
    if (a !== b) {
      if (a >= 0xd800 && b >= 0xd800) {
        a += a < 0xe000 ? 0x2000 : -0x800;
        b += b < 0xe000 ? 0x2000 : -0x800;
      }
      return a < b ? -1 : 1;
    }
  }
  return x.length < y.length ? -1 : 1;
}

const HIGH_UNIT = /[\uD800-\uFFFF]/;

/**
 * True when the string has no code unit from U+D800 up: `<` against any other string then agrees
 * with compareText (both sides need one for the orders to differ). Hot loops test their fixed
 * operand once and compare natively.
 */
export function plainText(s: string): boolean {
  return !HIGH_UNIT.test(s);
}

/** plainText() for every text value of a key (or of a column). */
export function plainKey(key: Value[]): boolean {
  for (let i = 0; i < key.length; i++) {
    const v = key[i];
    if (typeof v === 'string' && !plainText(v)) return false;
  }
  return true;
}

/** Total order used by ORDER BY, indexes and comparisons: NULL < numbers < text < blob. */
export function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1: {
      const x = num(a as number | Real);
      const y = num(b as number | Real);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 2:
      return compareText(a as string, b as string);
    default: {
      const x = a as Uint8Array;
      const y = b as Uint8Array;
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    }
  }
}

/** A string key equal for values that compare equal; used for DISTINCT, GROUP BY and hash joins. */
export function valueKey(v: Value): string {
  if (v === null) return 'N';
  if (typeof v === 'number') return 'n' + v;
  if (v instanceof Real) return 'n' + v.v;
  if (typeof v === 'string') return 's' + v;
  let h = 'b';
  for (const b of v) h += (b < 16 ? '0' : '') + b.toString(16);
  return h;
}

export function rowKey(vals: Value[]): string {
  if (vals.length === 1) return valueKey(vals[0]);
  let k = '';
  for (const v of vals) k += valueKey(v) + '\u0001';
  return k;
}

export function typeOf(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'real';
  if (v instanceof Real) return 'real';
  if (typeof v === 'string') return 'text';
  return 'blob';
}

/** What callers outside the engine see: plain numbers, strings, Uint8Array, null. */
export function exportValue(v: Value): unknown {
  return v instanceof Real ? v.v : v;
}

/** Values arriving from callers: booleans and bigints are folded into SQLite's types. */
export function importValue(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return v;
  if (v instanceof Real) return v;
  return String(v);
}
