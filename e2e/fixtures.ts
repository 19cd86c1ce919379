import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ServerInfo {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
}

/** Starts `vantage serve` on a random loopback port with a fresh data directory. */
export async function startVantage(extraEnv: Record<string, string> = {}): Promise<{ info: ServerInfo; child: ChildProcess; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vantage-e2e-'));
  const child = spawn(process.execPath, ['bin/vantage.mjs', 'serve', '--json', '--port', '0'], {
    env: { ...process.env, VANTAGE_DATA_DIR: dataDir, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`vantage serve exited with ${code} before printing its URL`)));
  });
  const { url, port, token } = JSON.parse(line) as { url: string; port: number; token: string };
  return {
    info: { url, port, token, dataDir, origin: `http://127.0.0.1:${port}` },
    child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Opens a view by its id (the hash route) and waits until the shell is connected. */
export async function openView(page: Page, id: string): Promise<void> {
  await page.evaluate((v) => (window.location.hash = `#/${v}`), id);
  await expect(page.locator(`main[data-view="${id}"]`)).toBeVisible();
}

/** Screenshots of each view are kept as test artefacts. */
export async function saveScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: false });
}

export const test = base.extend<{ app: Page }, { server: ServerInfo }>({
  server: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
    async ({}, use) => {
      const v = await startVantage();
      await use(v.info);
      await v.stop();
    },
    { scope: 'worker' },
  ],
  app: async ({ page, server }, use) => {
    await page.goto(server.url);
    await expect(page.getByTestId('connection')).toHaveText('connected');
    await use(page);
  },
});

export { expect };
