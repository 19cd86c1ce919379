import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Persistent hashes of files seen by duplicate searches: one row per (algo, dev, inode), valid
 * only while the size and the mtime (to the nanosecond) are unchanged. A file rewritten in place
 * with its mtime restored would be missed, as with every mtime-keyed cache (rdfind, czkawka).
 * Bounded: past maxRows the oldest-written rows go first.
 */

export interface CachedHash {
  partial: string;
  full: string | null;
}

export interface FileKey {
  dev: number;
  ino: number;
  size: number;
  mtimeSec: number;
  mtimeNsec: number;
}

export class HashCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement;
  private readonly putStmt: Database.Statement;

  constructor(
    file: string,
    private readonly algo: string,
    private readonly maxRows = 2_000_000,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS hashes (
      algo TEXT NOT NULL, dev INTEGER NOT NULL, ino INTEGER NOT NULL,
      size INTEGER NOT NULL, mtime_s INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
      partial TEXT NOT NULL, full TEXT, written INTEGER NOT NULL,
      PRIMARY KEY (algo, dev, ino)) WITHOUT ROWID`);
    this.db.exec('CREATE INDEX IF NOT EXISTS hashes_written ON hashes (written)');
    this.getStmt = this.db
      .prepare('SELECT size, mtime_s, mtime_ns, partial, full FROM hashes WHERE algo = ? AND dev = ? AND ino = ?')
      .raw();
    this.putStmt = this.db.prepare(
      `INSERT INTO hashes (algo, dev, ino, size, mtime_s, mtime_ns, partial, full, written)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (algo, dev, ino) DO UPDATE SET size = excluded.size, mtime_s = excluded.mtime_s,
         mtime_ns = excluded.mtime_ns, partial = excluded.partial, full = excluded.full, written = excluded.written`,
    );
  }

  /** Looks many files up in one transaction; the map holds only valid hits. */
  getMany(keys: FileKey[]): Map<number, CachedHash> {
    const hits = new Map<number, CachedHash>();
    this.db.transaction(() => {
      keys.forEach((k, i) => {
        const row = this.getStmt.get(this.algo, k.dev, k.ino) as [number, number, number, string, string | null] | undefined;
        if (row && row[0] === k.size && row[1] === k.mtimeSec && row[2] === k.mtimeNsec) {
          hits.set(i, { partial: row[3], full: row[4] });
        }
      });
    })();
    return hits;
  }

  putMany(entries: { key: FileKey; hash: CachedHash }[]): void {
    if (!entries.length) return;
    const now = Date.now();
    this.db.transaction(() => {
      for (const { key: k, hash } of entries) {
        this.putStmt.run(this.algo, k.dev, k.ino, k.size, k.mtimeSec, k.mtimeNsec, hash.partial, hash.full, now);
      }
    })();
    this.prune();
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM hashes').get() as { n: number }).n;
  }

  private prune(): void {
    const extra = this.count() - this.maxRows;
    if (extra > 0) {
      this.db
        .prepare('DELETE FROM hashes WHERE (algo, dev, ino) IN (SELECT algo, dev, ino FROM hashes ORDER BY written LIMIT ?)')
        .run(extra);
    }
  }

  close(): void {
    this.db.close();
  }
}
