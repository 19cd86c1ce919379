// Scrolling the Processes table while snapshots stream: frame times in Chromium against the 50 ms
// target, next to the same page's frames when it is not scrolling (the machine's own rhythm).
// Run: node --import tsx bench/processes/scroll.ts [--extra 1000] [--seconds 10] [--trace out.json] [--profile]
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Page } from 'playwright-core';
import { startVantage } from '../../e2e/fixtures';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const EXTRA = Number(arg('extra', '1000'));
const SECONDS = Number(arg('seconds', '10'));
const TRACE = arg('trace', '');
const PROFILE = process.argv.includes('--profile');
const TARGET_MS = 50;

interface Measure {
  frames: number[];
  longTasks: number[];
  rows: number;
}

/** rAF deltas (and long tasks) for `seconds`, scrolling the table end to end when asked. */
function measure(page: Page, seconds: number, scroll: boolean): Promise<Measure> {
  return page.getByTestId('proc-grid').evaluate(
    (el, { seconds, scroll }) =>
      new Promise<Measure>((resolve) => {
        const frames: number[] = [];
        const longTasks: number[] = [];
        const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
        obs.observe({ type: 'longtask' });
        let last = performance.now();
        const end = last + seconds * 1000;
        let dir = 1;
        const step = (now: number) => {
          frames.push(now - last);
          last = now;
          if (scroll) {
            el.scrollTop += dir * 90;
            if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) dir = -1;
            else if (el.scrollTop <= 0) dir = 1;
          }
          if (now < end) requestAnimationFrame(step);
          else {
            obs.disconnect();
            resolve({ frames: frames.slice(1), longTasks, rows: Number(el.getAttribute('aria-rowcount')) });
          }
        };
        requestAnimationFrame(step);
      }),
    { seconds, scroll },
  );
}

const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] : 0);

async function main() {
  const extra: ChildProcess[] = [];
  const server = await startVantage();
  const browser = await chromium.launch({
    executablePath: process.env.VANTAGE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const cleanup = async () => {
    for (const c of extra) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await browser.close().catch(() => {});
    await server.stop();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    for (let k = 0; k < EXTRA; k++) extra.push(spawn('sleep', ['3600'], { stdio: 'ignore' }));
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // tsx keeps function names with an `__name` helper that the page does not have.
    await page.addInitScript('window.__name = (f) => f');
    await page.goto(server.info.url);
    await page.evaluate(() => (window.location.hash = '#/processes'));
    await page.getByTestId('proc-grid').locator('[role="row"][data-pid]').first().waitFor();
    // Let a few snapshots arrive so the table is at full size and the JIT is warm.
    await page.waitForTimeout(3000);

    const cdp = await page.context().newCDPSession(page);
    if (PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    if (TRACE) await browser.startTracing(page, { path: TRACE, screenshots: false });
    const idle = await measure(page, Math.min(5, SECONDS), false);
    const scroll = await measure(page, SECONDS, true);
    if (TRACE) await browser.stopTracing();

    const row = (name: string, m: Measure) => {
      const p50 = quantile(m.frames, 0.5);
      const p99 = quantile(m.frames, 0.99);
      const max = quantile(m.frames, 1);
      const over = m.frames.filter((f) => f > TARGET_MS).length;
      return `${name.padEnd(22)} ${String(m.frames.length).padStart(7)} ${p50.toFixed(1).padStart(8)} ${p99.toFixed(1).padStart(8)} ${max.toFixed(1).padStart(8)} ${(max / TARGET_MS).toFixed(2).padStart(9)} ${String(over).padStart(8)} ${String(m.longTasks.length).padStart(6)}`;
    };
    console.log(`Processes table: ${scroll.rows} rows (${EXTRA} extra sleeps), snapshots every 1 s, ${SECONDS} s of scrolling`);
    console.log(`${'case'.padEnd(22)} ${'frames'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'max/50ms'.padStart(9)} ${'>50 ms'.padStart(8)} ${'long'.padStart(6)}`);
    console.log(row('idle (no scrolling)', idle));
    console.log(row('scrolling + stream', scroll));
    const ratio = quantile(scroll.frames, 0.99) / Math.max(1, quantile(idle.frames, 0.99));
    console.log(`scroll p99 / idle p99: ${ratio.toFixed(2)}×   target: every frame ≤ ${TARGET_MS} ms → ${quantile(scroll.frames, 1) <= TARGET_MS ? 'met' : 'missed'}`);
    const load = (await import('node:os')).loadavg()[0];
    console.log(`load average during the run: ${load.toFixed(2)} on ${(await import('node:os')).cpus().length} CPUs`);
    if (TRACE) console.log(`Chrome trace: ${TRACE} (open in chrome://tracing or Perfetto)`);

    if (PROFILE) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[]; samples: number[]; timeDeltas: number[] } };
      const self = new Map<string, number>();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      profile.samples.forEach((id, k) => {
        const n = byId.get(id)!;
        const name = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
        self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000);
      });
      console.log('\nTop self time in the page (ms):');
      for (const [name, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${ms.toFixed(1).padStart(9)}  ${name}`);
    }
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
