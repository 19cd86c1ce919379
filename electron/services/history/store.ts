import Database from 'better-sqlite3';
import type { HistoryRange, HistoryResult } from '../../contract/history';

export type Tier = '1s' | '1m' | '15m';

interface TierSpec {
  table: 's1' | 'm1' | 'm15';
  bucketMs: number;
  retentionMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const TIERS: Record<Tier, TierSpec> = {
  '1s': { table: 's1', bucketMs: 1000, retentionMs: HOUR },
  '1m': { table: 'm1', bucketMs: MINUTE, retentionMs: 7 * DAY },
  '15m': { table: 'm15', bucketMs: 15 * MINUTE, retentionMs: 90 * DAY },
};

const RANGE_MS: Record<HistoryRange, number> = {
  '5m': 5 * MINUTE,
  '1h': HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '90d': 90 * DAY,
};

export interface HistoryOptions {
  /** Upper bound of the database file; the oldest data goes first past it. */
  maxBytes?: number;
  now?: () => number;
}

/**
 * Time series of every collector tick, in three tiers (1 s for an hour, 1 min averages for a
 * week, 15 min for 90 days). SQLite in WAL mode: a kill mid-write loses at most the tick being
 * written. Rollups are computed from the finer tier with SQL, so they can be caught up after a
 * crash instead of living in memory.
 */
export class HistoryStore {
  private readonly db: Database.Database;
  private readonly ids = new Map<string, number>();
  private readonly maxBytes: number;
  private readonly now: () => number;
  private lastRolledMinute = 0;
  private lastRolled15 = 0;
  private readonly insertSample: Database.Statement;
  private readonly insertSeries: Database.Statement;

