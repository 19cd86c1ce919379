import BetterSqlite from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../database';
import { SqlError } from '../errors';

const dir = mkdtempSync(path.join(tmpdir(), 'vantage-paged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = (db: Database, sql: string) => db.query(`EXPLAIN QUERY PLAN ${sql}`).rows.map((r) => r[2]);

function fails(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected an SqlError');
}

/**
 * A database file built by `setup`, closed and reopened (so its rows are undecoded record bytes),
 * and better-sqlite3 in memory after the same statements.
 */
function reopenedWithOracle(name: string, setup: string[]): { db: Database; oracle: BetterSqlite.Database } {
  const file = path.join(dir, name);
  const built = Database.open(file);
  for (const sql of setup) built.exec(sql);
  built.close();
  const oracle = new BetterSqlite(':memory:');
  for (const sql of setup) oracle.exec(sql);
  return { db: Database.open(file), oracle };
}

describe('page-based tables', () => {
  it('keeps tables, indexes, views and rows across close and reopen', () => {
    const file = path.join(dir, 'reopen.db');
    let db = Database.open(file);
    db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE, blob BLOB, r REAL)');
    db.exec('CREATE INDEX t_r ON t(r)');
    db.exec('CREATE VIEW v AS SELECT name FROM t WHERE id > 1');
    db.exec('BEGIN');
    for (let i = 1; i <= 3000; i++) db.query('INSERT INTO t VALUES(?, ?, ?, ?)', [i, `n${i}`, new Uint8Array([i & 255, 7]), i / 2]);
    db.exec('COMMIT');
    db.close();
    db = Database.open(file);
    expect(db.query('SELECT count(*), sum(id), typeof(r) FROM t WHERE id = 2').rows).toEqual([[1, 2, 'real']]);
    expect(db.query('SELECT count(*) FROM v').rows).toEqual([[2999]]);
    expect(db.query('SELECT id FROM t WHERE r BETWEEN 10 AND 11').rows).toEqual([[20], [21], [22]]);
    expect(db.query('SELECT blob FROM t WHERE name = ?', ['n258']).rows).toEqual([[new Uint8Array([2, 7])]]);
    expect(fails(() => db.exec("INSERT INTO t(name) VALUES('n5')")).code).toBe('SQL_CONSTRAINT');
    expect(db.schema().map((s) => s.name)).toEqual(['t', 't_r', 'v']);
    expect(db.integrityCheck()).toEqual(['ok']);
    db.close();
  });

  it('stores values larger than a page in overflow chains and frees them on delete', () => {
    const file = path.join(dir, 'overflow.db');
    const db = Database.open(file);
    db.exec('CREATE TABLE docs(id INTEGER PRIMARY KEY, body TEXT)');
    const big = 'x'.repeat(50_000) + 'é'.repeat(1000);
    db.query('INSERT INTO docs VALUES(1, ?)', [big]);
    db.query('INSERT INTO docs VALUES(2, ?)', ['small']);
    db.exec('CREATE INDEX docs_body ON docs(body)');
    expect(db.query('SELECT length(body) FROM docs WHERE id = 1').rows).toEqual([[51_000]]);
    expect(db.query('SELECT id FROM docs WHERE body = ?', [big]).rows).toEqual([[1]]);
    expect(db.integrityCheck()).toEqual(['ok']);
    db.exec('DELETE FROM docs WHERE id = 1');
    expect(db.integrityCheck()).toEqual(['ok']);
    db.close();
    const re = Database.open(file);
    expect(re.query('SELECT id, body FROM docs').rows).toEqual([[2, 'small']]);
    re.close();
  });

  it('returns the pages of dropped tables and deleted rows to the free list and reuses them', () => {
    const file = path.join(dir, 'reuse.db');
    const fill = (db: Database, name: string) => {
      db.exec(`CREATE TABLE ${name}(id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX ${name}_body ON ${name}(body)`);
      db.exec('BEGIN');
      for (let i = 0; i < 2000; i++) db.query(`INSERT INTO ${name} VALUES(?, ?)`, [i, `body ${i} ${'x'.repeat(i % 3 === 0 ? 3000 : 40)}`]);
      db.exec('COMMIT');
    };
    let db = Database.open(file);
    fill(db, 'a');
    expect(db.query('PRAGMA integrity_check').rows).toEqual([['ok']]);
    db.exec('DELETE FROM a WHERE id % 2 = 0');
    db.exec('DROP TABLE a');
    db.close();
    db = Database.open(file);
    expect(db.integrityCheck()).toEqual(['ok']);
    const pagesBefore = (db as unknown as { pager: { pageCount: number } }).pager.pageCount;
    fill(db, 'b');
    expect((db as unknown as { pager: { pageCount: number } }).pager.pageCount).toBeLessThanOrEqual(pagesBefore + 2);
    expect(db.query('SELECT count(*) FROM b').rows).toEqual([[2000]]);
    expect(db.integrityCheck()).toEqual(['ok']);
    db.close();
  });

  it('matches a model through random writes, rollbacks and reopens with a tiny node cache and small pages', () => {
    const file = path.join(dir, 'stress.db');
    const opts = { pageSize: 512, nodeCache: 6, cachePages: 4, checkpointPages: 20 };
    let db = Database.open(file, opts);
    db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, n INTEGER); CREATE INDEX t_v ON t(v); CREATE INDEX t_nv ON t(n, v)');
    const model = new Map<number, [string, number]>();
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 40; round++) {
      const inTx = rnd(3) > 0;
      const before = new Map(model);
      if (inTx) db.exec('BEGIN');
      for (let op = 0; op < 40; op++) {
        const id = rnd(300);
        const kind = rnd(4);
        if (kind < 2) {
          const v = `v${rnd(50)}`.repeat(1 + rnd(kind ? 3 : 200));
          const n = rnd(10);
          db.query('INSERT OR REPLACE INTO t VALUES(?, ?, ?)', [id, v, n]);
          model.set(id, [v, n]);
        } else if (kind === 2) {
          db.query('DELETE FROM t WHERE id = ?', [id]);
          model.delete(id);
        } else {
          const n = rnd(10);
          db.query('UPDATE t SET n = ? WHERE n = ?', [n + 10, n]);
          for (const [k, [v, m]] of model) if (m === n) model.set(k, [v, n + 10]);
        }
      }
      if (inTx && rnd(4) === 0) {
        db.exec('ROLLBACK');
        model.clear();
        for (const [k, v] of before) model.set(k, v);
      } else if (inTx) db.exec('COMMIT');
      if (rnd(5) === 0) {
        db.close();
        db = Database.open(file, opts);
      }
      const rows = db.query('SELECT id, v, n FROM t ORDER BY id').rows;
      expect(rows).toEqual([...model].sort((a, b) => a[0] - b[0]).map(([k, [v, n]]) => [k, v, n]));
      const n = rnd(20);
      expect(db.query('SELECT count(*) FROM t WHERE n = ?', [n]).rows[0][0]).toBe([...model.values()].filter(([, m]) => m === n).length);
    }
    expect(db.integrityCheck()).toEqual(['ok']);
    db.close();
  });

  it('rolls back data and schema changes of a transaction', () => {
    const db = Database.open();
    db.exec('CREATE TABLE t(a INTEGER); INSERT INTO t VALUES(1)');
    db.exec('BEGIN; INSERT INTO t VALUES(2); CREATE TABLE u(x); CREATE INDEX t_a ON t(a); DROP TABLE t');
    expect(db.table('t')).toBeUndefined();
    db.exec('ROLLBACK');
    expect(db.query('SELECT a FROM t').rows).toEqual([[1]]);
    expect(db.table('u')).toBeUndefined();
    expect(db.schema().map((s) => s.name)).toEqual(['t']);
    expect(db.integrityCheck()).toEqual(['ok']);
  });

  it('undoes only the failing statement inside a transaction', () => {
    const db = Database.open();
    db.exec('CREATE TABLE t(a INTEGER UNIQUE)');
    db.exec('BEGIN');
    db.exec('INSERT INTO t VALUES(1), (2)');
    expect(fails(() => db.exec('INSERT INTO t VALUES(3), (1)')).code).toBe('SQL_CONSTRAINT');
    db.exec('CREATE TABLE u(x)');
    expect(fails(() => db.exec('CREATE UNIQUE INDEX ta ON t(a); CREATE UNIQUE INDEX bad ON u(nope)')).code).toBe('SQL_NO_SUCH_COLUMN');
    db.exec('DROP TABLE u');
    db.exec('COMMIT');
    expect(db.query('SELECT a FROM t ORDER BY a').rows).toEqual([[1], [2]]);
    expect(db.schema().map((s) => s.name)).toEqual(['t', 'ta']);
    expect(db.integrityCheck()).toEqual(['ok']);
  });

  it('uses indexes for equality and range predicates, multi-column prefixes included', () => {
    const db = Database.open();
    db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, y TEXT, z)');
    db.exec('CREATE INDEX t_x ON t(x); CREATE INDEX t_yz ON t(y, z)');
    db.exec('BEGIN');
    for (let i = 0; i < 500; i++) db.query('INSERT INTO t VALUES(?, ?, ?, ?)', [i, i % 50, `k${i % 7}`, i % 3]);
    db.exec('COMMIT');
    expect(plan(db, 'SELECT * FROM t WHERE x > 3 AND x < 9')).toEqual(['SEARCH t USING INDEX t_x (x>? AND x<?)']);
    expect(plan(db, 'SELECT * FROM t WHERE x BETWEEN 3 AND 9')).toEqual(['SEARCH t USING INDEX t_x (x>? AND x<?)']);
    expect(plan(db, 'SELECT * FROM t WHERE x = 3')).toEqual(['SEARCH t USING INDEX t_x (x=?)']);
    expect(plan(db, "SELECT * FROM t WHERE y = 'k1' AND z >= 1")).toEqual(['SEARCH t USING INDEX t_yz (y=? AND z>?)']);
    expect(plan(db, 'SELECT * FROM t WHERE id = 3')).toEqual(['SEARCH t USING INTEGER PRIMARY KEY (rowid=?)']);
    expect(plan(db, 'SELECT * FROM t WHERE id < 3')).toEqual(['SEARCH t USING INTEGER PRIMARY KEY (rowid<?)']);
    expect(plan(db, 'SELECT * FROM t WHERE z = 1')).toEqual(['SCAN t']);
    // Reading only indexed columns and the rowid, the rows come from the index alone.
    expect(plan(db, 'SELECT id, x FROM t WHERE x = 3')).toEqual(['SEARCH t USING COVERING INDEX t_x (x=?)']);
    expect(db.query('SELECT id, x FROM t WHERE x = 3 ORDER BY id').rows).toEqual(db.query('SELECT id, x FROM t WHERE +x = 3 ORDER BY id').rows);
    expect(plan(db, 'SELECT y FROM t WHERE x = 3 AND (SELECT 1) = 1')).toEqual(['SEARCH t USING INDEX t_x (x=?)']);
    expect(db.query('SELECT count(*) FROM t WHERE x > 3 AND x < 9').rows).toEqual([[50]]);
    expect(db.query("SELECT count(*) FROM t WHERE y = 'k1' AND z >= 1").rows).toEqual([[db.query("SELECT count(*) FROM t WHERE +y = 'k1' AND +z >= 1").rows[0][0]]]);
    // Values of other types in an INTEGER column order after the numbers, as in SQLite.
    db.exec("INSERT INTO t VALUES(1000, 'abc', 'k1', 0)");
    expect(db.query('SELECT id FROM t WHERE x > 48 ORDER BY id DESC LIMIT 2').rows).toEqual([[1000], [499]]);
    expect(db.query("SELECT id FROM t WHERE x >= 'a'").rows).toEqual([[1000]]);
  });

  it('drops scanned rows on their record bytes for text equalities, with SQLite\'s answers for every storage class', () => {
    // Texts of 300 bytes take the long length form; the 5000-byte one lives in an overflow chain.
    const long = `'${'t7'.repeat(150)}'`;
    const huge = `'${'q'.repeat(5000)}'`;
    const values = ["'t7'", "'t70'", "'T7'", "''", '7', '7.0', "'7'", 'NULL', "x'7437'", "'t\u00e9'", "'té'", long, `'${'t7'.repeat(149)}t8'`];
    const setup = [
      'CREATE TABLE m(id INTEGER PRIMARY KEY, n, t TEXT, i INTEGER)',
      ...values.map((v, k) => `INSERT INTO m VALUES(${k + 1}, ${v}, ${v}, ${v})`),
      `INSERT INTO m VALUES(99, ${huge}, 't7', 7)`,
      'INSERT INTO m(id) VALUES(100)',
    ];
    const { db, oracle } = reopenedWithOracle('probe.db', setup);
    for (const col of ['n', 't', 'i']) {
      for (const lit of ["'t7'", "'7'", "''", "'té'", "'7.0'", long, huge]) {
        const sql = `SELECT id FROM m WHERE ${col} = ${lit} ORDER BY id`;
        expect(db.query(sql).rows, sql).toEqual(oracle.prepare(sql).raw().all());
        const flipped = `SELECT count(*) FROM m a JOIN m b ON a.id = b.id WHERE ${lit} = a.${col}`;
        expect(db.query(flipped).rows, flipped).toEqual(oracle.prepare(flipped).raw().all());
      }
    }
    oracle.close();
    db.close();
  });

  it('takes bare columns from the rows SQLite takes them from, while scans reuse row arrays from leaf to leaf', () => {
    const setup = ['CREATE TABLE t(id INTEGER PRIMARY KEY, g INTEGER, v TEXT)', 'BEGIN'];
    for (let i = 1; i <= 3000; i++) setup.push(`INSERT INTO t VALUES(${i}, ${i % 7}, 'v${i}-${i % 7}')`);
    setup.push('COMMIT');
    const { db, oracle } = reopenedWithOracle('bare.db', setup);
    // SQLite's rule: bare columns come from the row a lone (or the last) min() or max() chose, else
    // from the group's first row.
    const queries = [
      'SELECT count(*), v FROM t',
      'SELECT count(*), v, g FROM t WHERE id BETWEEN 100 AND 2500',
      "SELECT count(*), id FROM t WHERE v = 'v2000-5'",
      'SELECT g, v, count(*) FROM t GROUP BY g ORDER BY g',
      'SELECT max(id), v FROM t',
      'SELECT g, v, min(id) FROM t GROUP BY g ORDER BY g',
      'SELECT g, v, min(id), max(id) FROM t GROUP BY g ORDER BY g',
      'SELECT g, max(CASE WHEN id % 5 = 0 THEN NULL ELSE id END), v FROM t GROUP BY g ORDER BY g',
      'SELECT g, min(CASE WHEN id < 50 THEN NULL ELSE id END), v FROM t GROUP BY g HAVING v > 0 ORDER BY g',
      'SELECT max(g), v FROM t WHERE id > 2000',
    ];
    for (const sql of queries) expect(db.query(sql).rows, sql).toEqual(oracle.prepare(sql).raw().all());
    // A single numeric group key is hashed as a number: 1 and 1.0 (and 0 and -0.0) share a group,
    // the text '1' does not.
    const mixed = ['CREATE TABLE k(x)', "INSERT INTO k VALUES (1), (1.0), ('1'), (NULL), (2.5), (x'01'), (-0.0), (0), (NULL), (2.5), ('a')"];
    for (const sql of mixed) {
      db.exec(sql);
      oracle.exec(sql);
    }
    for (const sql of ['SELECT quote(x), typeof(x), count(*) FROM k GROUP BY x ORDER BY x', 'SELECT typeof(x), count(*) FROM k GROUP BY x + 0 ORDER BY 2, 1']) {
      expect(db.query(sql).rows, sql).toEqual(oracle.prepare(sql).raw().all());
    }
    oracle.close();
    db.close();
  });

  it('finds UPDATE and DELETE rows through indexes, including updates of the indexed column', () => {
    const db = Database.open();
    db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, y TEXT); CREATE INDEX t_x ON t(x)');
    db.exec('BEGIN');
    for (let i = 1; i <= 300; i++) db.query('INSERT INTO t VALUES(?, ?, ?)', [i, i % 30, `y${i}`]);
    db.exec('COMMIT');
    expect(db.query('UPDATE t SET x = x + 100 WHERE x < 5').changes).toBe(50);
    expect(db.query('SELECT count(*) FROM t WHERE x >= 100').rows).toEqual([[50]]);
    expect(db.query('DELETE FROM t WHERE x BETWEEN 100 AND 101').changes).toBe(20);
    expect(db.query('DELETE FROM t WHERE id > 290').changes).toBe(9); // id 300 (x = 100) went above
    expect(db.query("UPDATE t SET y = 'z' WHERE id = 7").changes).toBe(1);
    expect(db.query('SELECT count(*), sum(x) FROM t').rows).toEqual(db.query('SELECT count(*), sum(+x) FROM t WHERE +id > 0').rows);
    expect(db.query('SELECT count(*) FROM t').rows).toEqual([[271]]);
    expect(db.integrityCheck()).toEqual(['ok']);
  });

  it('reports broken B+tree invariants in PRAGMA integrity_check', () => {
    const db = Database.open();
    db.exec('CREATE TABLE t(a INTEGER); CREATE INDEX t_a ON t(a)');
    db.exec('BEGIN');
    for (let i = 0; i < 100; i++) db.query('INSERT INTO t VALUES(?)', [i]);
    db.exec('COMMIT');
    expect(db.query('PRAGMA integrity_check').rows).toEqual([['ok']]);
    // Remove an index entry behind the table's back: the check sees the row missing from the index.
    const t = db.table('t')!;
    db.exec('BEGIN');
    t.indexes[0].tree.deleteKey([5, 6]);
    expect(db.integrityCheck().join('\n')).toMatch(/t_a: 99 entries for 100 rows[\s\S]*row 6 missing from the index/);
    db.exec('ROLLBACK');
    expect(db.integrityCheck()).toEqual(['ok']);
  });
});
