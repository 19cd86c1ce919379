import { z } from 'zod';
import { call } from './core';

/** One column of a result set: its name, the type the query declares and the types actually seen. */
export interface SqlColumn {
  name: string;
  /** Declared type from the engine ('' when the expression has none). */
  declaredType: string;
  /** Storage classes seen in the returned rows: 'integer' | 'real' | 'text' | 'blob' | 'null'. */
  actualTypes: string[];
}

/**
 * Cell values: numbers, strings, null, and blobs as `{ blob: hex }`. A REAL with an integral value
 * (2.0) comes as `{ real }`: a JSON number would read as INTEGER.
 */
export type SqlValue = number | string | null | { blob: string } | { real: number };

/** How a REAL with an integral value prints, as sqlite3 prints it: 2.0, not 2 (1e+21 as such). */
export function realText(x: number): string {
  return Math.abs(x) < 1e15 ? x.toFixed(1) : String(x);
}

export interface SqlResultSet {
  /** The statement text this result came from. */
  sql: string;
  columns: SqlColumn[];
  rows: SqlValue[][];
  rowsAffected: number;
  /** True when the statement returned more rows than `maxRows` and the rest were dropped. */
  truncated: boolean;
  timeMs: number;
}

export interface SqlExecuteResult {
  results: SqlResultSet[];
  timeMs: number;
}

export interface SqlOpenResult {
  path: string;
  scratch: boolean;
}

export interface SqlSchemaObject {
  name: string;
  type: 'table' | 'view' | 'index' | 'live';
  sql: string;
  columns: { name: string; type: string }[];
}

export interface SqlHistoryEntry {
  sql: string;
  ts: number;
  ok: boolean;
  timeMs: number;
}

export interface SqlPlanNode {
  id: number;
  parent: number;
  detail: string;
  children: SqlPlanNode[];
}

/** `detail` of a SQL_ERROR: the engine's code and where in the submitted text it went wrong. */
export interface SqlErrorDetail {
  sqlCode: string;
  /** Offset in the submitted text (after the selection offset is applied), when known. */
  position?: number;
  line?: number;
  column?: number;
}

const sqlText = z.string().min(1, 'the statement is empty').max(1_000_000);
const sqlParams = z.array(z.union([z.number(), z.string(), z.null(), z.boolean()])).max(999).optional();

export const sql = {
  open: call<SqlOpenResult>()(
    z
      .object({
        /** Absolute path of a database file (created when missing); omit for the scratch database. */
        path: z.string().min(1).max(4096).refine((p) => p.startsWith('/'), 'give an absolute path').optional(),
      })
      .strict(),
    'Opens (or creates) a database file, or the scratch database in the data directory; live system tables are registered in it.',
  ),
  current: call<SqlOpenResult>()(z.object({}).strict(), 'The database the console has open (opening the scratch database if none).'),
  execute: call<SqlExecuteResult>()(
    z
      .object({
        sql: sqlText,
        params: sqlParams,
        /** Run only this range of the text [from, to); errors are reported at offsets in the whole text. */
        selection: z
          .object({ from: z.number().int().nonnegative(), to: z.number().int().nonnegative() })
          .strict()
          .refine((s) => s.from < s.to, 'the selection is empty')
          .optional(),
        maxRows: z.number().int().min(1).max(100_000).default(10_000),
      })
      .strict(),
    'Runs one or more statements off the main thread; each statement yields a result set capped at maxRows rows.',
  ),
  cancel: call<{ cancelled: boolean }>()(z.object({}).strict(), 'Stops the running statement; the database is left as of the last commit.'),
  schema: call<SqlSchemaObject[]>()(z.object({}).strict(), 'Tables, views, indexes and the live system tables with their columns.'),
  history: call<SqlHistoryEntry[]>()(
    z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(),
    'The most recent statements run against the open database, newest first.',
  ),
  explain: call<SqlPlanNode[]>()(z.object({ sql: sqlText }).strict(), 'The query plan of a SELECT as a tree.'),
};
