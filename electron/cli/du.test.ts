import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duBytes, findCounts, makeTestTree } from '../services/disk/scan/test-tree';

const duTs = resolve(__dirname, 'du.ts');
const cwd = resolve(__dirname, '../..');
// The verb itself, run in a fresh node (the same code `node bin/vantage.mjs du` runs).
const script = `const { du } = await import(${JSON.stringify(duTs)}); process.exitCode = await du.run(process.argv.slice(1));`;

function vantageDu(args: string[], asUser?: string, engine?: 'fs') {
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script, ...args];
  const [cmd, ...rest] = asUser ? ['runuser', '-u', asUser, '--', ...node] : node;
  const env = engine ? { ...process.env, VANTAGE_DISK_ENGINE: engine } : process.env;
  const r = spawnSync(cmd, rest, { cwd, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let root: string;
beforeAll(() => {
  root = makeTestTree();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('vantage du', () => {
  it('--json gives totals equal to du and the largest entries first', () => {
    const r = vantageDu([root, '--json', '--top', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      path: root,
      apparentBytes: duBytes(root, 'apparent'),
      allocatedBytes: duBytes(root, 'allocated'),
      ...findCounts(root),
      errors: 0,
      complete: true,
    });
    expect(out.largest).toHaveLength(3);
    // The hard-linked 300 kB inode counts under whichever of a/ and b/ the parallel walk reached
    // first, and makes that folder the largest: du of that folder alone gives the same bytes.
    const largest = out.largest[0] as { path: string; allocatedBytes: number };
    expect([join(root, 'a'), join(root, 'b')]).toContain(largest.path);
    expect(largest.allocatedBytes).toBe(duBytes(largest.path, 'allocated'));
    const apparent = JSON.parse(vantageDu([root, '--json', '--apparent', '--top', '1']).stdout);
    expect(apparent.largest[0]).toMatchObject({ path: join(root, 'sparse.img'), apparentBytes: 100 * 1024 * 1024 });
  });

  it('prints a readable summary without --json', () => {
    const r = vantageDu([root, '--top', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(root);
    expect(r.stdout).toContain('LARGEST');
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('exits 2 on bad usage and says why on a missing folder', () => {
    expect(vantageDu([]).code).toBe(2);
    expect(vantageDu([root, '--frobnicate']).code).toBe(2);
    const missing = vantageDu([join(root, 'missing')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });
});

const isRoot = process.getuid?.() === 0;
describe.skipIf(!isRoot)('vantage du as an unprivileged user', () => {
  const user = 'vantage-du-test';
  let tree: string;
  beforeAll(() => {
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    tree = makeTestTree();
    chmodSync(tree, 0o755);
    mkdirSync(join(tree, 'locked/inner'), { recursive: true });
    writeFileSync(join(tree, 'locked/secret'), Buffer.alloc(50_000, 1));
    chmodSync(join(tree, 'locked'), 0o000);
  });
  afterAll(() => {
    chmodSync(join(tree, 'locked'), 0o755);
    rmSync(tree, { recursive: true, force: true });
    spawnSync('userdel', [user]);
  });

  it.each([['native walker'], ['fs fallback walker']])('%s: records an unreadable folder with its errno, skips it and still counts its own size like du', (engine) => {
    const r = vantageDu([tree, '--json'], user, engine.startsWith('fs') ? 'fs' : undefined);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    const du = spawnSync('runuser', ['-u', user, '--', 'du', '-sb', tree], { encoding: 'utf8' });
    expect(du.status).toBe(1);
    expect(out.apparentBytes).toBe(Number(du.stdout.split('\t')[0]));
    expect(out.errors).toBe(1);
    expect(out.engine).toBe(engine.startsWith('fs') ? 'fs' : 'native');
    expect(out.firstErrors).toEqual([{ path: join(tree, 'locked'), error: 'EACCES: Permission denied' }]);
  });
});
