import { parentPort, workerData } from 'node:worker_threads';
import { Database, SqlError } from '../../engine';
import { liveTables } from './live-tables';
import { metricsTable } from './metrics-table';
import type { SqlColumn, SqlPlanNode, SqlResultSet, SqlSchemaObject, SqlValue } from '../../contract/sql';
import { splitStatements } from './split';

export type WorkerRequest =
  | { id: number; op: 'open'; path: string }
  | { id: number; op: 'execute'; sql: string; base: number; params?: unknown[]; maxRows: number }
  | { id: number; op: 'schema' }
  | { id: number; op: 'explain'; sql: string };

export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { sql: boolean; code: string; message: string; position?: number } };

const historyPath = (workerData as { historyPath?: string } | null)?.historyPath;
const tables = liveTables([metricsTable(historyPath)]);
let db: Database | null = null;

function open(path: string): void {
  db?.close();
  db = Database.open(path);
  for (const t of tables) db.registerVirtualTable(t.name, { columns: t.columns, scan: () => t.scan() });
}

function need(): Database {
  if (!db) throw new SqlError('SQL_MISUSE', 'no database is open');
  return db;
}

function cell(v: unknown, cls: string): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return cls === 'real' && Number.isInteger(v) ? { real: v } : v;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array) return { blob: Buffer.from(v).toString('hex') };
  return String(v);
}

function execute(sql: string, base: number, params: unknown[] | undefined, maxRows: number): SqlResultSet[] {
  const d = need();
  const out: SqlResultSet[] = [];
  for (const s of splitStatements(sql)) {
    const t0 = performance.now();
    let r;
    try {
      r = d.query(s.text, params, { classes: true });
    } catch (e) {
      if (e instanceof SqlError && e.position !== undefined) e.position += base + s.start;
      throw e;
    }
    const truncated = r.rows.length > maxRows;
    const kept = truncated ? r.rows.slice(0, maxRows) : r.rows;
    const classes = r.classes!; // asked for above
    const rows = kept.map((row, ri) => row.map((v, ci) => cell(v, classes[ri][ci])));
    const columns: SqlColumn[] = r.columns.map((c, i) => {
      const seen = new Set<string>();
      for (let ri = 0; ri < kept.length; ri++) seen.add(classes[ri][i]);
      return { name: c.name, declaredType: c.type ?? '', actualTypes: [...seen].sort() };
    });
    out.push({ sql: s.text, columns, rows, rowsAffected: r.changes, truncated, timeMs: performance.now() - t0 });
  }
  return out;
}

function schema(): SqlSchemaObject[] {
  const d = need();
  const objects: SqlSchemaObject[] = d.schema().map((o) => {
    let columns: { name: string; type: string }[] = [];
    if (o.type === 'table') {
      const r = d.query(`PRAGMA table_info(${JSON.stringify(o.name)})`);
      columns = r.rows.map((row) => ({ name: String(row[1]), type: String(row[2] ?? '') }));
    } else if (o.type === 'view') {
      try {
        columns = d.prepare(`SELECT * FROM ${JSON.stringify(o.name)}`).columns();
      } catch {
        columns = [];
      }
    }
    return { name: o.name, type: o.type as SqlSchemaObject['type'], sql: o.sql, columns };
  });
  for (const t of tables) objects.push({ name: t.name, type: 'live', sql: '', columns: t.columns });
  return objects;
}

function explain(sql: string): SqlPlanNode[] {
  const r = need().query(/^\s*explain\b/i.test(sql) ? sql : `EXPLAIN QUERY PLAN ${sql}`);
  const nodes = new Map<number, SqlPlanNode>();
  const roots: SqlPlanNode[] = [];
  for (const row of r.rows) {
    const n: SqlPlanNode = { id: Number(row[0]), parent: Number(row[1]), detail: String(row[row.length - 1]), children: [] };
    nodes.set(n.id, n);
  }
  for (const n of nodes.values()) {
    const p = nodes.get(n.parent);
    if (p && p !== n) p.children.push(n);
    else roots.push(n);
  }
  return roots;
}

parentPort!.on('message', (req: WorkerRequest) => {
  let res: WorkerResponse;
  try {
    let value: unknown;
    if (req.op === 'open') value = open(req.path);
    else if (req.op === 'execute') value = execute(req.sql, req.base, req.params, req.maxRows);
    else if (req.op === 'schema') value = schema();
    else value = explain(req.sql);
    res = { id: req.id, ok: true, value: value ?? null };
  } catch (e) {
    if (e instanceof SqlError) res = { id: req.id, ok: false, error: { sql: true, code: e.code, message: e.message, position: e.position } };
    else {
      const err = e as { code?: unknown; message?: unknown };
      res = { id: req.id, ok: false, error: { sql: false, code: typeof err.code === 'string' ? err.code : 'INTERNAL', message: String(err.message ?? e) } };
    }
  }
  parentPort!.postMessage(res);
});
