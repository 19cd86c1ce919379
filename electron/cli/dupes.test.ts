import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, inodeGroups, jdupesGroups, makeDupeTree } from '../services/disk/dupes/testing';

const root = new URL('../../', import.meta.url).pathname;
let work: string;
let data: string;

/** Runs `vantage dupes ARGS` through bin/vantage.mjs, with its own data dir. */
function vantageDupes(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/vantage.mjs', 'dupes', ...args],
      { cwd: root, maxBuffer: 64 << 20, env: { ...process.env, VANTAGE_DATA_DIR: data } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vantage-cli-dupes-'));
  data = mkdtempSync(join(tmpdir(), 'vantage-cli-dupes-data-'));
  makeDupeTree(work);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

interface JsonOut {
  complete: boolean;
  wastedBytes: number;
  groups: { size: number; paths: string[]; hardLinks: string[][]; wastedBytes: number }[];
  stats: { filesSeen: number; cacheHits: number };
}

describe('vantage dupes', () => {
  it.skipIf(!hasTool('jdupes'))('--json prints the groups jdupes -r finds, hard links of one file once', async () => {
    const r = await vantageDupes([work, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOut;
    expect(out.complete).toBe(true);
    const asBytes = out.groups.map((g) => g.paths.map((p) => Buffer.from(p)));
    // The non-UTF-8 name cannot round-trip through JSON text; compare the groups without it.
    const clean = (gs: Buffer[][]) => gs.map((g) => g.filter((p) => !p.includes('/odd/bad-')));
    expect(inodeGroups(clean(asBytes))).toEqual(inodeGroups(clean(jdupesGroups([work]))));
    const linked = out.groups.find((g) => g.paths.some((p) => p.endsWith('linked-copy')));
    expect(linked?.paths.length).toBe(2);
    expect(linked?.hardLinks.flat().length).toBe(2);
    expect(out.wastedBytes).toBe(out.groups.reduce((s, g) => s + g.wastedBytes, 0));
    expect(out.stats.filesSeen).toBe(23);
  });

  it('prints groups as text and uses the hash cache on the next run', async () => {
    const first = await vantageDupes([work]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${join(work, 'a/big.bin')}\n`);
    expect(first.stdout).toMatch(/4 groups/);
    const again = JSON.parse((await vantageDupes([work, '--json'])).stdout) as JsonOut;
    expect(again.stats.cacheHits).toBeGreaterThan(0);
  });

  it('--min-size leaves smaller files out; bad input is a usage error', async () => {
    const out = JSON.parse((await vantageDupes([work, '--json', '--min-size', '10000'])).stdout) as JsonOut;
    expect(out.groups.map((g) => g.size).sort((a, b) => a - b)).toEqual([20_000, 300_000]);
    const ex = JSON.parse((await vantageDupes([work, '--json', '--exclude', 'deep', '--exclude=*.txt'])).stdout) as JsonOut;
    const paths = ex.groups.flatMap((g) => g.paths);
    expect(paths.some((p) => p.includes('/deep/') || p.endsWith('.txt'))).toBe(false);
    expect((await vantageDupes([])).code).toBe(2);
    expect((await vantageDupes([work, '--min-size', 'lots'])).code).toBe(2);
    const missing = await vantageDupes([join(work, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('NOT_FOUND');
  });
});
