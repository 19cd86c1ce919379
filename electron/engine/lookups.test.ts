import BetterSqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Database } from './index';

// A join that looks rows up by rowid does not test its equality again on the row it found: the
// lookup converts the probe as the comparison would, so it finds a row exactly when the equality
// holds. These joins probe with values of every storage class, through columns of every affinity,
// through expressions and parameters, and compare every answer with SQLite's.

const probes: unknown[] = [1, 2, '3', ' 4', '5.0', 6.0, 6.5, null, Buffer.from([7]), 'abc', -1, 0, 2 ** 53, 9e18, '8e0', 'x9', 10];

const queries: [string, unknown[]][] = [
  ['SELECT q.n, p.id, p.v FROM q JOIN p ON p.id = q.k ORDER BY 1, 2', []],
  ['SELECT q.n, p.id, p.v FROM q JOIN p ON p.id = q.kt ORDER BY 1, 2', []],
  ['SELECT q.n, p.id, p.v FROM q JOIN p ON q.kr = p.id ORDER BY 1, 2', []],
  ['SELECT q.n, p.id, p.v FROM q JOIN p ON p.id = q.kn ORDER BY 1, 2', []],
  ['SELECT q.n, p.id, p.v FROM q JOIN p ON p.id = q.kb ORDER BY 1, 2', []],
  ['SELECT q.n, p.id FROM q JOIN p ON p.rowid = q.k + 0 ORDER BY 1, 2', []],
  ["SELECT q.n, p.id FROM q JOIN p ON p.id = q.k || '' ORDER BY 1, 2", []],
  ['SELECT q.n, p.id FROM q, p WHERE q.kt = p.id AND p.v > 20 ORDER BY 1, 2', []],
  ['SELECT q.n, p.id FROM q LEFT JOIN p ON p.id = q.k ORDER BY 1, 2', []],
  ['SELECT q.n, p.id FROM q JOIN p ON p.id = ? WHERE q.n < 3 ORDER BY 1, 2', ['4']],
  ['SELECT q.n, count(*) FROM q JOIN p a ON a.id = q.k JOIN p b ON b.id = a.v / 10 GROUP BY q.n ORDER BY 1', []],
];

describe('rowid lookups in joins', () => {
  it('find the rows SQLite finds, whatever the type of the probe', () => {
    const ref = new BetterSqlite(':memory:');
    const ours = Database.open();
    for (const db of [ref, ours]) {
      db.exec('CREATE TABLE p(id INTEGER PRIMARY KEY, v INTEGER)');
      db.exec('CREATE TABLE q(n INTEGER, k, kt TEXT, kr REAL, kn NUMERIC, kb BLOB)');
    }
    for (let i = -1; i <= 12; i++) {
      ref.prepare('INSERT INTO p VALUES(?, ?)').run(i, i * 10);
      ours.prepare('INSERT INTO p VALUES(?, ?)').run([i, i * 10]);
    }
    ref.prepare('INSERT INTO p VALUES(?, ?)').run(2 ** 53, 1);
    ours.prepare('INSERT INTO p VALUES(?, ?)').run([2 ** 53, 1]);
    probes.forEach((v, n) => {
      const row = [n, v, v, v, v, v];
      ref.prepare('INSERT INTO q VALUES(?, ?, ?, ?, ?, ?)').run(...row);
      ours.prepare('INSERT INTO q VALUES(?, ?, ?, ?, ?, ?)').run(row as never);
    });
    // The first query takes the path under test.
    expect(ours.query(`EXPLAIN QUERY PLAN ${queries[0][0]}`).rows.map((r) => r[2])).toContain('SEARCH p USING INTEGER PRIMARY KEY (rowid=?)');
    for (const [sql, params] of queries) {
      const expected = ref.prepare(sql).raw().all(...params);
      expect(ours.query(sql, params as never).rows, sql).toEqual(expected);
    }
    ref.close();
    ours.close();
  });
});
