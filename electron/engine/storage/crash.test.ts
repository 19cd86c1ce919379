import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../database';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'vantage-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 100);

/** Runs the writer until it has acknowledged at least one commit, then SIGKILLs it after a random delay. */
function runAndKill(file: string, start: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-writer.ts'), file, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited without being killed: ${err}`));
      // Only complete lines were acknowledged; a partial last line was cut mid-write.
      const lines = out.split('\n');
      lines.pop();
      resolve(lines.filter(Boolean).map(Number));
    });
  });
}

describe('crash safety of the page-based engine', () => {
  it(`keeps every acknowledged transaction and nothing partial across ${ITERATIONS} SIGKILLs`, async () => {
    const file = path.join(dir, 'crash.db');
    const acked = new Set<number>();
    let next = 1;
    for (let i = 0; i < ITERATIONS; i++) {
      const ids = await runAndKill(file, next);
      ids.forEach((id) => acked.add(id));
      const db = Database.open(file);
      const rows = db.query('SELECT id, count(*) FROM tx GROUP BY id').rows as [number, number][];
      const present = new Map(rows.map(([id, n]) => [id, n]));
      // The writer itself deletes transactions more than 30 behind the newest, so only those are checked.
      const newest = Math.max(0, ...present.keys(), ...acked);
      for (const id of acked) if (id > newest - 30) expect(present.get(id), `transaction ${id} was acknowledged`).toBe(5);
      for (const [id, n] of present) expect(n, `transaction ${id} is all-or-nothing`).toBe(5);
      // The index agrees with the table.
      const viaIndex = db.query('SELECT count(*) FROM tx WHERE id >= 0').rows[0][0];
      expect(viaIndex).toBe(rows.reduce((s, [, n]) => s + n, 0));
      expect(db.integrityCheck()).toEqual(['ok']);
      next = Math.max(next, ...present.keys(), ...acked) + 1;
      db.close();
    }
    expect(acked.size).toBeGreaterThan(ITERATIONS);
  }, 300_000);

  it('recovers to the last good commit when the WAL tail is torn or corrupt', () => {
    const file = path.join(dir, 'torn.db');
    const db = Database.open(file);
    db.exec('CREATE TABLE t(a INTEGER)');
    for (let i = 1; i <= 10; i++) db.query('INSERT INTO t VALUES(?)', [i]);
    const wal = file + '-wal';
    const goodSize = statSync(wal).size;
    db.query('INSERT INTO t VALUES(11)');
    const fullSize = statSync(wal).size;
    expect(fullSize).toBeGreaterThan(goodSize);
    // A crash leaves the main file and the WAL as they are: copy them while the writer still runs.
    const crashAt = (name: string, damage: (walFile: string) => void) => {
      const copy = path.join(dir, name);
      copyFileSync(file, copy);
      copyFileSync(wal, copy + '-wal');
      damage(copy + '-wal');
      return copy;
    };
    // Torn: the last commit is cut in the middle.
    const torn = crashAt('torn-copy.db', (w) => truncateSync(w, goodSize + Math.floor((fullSize - goodSize) / 2)));
    let re = Database.open(torn);
    expect(re.query('SELECT max(a), count(*) FROM t').rows).toEqual([[10, 10]]);
    expect(re.integrityCheck()).toEqual(['ok']);
    re.query('INSERT INTO t VALUES(12)');
    re.close();
    expect(Database.open(torn).query('SELECT max(a), count(*) FROM t').rows).toEqual([[12, 11]]);
    // Corrupt: bytes flipped inside the last commit's frames; their checksums no longer match.
    const bad = crashAt('corrupt-copy.db', (w) => {
      const bytes = readFileSync(w);
      bytes[bytes.length - 100] ^= 0xff;
      writeFileSync(w, bytes);
    });
    re = Database.open(bad);
    expect(re.query('SELECT max(a), count(*) FROM t').rows).toEqual([[10, 10]]);
    expect(re.integrityCheck()).toEqual(['ok']);
    re.close();
    db.close();
    expect(Database.open(file).query('SELECT count(*) FROM t').rows).toEqual([[11]]);
  });
});
