import { spawn, type ChildProcess } from 'node:child_process';
import { expect, openView, saveScreen, startVantage, test } from './fixtures';

// 128 KiB touched every 100 ms: a steady 1.25 MiB/s the server's 20 s leak window must catch.
const LEAKER = `
const keep = [];
setInterval(() => { const b = Buffer.allocUnsafe(128 * 1024); b.fill(1); keep.push(b); }, 100);
process.stdout.write('ready\\n');
`;

test.describe('Memory', () => {
  let server: Awaited<ReturnType<typeof startVantage>>;
  let leaker: ChildProcess;
  let inspected: ChildProcess;

  test.beforeAll(async () => {
    server = await startVantage({ VANTAGE_LEAK_WINDOW_S: '20' });
    leaker = spawn(process.execPath, ['-e', LEAKER], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => leaker.stdout!.once('data', r));
    inspected = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', "setInterval(() => Array.from({ length: 5000 }, (_, i) => ({ i })), 50); process.stdout.write('ready\\n')"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await new Promise((r) => inspected.stdout!.once('data', r));
  });
  test.afterAll(async () => {
    for (const child of [leaker, inspected]) {
      if (child.exitCode !== null) continue;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
    await server.stop();
  });

  test('shows the breakdown live, a process maps, and flags a leaking process', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto(server.info.url);
    await expect(page.getByTestId('connection')).toHaveText('connected');
    await openView(page, 'memory');

    // Live breakdown: numbers from /proc/meminfo, and the stacked chart gains points.
    await expect(page.getByTestId('mem-used')).toHaveText(/\d+(\.\d)? (MiB|GiB)/);
    await expect(page.getByTestId('mem-breakdown')).toContainText('CommitLimit');
    const chart = page.getByTestId('mem-breakdown-chart');
    const points = async () => Number(await chart.getAttribute('data-points'));
    const before = await points();
    await expect.poll(points, { timeout: 5000 }).toBeGreaterThan(before + 1);
    await expect(page.getByTestId('mem-psi')).toBeVisible();
    await expect(page.getByTestId('mem-top').locator('tr').first()).toBeVisible();
    await saveScreen(page, 'memory');

    // One process's maps, opened from the keyboard by PID.
    await page.getByLabel('Open process by PID').fill(String(leaker.pid));
    await page.getByLabel('Open process by PID').press('Enter');
    const proc = page.getByTestId('mem-process');
    await expect(proc).toContainText(`node (${leaker.pid})`);
    await expect(proc.getByTestId('mem-maps')).toContainText('[heap]');
    await expect(proc.getByTestId('mem-maps')).toContainText('[stack]');
    await expect(proc).toContainText(/thread stacks found by/);
    await expect(proc.getByTestId('mem-uss')).toHaveText(/MiB/);
    await expect(proc).toContainText(/not a Node\.js process started with --inspect/);

    // The leak flag appears once the 20 s window is covered by a steady climb.
    const row = page.getByTestId('mem-leaks').locator(`tr[data-pid="${leaker.pid}"]`);
    await expect(row).toBeVisible({ timeout: 60_000 });
    await expect(row).toContainText(/MiB\/min/);
    await expect(page.getByTestId('mem-leak-evidence')).toBeVisible();
    await expect(page.getByTestId('mem-hints')).toContainText(`node (${leaker.pid})`);
    await page.getByTestId('mem-leaks').scrollIntoViewIfNeeded();
    await saveScreen(page, 'memory-leaks');
  });

  test('raises a process OOM score after saying what it will do, and shows a Node heap through --inspect=0', async ({ page }) => {
    await page.goto(server.info.url);
    await openView(page, 'memory');
    await page.getByLabel('Open process by PID').fill(String(inspected.pid));
    await page.getByLabel('Open process by PID').press('Enter');
    const proc = page.getByTestId('mem-process');
    await expect(proc.getByTestId('mem-gc')).toContainText('Heap used / total');
    await expect(proc.getByTestId('mem-gc')).toContainText(/127\.0\.0\.1:\d+ \(from --inspect=0/);
    await expect(proc.getByTestId('mem-gc')).toContainText(/GC minor \(scavenge\)/, { timeout: 15_000 });

    await proc.getByLabel('oom_score_adj').fill('500');
    await proc.getByRole('button', { name: 'Apply…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change OOM score adjustment' });
    await expect(dialog).toContainText(`Write 500 to /proc/${inspected.pid}/oom_score_adj`);
    await expect(dialog).toContainText('pick this process sooner');
    await dialog.getByRole('button', { name: 'Set to 500' }).click();
    await expect(proc).toContainText(/oom_score_adj\s*500/);
    await expect(proc.getByTestId('mem-maps')).toContainText('[heap]');
    await proc.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await saveScreen(page, 'memory-process');

    // Vantage's own heap comes from v8 in-process, no inspector needed.
    await page.getByRole('button', { name: 'Vantage itself' }).click();
    await expect(page.getByTestId('mem-gc')).toContainText('Vantage itself (v8)');
  });
});
