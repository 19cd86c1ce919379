import BetterSqlite from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Database } from './index';

// Differential testing: the same schema, rows and query go to SQLite and to this engine.
const cols = ['a', 'b', 'c'];
const value = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0.5, -1.5, 2.25),
  fc.constantFrom("'x'", "'y'", "''", "'10'"),
);
const lit = (v: unknown) => (v === null ? 'NULL' : String(v));
const row = fc.tuple(value, value, value);
const colRef = (t: string) => fc.constantFrom(...cols.map((c) => `${t}.${c}`));
const literal = fc.oneof(fc.integer({ min: -3, max: 6 }).map(String), fc.constantFrom("'x'", 'NULL', '2.5'));

function predicate(tables: string[]): fc.Arbitrary<string> {
  const operand = fc.oneof(fc.constantFrom(...tables).chain(colRef), literal);
  const cmp = fc.tuple(operand, fc.constantFrom('=', '<>', '<', '<=', '>', '>=', 'IS', 'IS NOT'), operand).map(([l, o, r]) => `${l} ${o} ${r}`);
  const isNull = fc.tuple(fc.constantFrom(...tables).chain(colRef), fc.boolean()).map(([c, n]) => `${c} IS ${n ? 'NOT ' : ''}NULL`);
  const leaf = fc.oneof(cmp, isNull);
  return fc.oneof(
    leaf,
    fc.tuple(leaf, fc.constantFrom('AND', 'OR'), leaf).map(([l, o, r]) => `(${l} ${o} ${r})`),
    leaf.map((l) => `NOT (${l})`),
  );
}

const scenario = fc.record({
  t1: fc.array(row, { maxLength: 8 }),
  t2: fc.array(row, { maxLength: 8 }),
  kind: fc.constantFrom('filter', 'group', 'join', 'leftjoin', 'arith', 'misc', 'range', 'aggregate'),
  // Indexes change the plan (equality and range searches), never the rows.
  indexes: fc.subarray([
    'CREATE INDEX i1a ON t1(a)',
    'CREATE INDEX i1b ON t1(b)',
    'CREATE INDEX i1c ON t1(c)',
    'CREATE INDEX i1bc ON t1(b, c)',
    'CREATE INDEX i2a ON t2(a)',
    'CREATE INDEX i2c ON t2(c)',
    'CREATE INDEX i2ba ON t2(b, a)',
  ]),
  indexFirst: fc.boolean(),
  seed: fc.integer(),
});

function queryFor(kind: string): fc.Arbitrary<string> {
  switch (kind) {
    case 'filter':
      return predicate(['t1']).map((p) => `SELECT a, b, c FROM t1 WHERE ${p} ORDER BY 1, 2, 3`);
    case 'group':
      return fc
        .tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('count(*)', 'count(b)', 'sum(c)', 'min(b)', 'max(c)', 'total(a)', 'avg(a)', 'count(DISTINCT c)'))
        .map(([g, agg]) => `SELECT ${g}, ${agg} FROM t1 GROUP BY ${g} ORDER BY 1`);
    case 'join':
      return predicate(['t1', 't2']).map((p) => `SELECT t1.a, t2.b FROM t1, t2 WHERE t1.a = t2.a AND ${p} ORDER BY 1, 2`);
    case 'range':
      return fc
        .tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('<', '<=', '>', '>='), literal, fc.constantFrom('a', 'b', 'c'), literal, literal)
        .chain(([c1, op, v1, c2, lo, hi]) =>
          fc.constantFrom(
            `SELECT a, b, c FROM t1 WHERE ${c1} ${op} ${v1} ORDER BY 1, 2, 3`,
            `SELECT a, b, c FROM t1 WHERE ${c2} BETWEEN ${lo} AND ${hi} ORDER BY 1, 2, 3`,
            `SELECT a, b, c FROM t1 WHERE b = ${v1} AND c ${op} ${lo} ORDER BY 1, 2, 3`,
            `SELECT t1.a, t2.c FROM t1, t2 WHERE t2.b = t1.b AND t2.a ${op} t1.a ORDER BY 1, 2`,
            `SELECT a, c FROM t2 WHERE ${v1} ${op} c AND a < ${hi} ORDER BY 1, 2`,
            `SELECT b, c, count(*) FROM t1 WHERE b = ${v1} AND c ${op} ${lo} GROUP BY b, c ORDER BY 1, 2`,
            `SELECT a, rowid FROM t1 WHERE a ${op} ${v1} ORDER BY 1, 2`,
          ),
        );
    case 'aggregate':
      // One group over one table: the batched path (a chunk of rows steps each aggregate at once).
      return fc
        .tuple(fc.integer({ min: -1, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom('a', 'b', 'c'), fc.constantFrom('a', 'b', 'c'), fc.constantFrom('t1', 't2'))
        .chain(([lo, hi, x, y, t]) =>
          fc.constantFrom(
            `SELECT count(*), count(${x}), sum(${x}), total(${y}), avg(${x}), sum(${y}) FROM ${t}`,
            `SELECT count(*), sum(${x}), avg(${y}), count(${y}) FROM ${t} WHERE rowid BETWEEN ${lo} AND ${hi}`,
            `SELECT sum(${x}) + count(${y}), total(${x}), typeof(sum(${y})) FROM ${t} WHERE rowid > ${lo}`,
            `SELECT count(DISTINCT ${x}), sum(DISTINCT ${y}), max(${x}) FROM ${t} WHERE rowid < ${hi}`,
            `SELECT sum(${x} * 2), count(*) FROM ${t} WHERE rowid >= ${lo} AND ${y} IS NOT NULL`,
            `SELECT count(*), sum(${x}) FROM ${t} WHERE rowid BETWEEN ${lo} AND ${hi} HAVING count(*) > 1`,
          ),
        );
    case 'leftjoin':
      return fc.constant('SELECT t1.a, t1.b, t2.c FROM t1 LEFT JOIN t2 ON t1.b = t2.b ORDER BY 1, 2, 3');
    case 'misc':
      return fc.constantFrom(
        'SELECT DISTINCT b FROM t1 ORDER BY 1',
        'SELECT a, b FROM t1 ORDER BY b DESC, a LIMIT 3 OFFSET 1',
        "SELECT a, c FROM t1 WHERE c LIKE '%x%' OR c GLOB '1*' ORDER BY 1, 2",
        'SELECT a FROM t1 WHERE a IN (SELECT a FROM t2) ORDER BY 1',
        'SELECT a FROM t1 WHERE a NOT IN (SELECT b FROM t2) ORDER BY 1',
        'SELECT a, (SELECT count(*) FROM t2 WHERE t2.a = t1.a) FROM t1 ORDER BY 1, 2',
        'SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.b = t1.b) ORDER BY 1',
        "SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END, coalesce(b, c, 'none') FROM t1 ORDER BY 1, 2",
        'SELECT b, count(*) FROM t1 GROUP BY b HAVING count(*) > 1 ORDER BY 1',
        'SELECT a FROM t1 UNION SELECT a FROM t2 ORDER BY 1',
        'SELECT a FROM t1 EXCEPT SELECT a FROM t2 ORDER BY 1',
        'SELECT a FROM t1 INTERSECT SELECT b FROM t2 ORDER BY 1',
        'SELECT length(c), upper(c), substr(c, 2), abs(a), round(b, 1), typeof(b), nullif(a, b) FROM t1 ORDER BY 1, 2, 3, 4, 5, 6, 7',
        'SELECT a BETWEEN b AND 3, a IN (1, 2, NULL), CAST(c AS INTEGER), CAST(a AS TEXT) FROM t1 ORDER BY 1, 2, 3, 4',
        "SELECT group_concat(a, '|'), min(c), max(b), sum(DISTINCT a) FROM t1",
        'SELECT x.a, y.c FROM t1 x LEFT JOIN t2 y ON x.a = y.a AND y.c > 0 ORDER BY 1, 2',
        'SELECT t.a, count(*) FROM (SELECT a FROM t1 WHERE a IS NOT NULL) AS t GROUP BY t.a ORDER BY 1',
      );
    default:
      return fc
        .tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('+', '-', '*', '/', '%', '||'), fc.constantFrom('a', 'b', '2', '0', "'3'"))
        .map(([l, o, r]) => `SELECT ${l} ${o} ${r}, typeof(${l} ${o} ${r}) FROM t1 ORDER BY 1, 2`);
  }
}

