import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../history/store';
import { metricsTable } from './metrics-table';

describe('metrics live table', () => {
  it('reads the last hour of the 1 s tier from the history store file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vantage-sqlm-'));
    const store = new HistoryStore(join(dir, 'history.db'));
    try {
      const now = Date.now();
      store.record(now - 2 * 3_600_000, { 'cpu.total': 99 });
      store.record(now - 2000, { 'cpu.total': 12.5 });
      store.record(now - 1000, { 'cpu.total': 13.5, 'mem.used': 1024 });
      const rows = metricsTable(join(dir, 'history.db')).scan();
      expect(rows).toEqual([
        ['cpu.total', Math.floor((now - 2000) / 1000) * 1000, 12.5],
        ['cpu.total', Math.floor((now - 1000) / 1000) * 1000, 13.5],
        ['mem.used', Math.floor((now - 1000) / 1000) * 1000, 1024],
      ]);
      expect(metricsTable(join(dir, 'missing.db')).scan()).toEqual([]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
