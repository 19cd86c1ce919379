import BetterSqlite from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from './index';

// Aggregates over plain columns of one table, with nothing to test per row but a rowid range, step
// on values read straight from the leaves (CoreRun.stepValues). These queries take that path and
// its neighbours (bare columns, strict and non-integer bounds, filters) on values of every storage
// class and encoding, in leaves still open in memory and in leaves read back from their pages.

const dir = mkdtempSync(path.join(tmpdir(), 'vantage-aggregates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Row i: x walks every record encoding; y is numeric or NULL; pad sometimes pushes the record into an overflow chain. */
function rowOf(i: number): unknown[] {
  const xs: unknown[] = [
    null, 0, 1, -7, 300, -40_000, 2_000_000_000, 2 ** 40 + i, -(2 ** 45), 2.5, -0.125, 3.0, 1e300,
    '12', ' 4 ', '-3.5', 'abc', '', Buffer.from([1, 2, 3]), Buffer.alloc(300, 7), 'x'.repeat(300),
  ];
  const x = xs[i % xs.length];
  const y = i % 5 === 0 ? null : i % 3 === 0 ? i / 4 : i;
  const pad = i % 97 === 0 ? 'p'.repeat(3000) : `r${i}`;
  return [i + 1, pad, x, y];
}

const N = 3000;
const queries = [
  'SELECT count(*), count(x), sum(y), total(x), avg(y), count(y) FROM t',
  'SELECT sum(x), avg(x), total(y) FROM t',
  'SELECT typeof(sum(x)), typeof(sum(y)), sum(y) FROM t WHERE id BETWEEN 100 AND 2500',
  'SELECT count(*), sum(y), avg(x) FROM t WHERE id >= 7 AND id <= 7',
  'SELECT count(*), sum(y) FROM t WHERE id BETWEEN 2990 AND 5000',
  'SELECT count(*), sum(y) FROM t WHERE id BETWEEN 500 AND 100',
  'SELECT count(*), total(y) FROM t WHERE rowid >= 1500',
  'SELECT count(*), sum(y) FROM t WHERE id > 10 AND id < 2000', // strict bounds: rows are tested
  'SELECT count(*), sum(y) FROM t WHERE id BETWEEN 10.5 AND 20.5', // not integers: rows are tested
  "SELECT count(*), sum(y) FROM t WHERE id BETWEEN '10' AND 20",
  'SELECT pad, sum(y) FROM t WHERE id BETWEEN 1 AND 50', // a bare column reads the first row
  'SELECT sum(y) + count(x), total(x) / 2 FROM t WHERE id <= 1200',
  'SELECT sum(y) FROM t WHERE id BETWEEN 1 AND 900 HAVING count(*) > 10',
  'SELECT count(DISTINCT y), sum(DISTINCT x) FROM t',
  'SELECT count(*), sum(y) FROM t WHERE y > 100',
  'SELECT (SELECT count(*) FROM t), sum(y) FROM t WHERE id < 40',
];

function same(ours: Database, ref: BetterSqlite.Database, stage: string): void {
  for (const q of queries) {
    const expected = ref.prepare(q).raw().all();
    expect(ours.query(q).rows, `${stage}: ${q}`).toEqual(expected);
  }
}

describe('aggregates stepped on column values', () => {
  it('match SQLite over every storage class, in open leaves and in leaves read from their pages', () => {
    const file = path.join(dir, 'agg.db');
    const ref = new BetterSqlite(':memory:');
    let ours = Database.open(file);
    for (const db of [ref, ours]) db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, pad TEXT, x, y REAL)');
    const insRef = ref.prepare('INSERT INTO t VALUES(?, ?, ?, ?)');
    const insOurs = ours.prepare('INSERT INTO t VALUES(?, ?, ?, ?)');
    ours.exec('BEGIN');
    for (let i = 0; i < N; i++) {
      const r = rowOf(i);
      insRef.run(...r);
      insOurs.all(r as never);
    }
    same(ours, ref, 'in the transaction');
    ours.exec('COMMIT');
    ours.close();
    ours = Database.open(file);
    same(ours, ref, 'reopened');
    // Changed leaves hold both kinds of cell: some rewritten in memory, some still as read.
    for (const db of [ref, ours]) db.exec("UPDATE t SET y = 1.5, x = 'z' WHERE id % 400 = 0; DELETE FROM t WHERE id BETWEEN 1000 AND 1100");
    same(ours, ref, 'after changes');
    expect(ours.integrityCheck()).toEqual(['ok']);
    ours.close();
    ref.close();
  });

  it('sum floats with the compensation SQLite applies, through runs of REALs between other values', () => {
    // Naive addition loses the small values next to 1e16; an INTEGER first keeps the sum exact
    // until the first REAL, which carries it into the float sum. Values are SQL literals: 1e16 is
    // a REAL there (integers past 2^53 are carried as doubles, see docs/ENGINE.md).
    const vs = ['7', '1e16', '1', '0.5', '-1e16', '0.25', 'NULL', '1e-3', "'2.5'", '3', 'x\'01\'', '-4'];
    for (let i = 0; i < 300; i++) vs.push(String(0.1 * (i % 7)), i % 11 === 0 ? '1e15' : '-1e-7', i % 13 === 0 ? '-1e15' : '1');
    const ref = new BetterSqlite(':memory:');
    const ours = Database.open();
    for (const db of [ref, ours]) {
      db.exec('CREATE TABLE c(id INTEGER PRIMARY KEY, v)');
      db.exec(`INSERT INTO c(v) VALUES ${vs.map((v) => `(${v})`).join(', ')}`);
    }
    for (const q of [
      'SELECT sum(v), total(v), avg(v), count(v) FROM c',
      'SELECT sum(v), total(v), avg(v) FROM c WHERE id BETWEEN 2 AND 6',
      'SELECT sum(v), avg(v) FROM c WHERE id BETWEEN 3 AND 200',
      'SELECT sum(v) FROM c WHERE id >= 13',
    ]) {
      expect(ours.query(q).rows, q).toEqual(ref.prepare(q).raw().all());
    }
    ref.close();
    ours.close();
  });
});
