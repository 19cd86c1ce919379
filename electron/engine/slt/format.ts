import { createHash } from 'node:crypto';

/** One value the way the reference sqllogictest driver for SQLite prints it, by column type letter. */
export function formatValue(v: unknown, type: string): string {
  if (v === null || v === undefined) return 'NULL';
  if (type === 'I') {
    if (typeof v === 'number') return String(Math.trunc(v));
    if (typeof v === 'string') {
      const m = /^\s*[+-]?\d+/.exec(v);
      return m ? String(Number(m[0])) : '0';
    }
    return '0';
  }
  if (type === 'R') {
    const x = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) || 0 : 0;
    // Beyond 2^53 the expected files carry 16 significant digits, zero-padded.
    if (Math.abs(x) >= 1e16 && Number.isFinite(x)) return expandPrecision16(x) + '.000';
    return x.toFixed(3) === '-0.000' ? '0.000' : x.toFixed(3);
  }
  let s: string;
  if (typeof v === 'number') s = Number.isInteger(v) ? String(v) : String(v);
  else if (v instanceof Uint8Array) s = new TextDecoder().decode(v);
  else s = String(v);
  if (s === '') return '(empty)';
  // The reference driver replaces control characters so every value stays on one line.
  return s.replace(/[\x00-\x1f\x7f]/g, '@');
}

export function md5OfValues(values: string[]): string {
  const h = createHash('md5');
  for (const v of values) h.update(v + '\n');
  return h.digest('hex');
}

function expandPrecision16(x: number): string {
  const [mant, exp] = x.toExponential(15).split('e');
  const neg = mant.startsWith('-');
  let digits = mant.replace(/[-.]/g, '');
  const e = Number(exp);
  digits = digits.length > e + 1 ? digits.slice(0, e + 1) : digits.padEnd(e + 1, '0');
  return (neg ? '-' : '') + digits;
}
