// Page layer throughput: the pager (page file + page WAL, fsync per commit) next to SQLite
// (better-sqlite3, WAL mode, synchronous=FULL, 4 KiB pages) doing the nearest equivalent work:
// one 3000-byte blob row per page. Run: node --import tsx bench/engine/pager.ts [--pages N]
import BetterSqlite from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPager } from '../../electron/engine/pager/file-pager';

const argPages = process.argv.indexOf('--pages');
const BULK = argPages > 0 ? Number(process.argv[argPages + 1]) : 20_000;
const COMMITS = 300;
const PER_COMMIT = 4;
const READS = 20_000;
const dir = mkdtempSync(path.join(tmpdir(), 'vantage-pager-bench-'));
const blob = Buffer.alloc(3000, 7);

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}

// Neither checkpoints on its own, so the last case copies the same WAL contents home in both.
const pager = openPager(path.join(dir, 'pager.db'), { checkpointPages: 1 << 30 });
const sqlite = new BetterSqlite(path.join(dir, 'sqlite.db'));
sqlite.pragma('page_size = 4096');
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = FULL');
sqlite.pragma('wal_autocheckpoint = 0');
sqlite.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)');
const insert = sqlite.prepare('INSERT INTO t(b) VALUES (?)');
const select = sqlite.prepare('SELECT length(b) FROM t WHERE id = ?').pluck();

const rows: [string, number, number][] = [];

rows.push([
  `bulk: 1 commit of ${BULK} pages`,
  time(() => {
    pager.begin();
    for (let i = 0; i < BULK; i++) pager.write(pager.allocate()).set(blob);
    pager.commit();
  }),
  time(() => sqlite.transaction(() => {
    for (let i = 0; i < BULK; i++) insert.run(blob);
  })()),
]);

rows.push([
  `${COMMITS} commits of ${PER_COMMIT} pages (fsync each)`,
  time(() => {
    const next = rng(1);
    for (let c = 0; c < COMMITS; c++) {
      pager.begin();
      for (let i = 0; i < PER_COMMIT; i++) pager.write(2 + (next() % BULK)).fill(c & 255, 0, blob.length);
      pager.commit();
    }
  }),
  time(() => {
    const update = sqlite.prepare('UPDATE t SET b = ? WHERE id = ?');
    const next = rng(1);
    for (let c = 0; c < COMMITS; c++) {
      sqlite.transaction(() => {
        for (let i = 0; i < PER_COMMIT; i++) update.run(blob.fill(c & 255), 1 + (next() % BULK));
      })();
    }
  }),
]);

rows.push([
  `${COMMITS} commits of ${PER_COMMIT} pages (fsync each), again`,
  time(() => {
    const next = rng(3);
    for (let c = 0; c < COMMITS; c++) {
      pager.begin();
      for (let i = 0; i < PER_COMMIT; i++) pager.write(2 + (next() % BULK)).fill(c & 255, 0, blob.length);
      pager.commit();
    }
  }),
  time(() => {
    const update = sqlite.prepare('UPDATE t SET b = ? WHERE id = ?');
    const next = rng(3);
    for (let c = 0; c < COMMITS; c++) {
      sqlite.transaction(() => {
        for (let i = 0; i < PER_COMMIT; i++) update.run(blob.fill(c & 255), 1 + (next() % BULK));
      })();
    }
  }),
]);

rows.push([
  `${READS} random page reads (cache 2000 pages)`,
  time(() => {
    const next = rng(2);
    for (let i = 0; i < READS; i++) pager.read(2 + (next() % BULK));
  }),
  time(() => {
    const next = rng(2);
    for (let i = 0; i < READS; i++) select.get(1 + (next() % BULK));
  }),
]);

rows.push(['checkpoint of everything above', time(() => pager.checkpoint()), time(() => sqlite.pragma('wal_checkpoint(TRUNCATE)'))]);

pager.close();
sqlite.close();
rmSync(dir, { recursive: true, force: true });

const header = ['case', 'pager ms', 'sqlite ms', 'pager/sqlite'];
const table = rows.map(([name, a, b]) => [name, a.toFixed(1), b.toFixed(1), (a / b).toFixed(2)]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
for (const r of [header, ...table]) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