  constructor(
    readonly path: string,
    opts: HistoryOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL keeps WAL commits atomic across a process kill; only a power loss can drop the last
    // ticks, which is acceptable for monitoring history.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS s1 (series INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS m1 (series INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL NOT NULL, lo REAL NOT NULL, hi REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS m15 (series INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL NOT NULL, lo REAL NOT NULL, hi REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS s1_ts ON s1 (ts);
      CREATE INDEX IF NOT EXISTS m1_ts ON m1 (ts);
      CREATE INDEX IF NOT EXISTS m15_ts ON m15 (ts);
    `);
    for (const row of this.db.prepare('SELECT id, name FROM series').all() as { id: number; name: string }[]) {
      this.ids.set(row.name, row.id);
    }
    this.insertSample = this.db.prepare('INSERT OR REPLACE INTO s1 (series, ts, v) VALUES (?, ?, ?)');
    this.insertSeries = this.db.prepare('INSERT INTO series (name) VALUES (?)');
    this.catchUpRollups();
  }

  /** Records one tick of named values in one transaction. */
  record(ts: number, values: Record<string, number>): void {
    const second = Math.floor(ts / 1000) * 1000;
    this.db.transaction(() => {
      for (const [name, v] of Object.entries(values)) {
        if (!Number.isFinite(v)) continue;
        this.insertSample.run(this.seriesId(name), second, v);
      }
    })();
    this.maintain(ts);
  }

  listSeries(prefix = ''): string[] {
    const rows = this.db
      .prepare("SELECT name FROM series WHERE name >= ? AND name < ? || char(1114111) ORDER BY name")
      .all(prefix, prefix) as { name: string }[];
    return rows.map((r) => r.name);
  }

  query(opts: { series: string[]; range?: HistoryRange; from?: number; to?: number; maxPoints?: number }): HistoryResult {
    const to = opts.to ?? this.now();
    const from = opts.from ?? to - RANGE_MS[opts.range ?? '1h'];
    const tier = this.tierFor(from, to);
    const spec = TIERS[tier];
    const maxPoints = opts.maxPoints ?? 600;
    const bucket = Math.max(spec.bucketMs, Math.ceil((to - from) / maxPoints / spec.bucketMs) * spec.bucketMs);
    const stmt = this.db.prepare(
      // better-sqlite3 binds JS numbers as REAL: cast, or ts / bucket is a float division and nothing is bucketed.
      `SELECT (ts / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS t, avg(v) AS v FROM ${spec.table} WHERE series = ? AND ts >= ? AND ts <= ? GROUP BY t ORDER BY t`,
    );
    const series = opts.series.map((name) => {
      const id = this.ids.get(name);
      const rows = id === undefined ? [] : (stmt.all(bucket, bucket, id, from, to) as { t: number; v: number }[]);
      return { name, ts: rows.map((r) => r.t), values: rows.map((r) => r.v) };
    });
    return { tier, from, to, series };
  }

  /** The finest tier that still holds the start of the range. */
  tierFor(from: number, to: number): Tier {
    const now = this.now();
    const span = to - from;
    if (now - from <= TIERS['1s'].retentionMs && span <= HOUR) return '1s';
    if (now - from <= TIERS['1m'].retentionMs) return '1m';
    return '15m';
  }

  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }

  close(): void {
    this.db.close();
  }

  private seriesId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = Number(this.insertSeries.run(name).lastInsertRowid);
      this.ids.set(name, id);
    }
    return id;
  }

  private maintain(ts: number) {
    const minute = Math.floor(ts / MINUTE) * MINUTE;
    if (minute > this.lastRolledMinute) this.rollup(minute);
  }

  private catchUpRollups() {
    const lastM1 = (this.db.prepare('SELECT max(ts) AS t FROM m1').get() as { t: number | null }).t;
    const last15 = (this.db.prepare('SELECT max(ts) AS t FROM m15').get() as { t: number | null }).t;
    this.lastRolledMinute = lastM1 === null ? 0 : lastM1 + MINUTE;
    this.lastRolled15 = last15 === null ? 0 : last15 + 15 * MINUTE;
    this.rollup(Math.floor(this.now() / MINUTE) * MINUTE);
  }

  /** Aggregates every complete minute (and quarter hour) before `minute`, then applies retention. */
  private rollup(minute: number) {
    const quarter = Math.floor(minute / (15 * MINUTE)) * 15 * MINUTE;
    const now = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO m1 (series, ts, v, lo, hi)
           SELECT series, (ts / ${MINUTE}) * ${MINUTE}, avg(v), min(v), max(v) FROM s1
           WHERE ts >= ? AND ts < ? GROUP BY series, (ts / ${MINUTE})`,
        )
        .run(this.lastRolledMinute, minute);
      if (quarter > this.lastRolled15) {
        this.db
          .prepare(
            `INSERT OR REPLACE INTO m15 (series, ts, v, lo, hi)
             SELECT series, (ts / ${15 * MINUTE}) * ${15 * MINUTE}, avg(v), min(lo), max(hi) FROM m1
             WHERE ts >= ? AND ts < ? GROUP BY series, (ts / ${15 * MINUTE})`,
          )
          .run(this.lastRolled15, quarter);
        this.lastRolled15 = quarter;
      }
      for (const spec of Object.values(TIERS)) {
        this.db.prepare(`DELETE FROM ${spec.table} WHERE ts < ?`).run(now - spec.retentionMs);
      }
    })();
    this.lastRolledMinute = minute;
    this.enforceSizeBound();
  }

  private enforceSizeBound() {
    if (this.sizeBytes() <= this.maxBytes) return;
    // Give back free pages first; if still too large, drop the oldest tenth of each tier's span.
    this.db.pragma('incremental_vacuum');
    for (let round = 0; round < 8 && this.sizeBytes() > this.maxBytes; round++) {
      for (const spec of Object.values(TIERS)) {
        const r = this.db.prepare(`SELECT min(ts) AS lo, max(ts) AS hi FROM ${spec.table}`).get() as {
          lo: number | null;
          hi: number | null;
        };
        if (r.lo === null || r.hi === null) continue;
        const cut = r.lo + Math.max(spec.bucketMs, Math.floor((r.hi - r.lo) / 10));
        this.db.prepare(`DELETE FROM ${spec.table} WHERE ts < ?`).run(cut);
      }
      this.db.pragma('incremental_vacuum');
    }
  }
}
