import Sqlite from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { LiveTable } from './live-tables';

/** `metrics(series, ts, value)`: the last hour of the history store's 1 s tier, read-only. */
export function metricsTable(historyPath: string | undefined, windowMs = 3_600_000): LiveTable {
  return {
    name: 'metrics',
    columns: [
      { name: 'series', type: 'TEXT' },
      { name: 'ts', type: 'INTEGER' },
      { name: 'value', type: 'REAL' },
    ],
    scan() {
      if (!historyPath || !existsSync(historyPath)) return [];
      const db = new Sqlite(historyPath, { readonly: true, fileMustExist: true });
      try {
        return db
          .prepare('SELECT s.name, t.ts, t.v FROM s1 t JOIN series s ON s.id = t.series WHERE t.ts >= ? ORDER BY s.name, t.ts')
          .raw()
          .all(Date.now() - windowMs) as unknown[][];
      } finally {
        db.close();
      }
    },
  };
}
