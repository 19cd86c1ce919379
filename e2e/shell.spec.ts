import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The Electron shell, end to end. The Electron runtime cannot be downloaded on our build machines,
// so this spec runs only where node_modules/electron/dist exists (after `npm run build`).
const electronBinary = join('node_modules', 'electron', 'dist', 'electron');
const built = existsSync('dist/electron/main.cjs') && existsSync('dist/renderer/index.html');

test.describe('Electron shell', () => {
  test.skip(!existsSync(electronBinary), `no Electron runtime at ${electronBinary} (it cannot be downloaded here)`);
  test.skip(!built, 'run `npm run build` first');

  test('opens a sandboxed window whose page sees only the contract bridge, with live data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vantage-electron-'));
    const app = await electron.launch({ executablePath: electronBinary, args: ['.'], env: { ...process.env, VANTAGE_DATA_DIR: dataDir } });
    try {
      const page = await app.firstWindow();
      expect(page.url()).toBe('vantage-app://app/index.html');
      const exposed = await page.evaluate(() => ({
        bridge: Object.keys((window as unknown as { vantage: object }).vantage).sort(),
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(exposed).toEqual({ bridge: ['invoke', 'subscribe'], require: 'undefined', process: 'undefined' });
      const refused = await page.evaluate(() =>
        (window as unknown as { vantage: { invoke(c: string, i: unknown): Promise<unknown> } }).vantage.invoke('fs.read', {}),
      );
      expect(refused).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
      await expect(page.getByTestId('cpu-total')).toHaveText(/\d+\.\d%/, { timeout: 5000 });
      await page.screenshot({ path: 'test-results/screens/shell.png' });
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
