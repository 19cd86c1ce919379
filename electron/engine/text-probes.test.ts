import BetterSqlite from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from './index';

// `column = 'text'` on a plain scan: in a leaf read from its page, the scan searches the page for
// the literal's record bytes and reads only the cells holding them (NodeStore.matchingCells):
// backwards from the last byte, or forwards for the empty text, whose last byte is a length of 0.
// These queries compare that with SQLite where it can go wrong: the bytes inside another column or
// another value, values that are not text under each affinity, texts of 255/256 bytes (the two
// length forms), records in overflow chains, and leaves changed since they were read.

const dir = mkdtempSync(path.join(tmpdir(), 'vantage-probes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const long = (c: string, n: number) => c.repeat(n);

function rowOf(i: number): unknown[] {
  const tags = ['t7', 't70', 'xt7', 't', '7', null, Buffer.from('t7'), long('a', 255), long('a', 256), 'é7', ''];
  const tag = tags[i % tags.length];
  // `other` sometimes holds the same bytes as a matching tag, in the wrong column.
  const other = i % 5 === 0 ? 't7' : i % 7 === 0 ? long('a', 255) : `o${i}`;
  const pad = i % 89 === 0 ? long('p', 3000) : null; // pushes the record into an overflow chain
  return [i + 1, other, tag, i % 3 === 0 ? '7' : i, pad];
}

const queries = [
  "SELECT id FROM t WHERE tag = 't7' ORDER BY id",
  "SELECT id, other FROM t WHERE other = 't7' AND tag = 't70' ORDER BY id",
  "SELECT count(*) FROM t WHERE tag = 'xt7'",
  "SELECT count(*) FROM t WHERE tag = '7'",
  "SELECT count(*) FROM t WHERE num = '7'", // INTEGER affinity: '7' equals the number 7
  "SELECT count(*) FROM t WHERE loose = '7'", // no affinity: only the text '7'
  "SELECT count(*) FROM t WHERE n2 = '7' AND num <> '7'",
  "SELECT count(*), min(id) FROM t WHERE tag = '" + long('a', 255) + "'",
  "SELECT count(*), min(id) FROM t WHERE tag = '" + long('a', 256) + "'",
  "SELECT count(*) FROM t WHERE tag = 'é7'",
  "SELECT count(*) FROM t WHERE tag = 'nothing'",
  "SELECT count(*) FROM t WHERE tag = ''",
  "SELECT id FROM t WHERE 't7' = tag AND id > 2500 ORDER BY id",
  "SELECT count(*) FROM t WHERE tag = 't7' AND pad IS NOT NULL",
  // Chunks gather the rows of several leaves (BTree.matching): a LIMIT, and a join whose outer rows
  // come from such chunks while the inner level reads the same table.
  "SELECT id FROM t WHERE tag = 't7' LIMIT 5",
  "SELECT id, other FROM t WHERE tag = 't70' LIMIT 40 OFFSET 7",
  "SELECT a.id, b.id FROM t a JOIN t b ON b.id = a.id + 1 WHERE a.tag = 't7' AND b.tag = 't70' ORDER BY a.id",
  "SELECT a.tag, count(*) FROM t a JOIN t b ON b.other = a.tag WHERE a.tag = 't7' GROUP BY a.tag",
];

function same(ours: Database, ref: BetterSqlite.Database, stage: string): void {
  for (const q of queries) expect(ours.query(q).rows, `${stage}: ${q.slice(0, 120)}`).toEqual(ref.prepare(q).raw().all());
}

describe('text equalities on scans', () => {
  it('match SQLite when rows are found by searching the page for the text', () => {
    const file = path.join(dir, 'probes.db');
    const ref = new BetterSqlite(':memory:');
    let ours = Database.open(file);
    const ddl = 'CREATE TABLE t(id INTEGER PRIMARY KEY, other TEXT, tag TEXT, num INTEGER, pad TEXT, loose, n2 INTEGER)';
    ref.exec(ddl);
    ours.exec(ddl);
    const insRef = ref.prepare('INSERT INTO t(id, other, tag, num, pad, loose, n2) VALUES(?, ?, ?, ?, ?, ?, ?)');
    const insOurs = ours.prepare('INSERT INTO t(id, other, tag, num, pad, loose, n2) VALUES(?, ?, ?, ?, ?, ?, ?)');
    ours.exec('BEGIN');
    for (let i = 0; i < 3000; i++) {
      const r = [...rowOf(i), rowOf(i)[3], i % 4 === 0 ? 7 : i + 100]; // n2: numbers only, no text '7' in the row
      insRef.run(...r);
      insOurs.all(r as never);
    }
    ours.exec('COMMIT');
    same(ours, ref, 'written');
    ours.close();
    ours = Database.open(file);
    same(ours, ref, 'reopened');
    for (const db of [ref, ours]) db.exec("UPDATE t SET tag = 't7' WHERE id % 50 = 0; DELETE FROM t WHERE id BETWEEN 700 AND 760; UPDATE t SET other = 'xx' WHERE id % 11 = 0");
    same(ours, ref, 'changed');
    ours.close();
    ours = Database.open(file);
    same(ours, ref, 'changed and reopened');
    expect(ours.integrityCheck()).toEqual(['ok']);
    ours.close();
    ref.close();
  });
});
