import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openView, saveScreen, startVantage, test } from './fixtures';

/**
 * A node parent that starts three `sleep 100N` children with a marker in their environment and
 * the first one's stdout on a file we can recognise among its descriptors.
 */
const PARENT = `
const { spawn } = require('node:child_process');
const { openSync } = require('node:fs');
const out = openSync(process.argv[1], 'w');
const pids = [1001, 1002, 1003].map((n, k) =>
  spawn('sleep', [String(n)], { stdio: ['ignore', k === 0 ? out : 'ignore', 'ignore'], env: { ...process.env, VANTAGE_E2E_MARK: 'procs-' + n } }).pid);
process.stdout.write(JSON.stringify(pids) + '\\n');
setInterval(() => {}, 1000);
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

test.describe('Processes', () => {
  let server: Awaited<ReturnType<typeof startVantage>>;
  let parent: ChildProcess;
  let sleeps: number[];
  let dir: string;
  let outFile: string;

  test.beforeAll(async () => {
    server = await startVantage();
    dir = mkdtempSync(join(tmpdir(), 'vantage-procs-e2e-'));
    outFile = join(dir, 'sleep-1001-stdout.txt');
    parent = spawn(process.execPath, ['-e', PARENT, outFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    sleeps = await new Promise<number[]>((resolve) => parent.stdout!.once('data', (b: Buffer) => resolve(JSON.parse(b.toString()) as number[])));
  });
  test.afterAll(async () => {
    for (const pid of sleeps ?? []) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (parent && parent.exitCode === null) {
      const gone = new Promise((r) => parent.once('exit', r));
      parent.kill('SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  });

  test('filters, sorts, shows the tree and details, and ends a process with SIGTERM after confirming', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto(server.info.url);
    await expect(page.getByTestId('connection')).toHaveText('connected');
    await openView(page, 'processes');
    const grid = page.getByTestId('proc-grid');
    await expect(grid.locator('[role="row"][data-pid]').first()).toBeVisible();
    const [target] = sleeps;

    // The filter language: one distinctive command line, then a broader expression.
    await page.keyboard.press('/');
    const filter = page.getByLabel('Filter processes');
    await expect(filter).toBeFocused();
    await filter.fill('cmd:"sleep 1001"');
    const rows = grid.locator('[role="row"][data-pid]');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-pid', String(target));
    await expect(page.getByTestId('proc-count')).toHaveText(/^1 of \d+ processes$/);

    // A broken filter is underlined where it is wrong, with the message, and changes nothing.
    await filter.fill('cpu>');
    await expect(page.getByTestId('proc-filter-error')).toContainText('cpu needs a number');
    await expect(page.locator('.proc-filter-err')).toBeVisible();
    await expect(filter).toHaveAttribute('aria-invalid', 'true');

    // Sorting by PID, both ways, over our three sleeps.
    await filter.fill('cmd~^sleep\\s100[123]$');
    await expect(rows).toHaveCount(3);
    const pidHeader = grid.locator('[role="columnheader"][data-col="pid"]');
    const shown = async () => (await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-pid')))));
    const ascending = [...sleeps].sort((a, b) => a - b);
    await pidHeader.click();
    await expect(pidHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect.poll(shown).toEqual(ascending);
    await pidHeader.click();
    await expect(pidHeader).toHaveAttribute('aria-sort', 'descending');
    await expect.poll(shown).toEqual([...ascending].reverse());

    // Tree mode: the sleeps sit one level under their node parent.
    await grid.focus();
    await page.keyboard.press('t');
    const parentRow = grid.locator(`[role="row"][data-pid="${parent.pid}"]`);
    await expect(parentRow).toBeVisible();
    const childRow = grid.locator(`[role="row"][data-pid="${target}"]`);
    const parentDepth = Number(await parentRow.getAttribute('data-depth'));
    await expect(childRow).toHaveAttribute('data-depth', String(parentDepth + 1));
    await expect(parentRow).toHaveClass(/context/);
    await saveScreen(page, 'processes-tree');
    await page.keyboard.press('t');

    // Details from the keyboard: command line, environment, and the file on its stdout.
    await filter.fill('cmd:"sleep 1001"');
    await filter.press('Enter');
    await expect(grid).toBeFocused();
    await expect(grid.locator('[role="row"][aria-selected="true"]')).toHaveAttribute('data-pid', String(target));
    await page.keyboard.press('Enter');
    const details = page.getByTestId('proc-details');
    await expect(details.getByTestId('proc-cmdline')).toHaveText('sleep 1001');
    await expect(details).toContainText(String(parent.pid));
    await details.getByRole('tab', { name: 'Environment' }).click();
    await details.getByLabel('Search environment').fill('VANTAGE_E2E');
    await expect(details.getByTestId('proc-env')).toContainText('procs-1001');
    await details.getByRole('tab', { name: 'Files' }).click();
    await expect(details.getByTestId('proc-fds')).toContainText(outFile);
    await details.getByRole('tab', { name: 'Threads' }).click();
    await expect(details.getByTestId('proc-threads')).toContainText('sleep');
    await details.getByRole('tab', { name: 'Overview' }).click();
    // The CPU sparkline fills from history and the live stream.
    await expect.poll(async () => Number(await details.getByTestId('proc-spark-cpu').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(1);
    await expect(grid.locator('[role="row"][aria-selected="true"]').getByTestId('proc-row-trend')).toBeVisible();
    await saveScreen(page, 'processes');

    // + lowers the priority by one step, through the control service.
    await grid.focus();
    await page.keyboard.press('+');
    await expect(page.getByTestId('proc-outcome')).toContainText(`${target}: nice 0 → 1`);
    await expect(grid.locator('[role="row"][aria-selected="true"] [role="gridcell"]').nth(7)).toHaveText('1', { timeout: 5000 });

    // A resource limit, edited from the Limits tab and confirmed with the exact change.
    await details.getByRole('tab', { name: 'Limits' }).click();
    await details.getByRole('button', { name: 'Edit Max open files' }).click();
    const limit = page.getByRole('dialog', { name: 'Change limit: Max open files' });
    await limit.getByLabel('Soft limit').fill('512');
    await limit.getByRole('button', { name: 'Review…' }).click();
    const review = page.getByRole('dialog', { name: 'Change a resource limit' });
    await expect(review).toContainText(`Set “Max open files” of ${target} sleep 1001 to soft 512`);
    await review.getByRole('button', { name: 'Set limit' }).click();
    await expect(page.getByTestId('proc-outcome')).toContainText(`${target}: nofile soft`);
    await expect(details.getByTestId('proc-limits').locator('tr', { hasText: 'Max open files' })).toContainText('512');

    // SIGTERM through the signal menu, confirmed with the exact consequence.
    await grid.focus();
    await page.keyboard.press('k');
    const menu = page.getByRole('dialog', { name: 'Send a signal' });
    await menu.getByLabel('Find a signal').fill('term');
    await menu.getByLabel('Find a signal').press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Send SIGTERM' });
    await expect(confirm.getByTestId('signal-confirm-text')).toHaveText(`Send SIGTERM (15) to ${target} sleep 1001 — it is asked to exit and may clean up first (a program can catch or ignore this).`);
    await saveScreen(page, 'processes-signal');
    await confirm.getByRole('button', { name: 'Send SIGTERM' }).click();
    await expect(page.getByTestId('proc-outcome')).toContainText(`${target}: sent SIGTERM`);
    await expect(grid.locator(`[role="row"][data-pid="${target}"]`)).toHaveCount(0, { timeout: 10_000 });
    await expect.poll(() => alive(target)).toBe(false);
    expect(() => process.kill(target, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    await expect(details.getByTestId('proc-exited')).toBeVisible({ timeout: 10_000 });
  });

  test('changes CPU affinity, OOM adjustment and I/O priority, and the kernel agrees', async ({ page }) => {
    const pid = sleeps[1];
    await page.goto(server.info.url);
    await openView(page, 'processes');
    const filter = page.getByLabel('Filter processes');
    await filter.fill('cmd:"sleep 1002"');
    await expect(page.getByTestId('proc-grid').locator('[role="row"][data-pid]')).toHaveCount(1);
    await filter.press('Enter');
    await page.keyboard.press('Enter');
    const details = page.getByTestId('proc-details');
    await expect(details.getByTestId('proc-cmdline')).toHaveText('sleep 1002');
    const outcome = page.getByTestId('proc-outcome');

    await details.getByRole('button', { name: 'Affinity…' }).click();
    const affinity = page.getByRole('dialog', { name: 'Change CPU affinity' });
    const cpus = affinity.getByRole('checkbox');
    const count = await cpus.count();
    for (let c = 1; c < count; c++) await affinity.getByLabel(`CPU ${c}`).uncheck();
    await affinity.getByRole('button', { name: 'Set affinity' }).click();
    await expect(outcome).toContainText(`${pid}: CPUs`);
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Cpus_allowed_list:\s+0$/m);

    await details.getByRole('button', { name: 'OOM adj…' }).click();
    const oom = page.getByRole('dialog', { name: 'Change OOM score adjustment' });
    await oom.getByLabel('OOM score adjustment').fill('300');
    await oom.getByRole('button', { name: 'Set oom_score_adj' }).click();
    await expect(outcome).toContainText(`${pid}: oom_score_adj 0 → 300`);
    expect(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim()).toBe('300');

    await details.getByRole('button', { name: 'I/O priority…' }).click();
    const io = page.getByRole('dialog', { name: 'Change I/O priority' });
    await io.getByLabel('I/O class').selectOption('idle');
    await io.getByRole('button', { name: 'Set I/O priority' }).click();
    await expect(outcome).toContainText(`${pid}: I/O priority`);
    await expect(details.getByTestId('proc-overview')).toContainText(/I\/O priority\s*idle/);
  });

  test('chooses columns, keeps the choice, and sorts from the keyboard', async ({ page }) => {
    await page.goto(server.info.url);
    await openView(page, 'processes');
    const grid = page.getByTestId('proc-grid');
    await expect(grid.locator('[role="row"][data-pid]').first()).toBeVisible();
    await page.getByRole('button', { name: 'Columns ▾' }).click();
    await page.getByRole('group', { name: 'Columns' }).getByRole('checkbox', { name: /^WChan/ }).check();
    await page.getByRole('group', { name: 'Columns' }).getByRole('checkbox', { name: /^User/ }).uncheck();
    await saveScreen(page, 'processes-columns');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('group', { name: 'Columns' })).toBeHidden();
    await page.getByRole('button', { name: 'Filter help' }).click();
    await expect(page.getByRole('dialog', { name: 'Filter language' })).toContainText('rss');
    await saveScreen(page, 'processes-filter-help');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog', { name: 'Filter language' })).toBeHidden();
    await expect(grid.locator('[role="columnheader"][data-col="wchan"]')).toBeVisible();
    await expect(grid.locator('[role="columnheader"][data-col="user"]')).toHaveCount(0);
    await page.reload();
    await openView(page, 'processes');
    await expect(grid.locator('[role="columnheader"][data-col="wchan"]')).toBeVisible();
    await expect(grid.locator('[role="columnheader"][data-col="user"]')).toHaveCount(0);

    // > and < move the sort to the next / previous column, i inverts it.
    await grid.focus();
    const sorted = grid.locator('[role="columnheader"][aria-sort$="ending"]');
    const before = await sorted.getAttribute('data-col');
    await page.keyboard.press('>');
    await expect(sorted).not.toHaveAttribute('data-col', before!);
    await page.keyboard.press('<');
    await expect(sorted).toHaveAttribute('data-col', before!);
    const dir = await sorted.getAttribute('aria-sort');
    await page.keyboard.press('i');
    await expect(sorted).not.toHaveAttribute('aria-sort', dir!);

    // The selection moves by row, page and to either end, and the table keeps it in view.
    const count = Number(await grid.getAttribute('aria-rowcount'));
    await page.keyboard.press('Home');
    await expect(grid).toHaveAttribute('aria-activedescendant', 'proc-row-0');
    await page.keyboard.press('ArrowDown');
    await expect(grid).toHaveAttribute('aria-activedescendant', 'proc-row-1');
    await page.keyboard.press('PageDown');
    await expect(grid).not.toHaveAttribute('aria-activedescendant', /^proc-row-[01]$/);
    await page.keyboard.press('End');
    await expect(grid.locator('[role="row"][aria-selected="true"]')).toBeInViewport();
    expect(Number((await grid.getAttribute('aria-activedescendant'))!.replace('proc-row-', ''))).toBeGreaterThanOrEqual(count - 3);
  });

  test('runs a command detached, never through a shell, and shows its output', async ({ page }) => {
    await page.goto(server.info.url);
    await openView(page, 'processes');
    await expect(page.getByTestId('proc-grid')).toBeVisible();
    await page.keyboard.press('r');
    const dialog = page.getByRole('dialog', { name: 'Run a command' });
    // A program that does not exist: the dialog stays open and says why, with the code.
    await dialog.getByLabel('Command line').fill('no-such-program-vantage --flag');
    await dialog.getByRole('button', { name: 'Run detached' }).click();
    await expect(dialog.getByTestId('run-error')).toContainText('NOT_FOUND');
    await dialog.getByLabel('Command line').fill(`echo "two  words" $HOME '|' done`);
    await expect(dialog.getByTestId('run-argv').locator('.proc-chip')).toHaveText(['echo', 'two  words', '$HOME', '|', 'done']);
    await dialog.getByLabel('Working directory').fill(dir);
    await dialog.getByRole('button', { name: 'Run detached' }).click();
    const launched = page.getByTestId('proc-launched');
    await expect(launched.getByTestId('launch-output')).toContainText('two  words $HOME | done');
    await expect(launched.getByTestId('launch-output')).toContainText('exit 0');
    await saveScreen(page, 'processes-launched');

    // The same dialog can hand the command to a Terminal tab instead, and switches to it.
    await page.keyboard.press('r');
    await dialog.getByLabel('Command line').fill(`echo vantage-from-processes`);
    await dialog.getByRole('button', { name: 'Run in terminal' }).click();
    await expect(page.locator('main[data-view="terminal"]')).toBeVisible();
    await expect(page.locator('.xterm-rows')).toContainText('vantage-from-processes', { timeout: 20_000 });
  });

  test('scrolls the whole table smoothly while snapshots stream', async ({ page }) => {
    // At least a thousand rows, whatever else runs on the machine.
    const extra = Array.from({ length: 1000 }, () => spawn('sleep', ['1000'], { stdio: 'ignore' }));
    test.info().attach('extra processes', { body: String(extra.length) });
    try {
      await scrollAndMeasure(page);
    } finally {
      for (const c of extra) c.kill('SIGKILL');
    }
  });

  async function scrollAndMeasure(page: Page) {
    await page.goto(server.info.url);
    await openView(page, 'processes');
    const grid = page.getByTestId('proc-grid');
    await expect(grid.locator('[role="row"][data-pid]').first()).toBeVisible();
    await expect.poll(async () => Number(await grid.getAttribute('aria-rowcount')), { timeout: 10_000 }).toBeGreaterThan(1000);
    const measure = (scroll: boolean) =>
      grid.evaluate(
        (el, scroll) =>
          new Promise<{ frames: number[]; longTasks: number[] }>((resolve) => {
            const frames: number[] = [];
            const longTasks: number[] = [];
            const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
            obs.observe({ type: 'longtask' });
            let last = performance.now();
            const end = last + 4000;
            let dir = 1;
            const step = (now: number) => {
              frames.push(now - last);
              last = now;
              if (scroll) {
                el.scrollTop += dir * 60;
                if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) dir = -1;
                else if (el.scrollTop <= 0) dir = 1;
              }
              if (now < end) requestAnimationFrame(step);
              else {
                obs.disconnect();
                resolve({ frames: frames.slice(1), longTasks });
              }
            };
            requestAnimationFrame(step);
          }),
        scroll,
      );
    const line = (name: string, m: { frames: number[]; longTasks: number[] }) =>
      `${name}: ${m.frames.length} frames, p95 ${p(m.frames, 0.95).toFixed(1)} ms, max ${p(m.frames, 1).toFixed(1)} ms, long tasks ${m.longTasks.length} (max ${p(m.longTasks, 1).toFixed(0)} ms)`;
    const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? 0;
    const idle = await measure(false);
    console.log(line('idle', idle));
    // Noisy shared machines: a generous bound here (bench/processes/scroll.ts measures the strict
    // max). When even the idle page misses frames, the machine is too busy for frame times to say
    // anything about the view: the numbers are logged and the assertion is skipped.
    const idleP95 = p(idle.frames, 0.95);
    test.skip(idleP95 > 40, `the machine is saturated (idle p95 frame ${idleP95.toFixed(0)} ms): frame times would measure it, not the view`);
    const moving = await measure(true);
    console.log(line('scroll', moving));
    // Frames come in vsync steps (16.7, 33.3, 50.0 ms): a long frame is one beyond 50 ms.
    expect(p(moving.frames, 0.95)).toBeLessThanOrEqual(50.5);
  }
});

/**
 * The same view for a user who is not root: root's processes are listed, their private parts
 * say why they cannot be read, and acting on them explains how privilege would be granted.
 */
test.describe('Processes as an ordinary user', () => {
  const user = `vprocs${process.pid}`;
  let dataDir: string;
  let serve: ChildProcess;
  let url: string;
  let rootSleep: ChildProcess;

  test.beforeAll(async () => {
    const add = spawnSync('useradd', ['-M', '-s', '/usr/sbin/nologin', user], { encoding: 'utf8' });
    if (add.status !== 0) throw new Error(`useradd ${user} failed: ${add.stderr}`);
    const info = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const uid = Number(info.stdout.trim());
    dataDir = mkdtempSync(join(tmpdir(), 'vantage-e2e-user-'));
    chownSync(dataDir, uid, uid);
    rootSleep = spawn('sleep', ['1004'], { stdio: 'ignore', env: { ...process.env, VANTAGE_E2E_SECRET: 'root-only' } });
    serve = spawn('runuser', ['-u', user, '--', process.execPath, 'bin/vantage.mjs', 'serve', '--json', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dataDir, VANTAGE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: serve.stdout! }).once('line', resolve);
      serve.once('exit', (code) => reject(new Error(`vantage serve as ${user} exited with ${code}`)));
    });
    url = (JSON.parse(line) as { url: string }).url;
  });
  test.afterAll(async () => {
    for (const c of [serve, rootSleep]) {
      if (!c || c.exitCode !== null || c.signalCode !== null) continue;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    }
    // runuser's child may outlive it for a moment; userdel refuses a user with processes.
    spawnSync('pkill', ['-KILL', '-u', user]);
    spawnSync('userdel', [user]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("says why root's process details are unreadable and how to act on them", async ({ page }) => {
    await page.goto(url);
    await expect(page.getByTestId('connection')).toHaveText('connected');
    await openView(page, 'processes');
    const filter = page.getByLabel('Filter processes');
    await filter.fill(`pid=${rootSleep.pid}`);
    const grid = page.getByTestId('proc-grid');
    await expect(grid.locator('[role="row"][data-pid]')).toHaveCount(1);
    await expect(grid.locator('[role="row"][data-pid]')).toContainText('root');
    await filter.press('Enter');
    await page.keyboard.press('Enter');
    const details = page.getByTestId('proc-details');
    await expect(details.getByTestId('proc-cmdline')).toHaveText('sleep 1004');
    await expect(details.getByTestId('unreadable-cwd')).toContainText('needs privilege');
    await details.getByRole('tab', { name: 'Environment' }).click();
    await expect(details.getByTestId('unreadable-environment')).toContainText(/needs privilege: .*EACCES/);
    await expect(details).not.toContainText('root-only');
    await details.getByRole('tab', { name: 'Files' }).click();
    await expect(details.getByTestId('unreadable-fds')).toContainText('needs privilege');

    // SIGWINCH is harmless (ignored by default) and not confirmed; refused here, with the way to
    // allow it. (Not SIGCONT: the kernel lets any process of the same session send that one.)
    await grid.focus();
    await page.keyboard.press('k');
    const menu = page.getByRole('dialog', { name: 'Send a signal' });
    await menu.getByLabel('Find a signal').fill('SIGWINCH');
    await menu.getByLabel('Find a signal').press('Enter');
    const banner = page.getByRole('alert').filter({ hasText: String(rootSleep.pid) });
    await expect(banner).toHaveAttribute('data-code', /NEEDS_PRIVILEGE|EPERM/);
    await expect(page.getByTestId('proc-privilege')).toContainText('Privilege path here:');
    await saveScreen(page, 'processes-unprivileged');
  });
});
