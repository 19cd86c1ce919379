import { describe, expect, it } from 'vitest';
import { Database, SqlError } from './index';

function error(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected an SqlError');
}

describe('engine', () => {
  it('follows SQLite arithmetic, NULL logic and affinity', () => {
    const db = Database.open();
    expect(db.query("SELECT 7/2, 7.0/2, 7%3, NULL AND 0, NULL OR 1, 1 = '1', typeof(1.0), '5' + 1, CAST('12ab' AS INTEGER)").rows).toEqual([
      [3, 3.5, 1, 0, 1, 0, 'real', 6, 12],
    ]);
    db.exec("CREATE TABLE t(i INTEGER, r REAL, s TEXT); INSERT INTO t VALUES('42', 1, 7)");
    expect(db.query('SELECT typeof(i), typeof(r), typeof(s), i = \'42\' FROM t').rows).toEqual([['integer', 'real', 'text', 1]]);
  });

  it('reports syntax and name errors with a stable code and position', () => {
    const db = Database.open();
    const e = error(() => db.query('SELECT 1 FROM\n  WHERE'));
    expect(e.code).toBe('SQL_SYNTAX');
    expect([e.position, e.line, e.column]).toEqual([16, 2, 3]);
    expect(error(() => db.query('SELECT * FROM nope')).code).toBe('SQL_NO_SUCH_TABLE');
    db.exec('CREATE TABLE t(a)');
    const col = error(() => db.query('SELECT zz FROM t'));
    expect([col.code, col.position]).toEqual(['SQL_NO_SUCH_COLUMN', 7]);
  });

  it('enforces PRIMARY KEY, UNIQUE and NOT NULL, with OR IGNORE and OR REPLACE', () => {
    const db = Database.open();
    db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)');
    db.exec("INSERT INTO t VALUES(1, 'a'), (2, 'b')");
    expect(error(() => db.exec("INSERT INTO t VALUES(1, 'c')")).code).toBe('SQL_CONSTRAINT');
    expect(error(() => db.exec("INSERT INTO t VALUES(3, 'a')")).code).toBe('SQL_CONSTRAINT');
    expect(error(() => db.exec('INSERT INTO t VALUES(3, NULL)')).code).toBe('SQL_CONSTRAINT');
    // A failing multi-row statement leaves nothing behind.
    expect(error(() => db.exec("INSERT INTO t VALUES(5, 'e'), (6, 'a')")).code).toBe('SQL_CONSTRAINT');
    db.exec("INSERT OR IGNORE INTO t VALUES(1, 'z'); REPLACE INTO t VALUES(2, 'bb')");
    expect(db.query('SELECT * FROM t ORDER BY id').rows).toEqual([[1, 'a'], [2, 'bb']]);
  });

  it('rolls back transactions and keeps autocommit otherwise', () => {
    const db = Database.open();
    db.exec('CREATE TABLE t(a)');
    db.exec('BEGIN; INSERT INTO t VALUES(1)');
    expect(db.inTransaction).toBe(true);
    db.exec('ROLLBACK');
    db.exec('INSERT INTO t VALUES(2)');
    expect(db.query('SELECT a FROM t').rows).toEqual([[2]]);
  });

  it('binds positional, numbered and named parameters', () => {
    const db = Database.open();
    expect(db.query('SELECT ?, ?2, ?1', [1, 'two']).rows).toEqual([[1, 'two', 1]]);
    expect(db.prepare('SELECT :x + 1').all({ x: 41 })).toEqual([[42]]);
  });

  it('converts parameters that are not numbers, strings or NULL, and leaves the caller\'s array alone', () => {
    const db = Database.open();
    const params = [true, false, 10n, undefined, new Uint8Array([1, 2]), 2.5, 'x', null];
    const st = db.prepare('SELECT ?, ?, ?, ?, typeof(?), ?, ?, ?');
    expect(st.all(params)).toEqual([[1, 0, 10, null, 'blob', 2.5, 'x', null]]);
    expect(params.slice(0, 4)).toEqual([true, false, 10n, undefined]);
    // Plain values go through as given, in either position.
    expect(st.all([1, 2, 3, 4, 5, 6, 7, 8])).toEqual([[1, 2, 3, 4, 'integer', 6, 7, 8]]);
  });

  it('joins virtual tables with stored tables', () => {
    const db = Database.open();
    db.registerVirtualTable('processes', {
      columns: [{ name: 'pid', type: 'INTEGER' }, { name: 'comm', type: 'TEXT' }],
      scan: () => [[1, 'init'], [42, 'node']],
    });
    db.exec("CREATE TABLE notes(pid INTEGER, note TEXT); INSERT INTO notes VALUES(42, 'ours')");
    expect(db.query('SELECT p.comm, n.note FROM processes p JOIN notes n ON n.pid = p.pid').rows).toEqual([['node', 'ours']]);
  });

  it('explains plans as (id, parent, detail) rows using keys for equalities', () => {
    const db = Database.open();
    db.exec('CREATE TABLE a(id INTEGER PRIMARY KEY, x); CREATE TABLE b(aid, y)');
    const plan = db.query('EXPLAIN QUERY PLAN SELECT * FROM b JOIN a ON a.id = b.aid WHERE b.y = 3');
    expect(plan.columns.map((c) => c.name)).toEqual(['id', 'parent', 'detail']);
    expect(plan.rows.map((r) => r[2])).toEqual(['SCAN b', 'SEARCH a USING INTEGER PRIMARY KEY (rowid=?)']);
  });

  it('joins many tables quickly by ordering them along equality predicates', () => {
    const db = Database.open();
    for (const t of ['t1', 't2', 't3', 't4', 't5', 't6']) {
      db.exec(`CREATE TABLE ${t}(k INTEGER, v INTEGER)`);
      db.exec('BEGIN');
      for (let i = 0; i < 300; i++) db.query(`INSERT INTO ${t} VALUES(?, ?)`, [i, i * 2]);
      db.exec('COMMIT');
    }
    const started = Date.now();
    const r = db.query('SELECT count(*) FROM t1, t2, t3, t4, t5, t6 WHERE t6.k = t5.k AND t5.k = t4.k AND t4.k = t3.k AND t3.k = t2.k AND t2.k = t1.k AND t1.v < 100');
    expect(r.rows).toEqual([[50]]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('interrupts long queries and leaves the data as before the statement', () => {
    const db = Database.open(':memory:', { timeoutMs: 50 });
    db.exec('CREATE TABLE t(a)');
    db.exec('BEGIN');
    for (let i = 0; i < 2000; i++) db.query('INSERT INTO t VALUES(?)', [i]);
    db.exec('COMMIT');
    expect(error(() => db.query('SELECT count(*) FROM t x, t y, t z')).code).toBe('SQL_INTERRUPTED');
    expect(error(() => db.exec('INSERT INTO t SELECT x.a FROM t x, t y, t z')).code).toBe('SQL_INTERRUPTED');
    expect(db.query('SELECT count(*) FROM t').rows).toEqual([[2000]]);
  });

  it('supports compound selects, derived tables and correlated subqueries', () => {
    const db = Database.open();
    db.exec('CREATE TABLE t(g, v); INSERT INTO t VALUES(1, 10), (1, 20), (2, 5)');
    expect(db.query('SELECT g FROM t UNION SELECT 3 ORDER BY 1 DESC').rows).toEqual([[3], [2], [1]]);
    expect(db.query('SELECT g, (SELECT max(v) FROM t i WHERE i.g = o.g) FROM (SELECT DISTINCT g FROM t) o ORDER BY g').rows).toEqual([[1, 20], [2, 5]]);
    expect(db.query("SELECT group_concat(v, '-') FROM t WHERE v IN (SELECT v FROM t WHERE v > 5)").rows).toEqual([['10-20']]);
  });
});
