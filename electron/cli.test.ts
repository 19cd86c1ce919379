import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { verbs } from './cli/verbs';

const root = join(__dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'vantage-cli-'));
const env = { ...process.env, VANTAGE_DATA_DIR: dataDir };
const vantage = (...args: string[]) => spawnSync(process.execPath, ['bin/vantage.mjs', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('vantage CLI', () => {
  it('--help lists every verb and exits 0', () => {
    const r = vantage('--help');
    expect(r.status).toBe(0);
    for (const v of verbs) expect(r.stdout).toContain(`vantage ${v.name}`);
  });

  it('sql prints a table as sqlite3 would: REALs with a decimal point, NULL as NULL', () => {
    const r = vantage('sql', ':memory:', '-c', "SELECT 2.0 AS a, 2 AS b, 2.5 AS c, total(1) AS t, NULL AS n, 'x' AS s");
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[2].split(/\s+/)).toEqual(['2.0', '2', '2.5', '1.0', 'NULL', 'x']);
  });

  it('an unknown verb or option is a usage error (exit 2)', () => {
    const r = vantage('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown verb 'frobnicate'/);
    expect(vantage('serve', '--bogus').status).toBe(2);
    expect(vantage('serve', '--port', '70000').status).toBe(2);
  });

  it.runIf(existsSync(join(root, 'dist/renderer/index.html')))('serve refuses a non-loopback host without --allow-remote (exit 2)', () => {
    const r = vantage('serve', '--host', '0.0.0.0', '--no-record');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a loopback address.*--allow-remote/);
  });

  it.runIf(existsSync(join(root, 'dist/renderer/index.html')))('serve with --allow-remote --host 0.0.0.0 still demands the token', async () => {
    const child = spawn(process.execPath, ['bin/vantage.mjs', 'serve', '--json', '--allow-remote', '--host', '0.0.0.0', '--no-record'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const { port, token } = JSON.parse(line) as { port: number; token: string };
      const status = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/metrics', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on('error', reject);
          req.end();
        });
      expect(await status({})).toBe(401);
      expect(await status({ authorization: `Bearer ${token}` })).toBe(200);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
