import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors';
import { Database } from '../index';
import { parse } from './parser';

const seeds = [
  'SELECT a, b FROM t1 WHERE a > 1 AND b IS NOT NULL ORDER BY 2 DESC LIMIT 3 OFFSET 1',
  "INSERT OR REPLACE INTO t(a, b) VALUES (1, 'x'), (2, x'00ff')",
  'SELECT CASE WHEN a BETWEEN 1 AND 2 THEN count(*) ELSE -a END FROM t GROUP BY a HAVING sum(b) > 0',
  'SELECT * FROM t1 LEFT JOIN t2 USING (a) WHERE EXISTS (SELECT 1 FROM t3 WHERE t3.a IN (1,2))',
  'CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL DEFAULT (1 + 2), UNIQUE(b))',
  'UPDATE t SET a = ?1, b = :name WHERE rowid = 3; DELETE FROM t',
];

function checkParse(sql: string): void {
  const started = Date.now();
  try {
    parse(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    const err = e as SqlError;
    if (err.code === 'SQL_SYNTAX') {
      expect(err.position).toBeTypeOf('number');
      expect(err.position!).toBeGreaterThanOrEqual(0);
      expect(err.position!).toBeLessThanOrEqual(sql.length);
      expect(err.line).toBeGreaterThanOrEqual(1);
    }
  }
  expect(Date.now() - started).toBeLessThan(1000);
}

describe('parser fuzzing', () => {
  it('never crashes on random strings and always locates syntax errors', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), checkParse), { numRuns: 3000 });
    const tokens = fc.constantFrom('SELECT', 'FROM', 'WHERE', '(', ')', ',', 'a', '1', "'s'", '*', '+', 'AND', 'NOT', 'IN', 'CASE', 'END', 'x', ';', 'JOIN', 'ON', '?', 'NULL', 'IS');
    fc.assert(fc.property(fc.array(tokens, { maxLength: 30 }), (ts) => checkParse(ts.join(' '))), { numRuns: 3000 });
  });

  it('never crashes on mutated valid SQL, and executing it fails only with SqlError', () => {
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 5 }), fc.string({ maxLength: 3 })).map(([s, at, del, ins]) => {
      const i = at % (s.length + 1);
      return s.slice(0, i) + ins + s.slice(i + del);
    });
    const db = Database.open(':memory:');
    db.exec('CREATE TABLE t(a, b); CREATE TABLE t1(a, b); CREATE TABLE t2(a, c); CREATE TABLE t3(a)');
    fc.assert(
      fc.property(mutated, (sql) => {
        checkParse(sql);
        try {
          db.query(sql, { name: 1 });
        } catch (e) {
          expect(e).toBeInstanceOf(SqlError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
