// Kill -9 a writer child at random moments, over and over, and check after every kill that the
// database holds exactly the state after some transaction k: every acknowledged transaction is
// there (k ≥ the last acknowledged id), nothing partial. The expected state is recomputed by
// replaying the same deterministic transactions on an in-memory pager.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashTxnPages, runCrashTxn } from './crash-txn';
import { openMemoryPager, openPager } from './file-pager';
import { checkIntegrity } from './integrity';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'vantage-pager-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KILLS = Number(process.env.PAGER_CRASH_KILLS ?? 150);

// The writer is bundled to plain JavaScript once, so each of the many restarts costs a bare Node
// start-up instead of a TypeScript loader's (the code run is the same crash-writer.ts).
const writer = path.join(dir, 'crash-writer.mjs');
beforeAll(() => {
  buildSync({ entryPoints: [path.join(here, 'crash-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'silent' });
});

/** Runs the writer until its first acknowledgement, then SIGKILLs it after a random delay. */
function runAndKill(file: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 60);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited without being killed: ${err}`));
      const lines = out.split('\n');
      lines.pop(); // a partial last line was cut mid-write: not an acknowledgement
      resolve(lines.filter(Boolean).map(Number));
    });
  });
}

describe('pager crash safety', () => {
  it(`keeps every acknowledged commit and nothing partial across ${KILLS} kill -9s`, async () => {
    const file = path.join(dir, 'crash.db');
    const model = openMemoryPager();
    let lastAck = 0;
    let totalAcks = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const acks = await runAndKill(file);
      totalAcks += acks.length;
      if (acks.length) lastAck = acks[acks.length - 1];

      const p = openPager(file, { lock: false, cachePages: 32 });
      const k = p.getMeta(0);
      // Durable means acknowledged or later: at most the one transaction cut between fsync and print.
      expect(k).toBeGreaterThanOrEqual(lastAck);
      expect(k).toBeLessThanOrEqual(lastAck + 1);
      for (let t = model.getMeta(0) + 1; t <= k; t++) runCrashTxn(model, t);
      expect(p.pageCount).toBe(model.pageCount);
      for (let pg = 1; pg <= model.pageCount; pg++) {
        const got = p.read(pg).subarray(0, p.usableSize);
        const want = model.read(pg).subarray(0, model.usableSize);
        if (Buffer.compare(got, want) !== 0) throw new Error(`after kill ${kill} (txn ${k}) page ${pg} differs from the model`);
      }
      expect(checkIntegrity(p, { inUse: crashTxnPages(p) }).problems).toEqual([]);
      lastAck = k;
      // Half the time the verifier checkpoints (close); otherwise it leaves the WAL as the crash did.
      if (kill % 2 === 0) p.close();
      else p.abandon();
    }
    expect(totalAcks).toBeGreaterThan(KILLS);
  }, 600_000);
});