function normalise(rows: unknown[][]): string {
  return JSON.stringify(rows.map((r) => r.map((v) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v))));
}

describe('differential against SQLite', () => {
  it('returns the same rows as better-sqlite3 for generated schemas, data and queries', () => {
    fc.assert(
      fc.property(scenario.chain((s) => queryFor(s.kind).map((q) => ({ ...s, q }))), ({ t1, t2, q, indexes, indexFirst }) => {
        const ddl = ['CREATE TABLE t1(a INTEGER, b, c TEXT)', 'CREATE TABLE t2(a INTEGER, b, c REAL)'];
        const inserts = [
          ...t1.map((r) => `INSERT INTO t1 VALUES(${r.map(lit).join(',')})`),
          ...t2.map((r) => `INSERT INTO t2 VALUES(${r.map(lit).join(',')})`),
        ];
        const ref = new BetterSqlite(':memory:');
        const ours = Database.open(':memory:');
        for (const s of indexFirst ? [...ddl, ...indexes, ...inserts] : [...ddl, ...inserts, ...indexes]) {
          ref.exec(s);
          ours.exec(s);
        }
        const expected = ref.prepare(q).raw().all() as unknown[][];
        const actual = ours.query(q).rows;
        ref.close();
        expect(normalise(actual), `${indexes.join('; ')}; ${q}`).toBe(normalise(expected));
        expect(ours.integrityCheck()).toEqual(['ok']);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('text order', () => {
  it('orders text by its UTF-8 bytes, as SQLite does, with and without an index', () => {
    // UTF-16 code units put U+10000 and up (surrogate pairs) before U+E000–U+FFFF; UTF-8 after.
    const texts = ['a', '\uD7FF', '\uE000', '\uFFFD', '\u{10000}', '\u{1F600}', 'x\u{1F600}', 'x\uFFFF', ''];
    const queries = [
      'SELECT t FROM s ORDER BY t',
      'SELECT min(t), max(t) FROM s',
      "SELECT t FROM s WHERE t > '\uFFFD' ORDER BY t",
      "SELECT t FROM s WHERE t BETWEEN '\uE000' AND '\u{10000}' ORDER BY t",
      "SELECT a.t, b.t, a.t < b.t FROM s a, s b WHERE a.t <> b.t ORDER BY 1, 2",
    ];
    for (const indexed of [false, true]) {
      const ref = new BetterSqlite(':memory:');
      const ours = Database.open(':memory:');
      for (const db of [ref, ours]) {
        db.exec('CREATE TABLE s(t TEXT)');
        for (const t of texts) db.exec(`INSERT INTO s VALUES('${t}')`);
        if (indexed) db.exec('CREATE INDEX s_t ON s(t)');
      }
      for (const q of queries) expect(ours.query(q).rows, `${indexed ? 'indexed: ' : ''}${q}`).toEqual(ref.prepare(q).raw().all());
      expect(ours.integrityCheck()).toEqual(['ok']);
      ref.close();
      ours.close();
    }
  });
});
