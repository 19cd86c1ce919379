import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlService } from './service';
import { splitStatements } from './split';

describe('splitStatements', () => {
  it('splits at top-level semicolons and keeps offsets', () => {
    const text = "SELECT ';'; -- a; comment\n SELECT 2 ;";
    expect(splitStatements(text)).toEqual([
      { text: "SELECT ';'", start: 0 },
      { text: '-- a; comment\n SELECT 2', start: 12 },
    ]);
  });
});

describe('SqlService', () => {
  let dir: string;
  let svc: SqlService;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vantage-sql-'));
    svc = new SqlService({ dataDir: dir });
  });
  afterEach(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs statements in a worker on the scratch database, with types and NULLs', async () => {
    expect((await svc.current()).scratch).toBe(true);
    const r = await svc.execute("CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, NULL), (2, 'x'); SELECT * FROM t ORDER BY a", { maxRows: 100 });
    expect(r.results).toHaveLength(3);
    expect(r.results[1].rowsAffected).toBe(2);
    const sel = r.results[2];
    expect(sel.columns.map((c) => [c.name, c.declaredType, c.actualTypes])).toEqual([
      ['a', 'INTEGER', ['integer']],
      ['b', 'TEXT', ['null', 'text']],
    ]);
    expect(sel.rows).toEqual([
      [1, null],
      [2, 'x'],
    ]);
  });

  it('keeps a REAL with an integral value a REAL, as its own cell and in the column types', async () => {
    const r = await svc.execute('SELECT 2.0, 2, 2.5, total(1), CAST(3 AS REAL), NULL', { maxRows: 10 });
    const sel = r.results[0];
    expect(sel.rows).toEqual([[{ real: 2 }, 2, 2.5, { real: 1 }, { real: 3 }, null]]);
    expect(sel.columns.map((c) => c.actualTypes)).toEqual([['real'], ['integer'], ['real'], ['real'], ['real'], ['null']]);
    // Statements that answer with rows of their own keep working: EXPLAIN, PRAGMA.
    const other = await svc.execute("CREATE TABLE reals(x REAL); EXPLAIN QUERY PLAN SELECT * FROM reals; PRAGMA table_info('reals')", { maxRows: 10 });
    expect(other.results[1].columns.map((c) => c.actualTypes)).toEqual([['integer'], ['integer'], ['text']]);
    expect(other.results[2].rows[0]).toContain('x');
  });

  it('caps results and says so', async () => {
    await svc.execute('CREATE TABLE n(i INTEGER); INSERT INTO n VALUES (1),(2),(3),(4),(5)', { maxRows: 10 });
    const r = await svc.execute('SELECT * FROM n', { maxRows: 3 });
    expect(r.results[0].rows).toHaveLength(3);
    expect(r.results[0].truncated).toBe(true);
  });

  it('runs only the selection, and reports errors at offsets in the whole text', async () => {
    const text = 'SELECT 1;\nSELECT nope FROM nothing_here;';
    await expect(svc.execute(text, { maxRows: 10, selection: { from: 10, to: text.length } })).rejects.toMatchObject({
      code: 'SQL_ERROR',
      detail: { sqlCode: 'SQL_NO_SUCH_TABLE', line: 2 },
    });
    const ok = await svc.execute(text, { maxRows: 10, selection: { from: 0, to: 8 } });
    expect(ok.results[0].rows).toEqual([[1]]);
  });

  it('gives syntax errors with position, line and column', async () => {
    await expect(svc.execute('SELECT 1;\nSELEC 2', { maxRows: 10 })).rejects.toMatchObject({
      code: 'SQL_ERROR',
      detail: { sqlCode: 'SQL_SYNTAX', position: 10, line: 2, column: 1 },
    });
  });

  it('joins live tables with user tables', async () => {
    await svc.execute(`CREATE TABLE mine(pid INTEGER); INSERT INTO mine VALUES (${process.pid})`, { maxRows: 10 });
    const r = await svc.execute('SELECT p.pid, p.comm FROM mine m JOIN processes p ON p.pid = m.pid', { maxRows: 10 });
    expect(r.results[0].rows).toEqual([[process.pid, expect.any(String)]]);
    const byUser = await svc.execute('SELECT user, sum(rss) FROM processes GROUP BY user', { maxRows: 100 });
    expect(byUser.results[0].rows.some((row) => row[0] === 'root' && Number(row[1]) > 0)).toBe(true);
  });

  it('lists the schema with live tables, explains as a tree, keeps history per database', async () => {
    await svc.execute('CREATE TABLE s(a INTEGER, b TEXT); CREATE INDEX s_a ON s(a)', { maxRows: 10 });
    const schema = await svc.schema();
    expect(schema.find((o) => o.name === 's')).toMatchObject({ type: 'table', columns: [{ name: 'a' }, { name: 'b' }] });
    expect(schema.find((o) => o.name === 's_a')?.type).toBe('index');
    for (const t of ['processes', 'threads', 'connections', 'interfaces', 'mounts', 'metrics']) expect(schema.find((o) => o.name === t)?.type).toBe('live');
    const plan = await svc.explain('SELECT * FROM s WHERE a = 1');
    expect(plan.length).toBeGreaterThan(0);
    expect(JSON.stringify(plan)).toContain('s');
    expect(svc.history(10)[0].sql).toContain('CREATE TABLE s');
    await svc.open(join(dir, 'other.vdb'));
    expect(svc.history(10)).toEqual([]);
  });

  it('cancels a long statement and keeps the last commit', async () => {
    const file = join(dir, 'c.vdb');
    await svc.open(file);
    await svc.execute('CREATE TABLE k(i INTEGER); INSERT INTO k VALUES (1)', { maxRows: 10 });
    await svc.execute(`CREATE TABLE big(i INTEGER); INSERT INTO big VALUES ${Array.from({ length: 300 }, (_, i) => `(${i})`).join(',')}`, { maxRows: 10 });
    // 300^4 rows to count: far longer than the test waits.
    const long = svc.execute('SELECT count(*) FROM big a, big b, big c, big d', { maxRows: 10 });
    // Wait until the worker has the statement, then cancel.
    await new Promise((r) => setTimeout(r, 300));
    expect(await svc.cancel()).toEqual({ cancelled: true });
    await expect(long).rejects.toMatchObject({ code: 'CANCELLED' });
    const after = await svc.execute('SELECT count(*) FROM k', { maxRows: 10 });
    expect(after.results[0].rows).toEqual([[1]]);
  });

  it('refuses a directory as a database file', async () => {
    await expect(svc.open(dir)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
