// The Overview's own cost and responsiveness, measured the way the app runs:
//  1. services started as the app starts them (history recording on) with the overview stream
//     subscribed at 1 Hz for N seconds (default 60): CPU time of the collectors and of the whole
//     main side, and its RSS; `top -b -d 1` runs over the same window as the peer tool.
//  2. browser mode: `vantage serve` + Chromium, time from page.goto to the CPU figure showing a
//     live value; median of 5 page loads.
// Run: node --import tsx bench/overview/run.ts [--seconds N] [--loads N] [--no-browser]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { contract } from '../../electron/contract';
import { createDispatcher } from '../../electron/rpc/dispatcher';
import { createServices } from '../../electron/services';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
};
const seconds = opt('seconds', 60);
const loads = Math.round(opt('loads', 5));
const browser = !args.includes('--no-browser');
const CLK_TCK = 100;
const PAGE = 4096;

interface Row {
  what: string;
  vantage: string;
  peer: string;
  ratio: string;
  target: string;
}
const rows: Row[] = [];
const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** CPU seconds (user+system) and RSS of another process, from /proc/<pid>/stat. */
function procUsage(pid: number): { cpuSec: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpuSec: (Number(f[11]) + Number(f[12])) / CLK_TCK, rssBytes: Number(f[21]) * PAGE };
  } catch {
    return null;
  }
}

async function collectorsAndRss(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-bench-overview-'));
  const services = createServices({ dataDir: dir, record: true });
  const dispatcher = createDispatcher(contract, services.handlers);
  const abort = new AbortController();
  let events = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sub = await dispatcher.subscribe('system.snapshots', { intervalMs: 1000 }, () => events++, { clientId: 'bench', signal: abort.signal });
  if (!sub.ok) throw new Error(`system.snapshots: ${sub.error.message}`);

  // The peer: top refreshing once a second over the same window, output discarded.
  let top: ChildProcess | null = spawn('top', ['-b', '-d', '1', '-n', String(Math.ceil(seconds) + 1)], { stdio: ['ignore', 'ignore', 'ignore'] });
  top.on('error', () => (top = null));
  let topLast: { cpuSec: number; rssBytes: number } | null = null;
  let rssMax = 0;
  const poll = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
    if (top?.pid) topLast = procUsage(top.pid) ?? topLast;
  }, 500);
  process.stderr.write(`overview: measuring for ${seconds} s…\n`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(poll);
  if (top?.pid) topLast = procUsage(top.pid) ?? topLast;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  sub.value();
  abort.abort();
  top?.kill();
  const rss = process.memoryUsage().rss;
  rssMax = Math.max(rssMax, rss);

  const costs = services.collectors.costs();
  const collectorCpuMs = costs.reduce((sum, c) => sum + c.meanCpuMs * c.ticks, 0);
  const collectorPct = (collectorCpuMs / wallMs) * 100;
  const mainPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  const topPct = topLast ? ((topLast.cpuSec * 1000) / wallMs) * 100 : NaN;
  const perTick = costs
    .filter((c) => c.ticks > 0)
    .map((c) => `${c.name} ${fmt(c.meanCpuMs, 3)} ms/tick×${c.ticks}`)
    .join(', ');

  rows.push({ what: `collectors CPU, % of one core (${perTick})`, vantage: fmt(collectorPct, 3), peer: `top ${fmt(topPct, 3)}`, ratio: fmt(collectorPct / topPct), target: '< 1' });
  for (const c of costs.filter((c) => c.ticks > 0)) {
    const pct = ((c.meanCpuMs * c.ticks) / wallMs) * 100;
    rows.push({ what: `  collector ${c.name}, % of one core`, vantage: fmt(pct, 3), peer: `top ${fmt(topPct, 3)}`, ratio: fmt(pct / topPct), target: '' });
  }
  rows.push({ what: 'main side CPU incl. history writes, % of one core', vantage: fmt(mainPct, 3), peer: `top ${fmt(topPct, 3)}`, ratio: fmt(mainPct / topPct), target: '< 1' });
  rows.push({
    what: 'main side RSS, MB (max over run)',
    vantage: fmt(rssMax / 2 ** 20, 1),
    peer: `top ${topLast ? fmt(topLast.rssBytes / 2 ** 20, 1) : 'n/a'}`,
    ratio: topLast ? fmt(rssMax / topLast.rssBytes) : 'n/a',
    target: '< 150',
  });
  rows.push({ what: 'overview events delivered', vantage: String(events), peer: '', ratio: '', target: `≈ ${Math.floor(seconds)}` });
  await services.close();
  rmSync(dir, { recursive: true, force: true });
}

async function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/vantage.mjs', 'serve', '--json', '--port', '0'], {
    env: { ...process.env, VANTAGE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`vantage serve exited with ${code}`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

async function browserTimeToLiveData(): Promise<void> {
  if (!existsSync('dist/renderer/index.html')) {
    rows.push({ what: 'browser mode: page.goto → live CPU figure', vantage: 'skipped', peer: '', ratio: '', target: 'run npm run build:renderer' });
    return;
  }
  const chromium = '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    rows.push({ what: 'browser mode: page.goto → live CPU figure', vantage: 'skipped', peer: '', ratio: '', target: `${chromium} missing` });
    return;
  }
  const { chromium: pw } = await import('playwright-core');
  const dataDir = mkdtempSync(join(tmpdir(), 'vantage-bench-serve-'));
  const { child, url } = await startServe(dataDir);
  const b = await pw.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
  const times: number[] = [];
  try {
    for (let i = 0; i < loads; i++) {
      const context = await b.newContext();
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(url);
      await page.getByTestId('cpu-total').filter({ hasText: /\d+\.\d%/ }).waitFor({ timeout: 15_000 });
      times.push(performance.now() - t0);
      await context.close();
    }
  } finally {
    await b.close();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  rows.push({
    what: `browser mode: page.goto → live CPU figure, ms (median of ${loads}; ${sorted.map((t) => t.toFixed(0)).join(' ')})`,
    vantage: fmt(median, 0),
    peer: 'target 1500',
    ratio: fmt(median / 1500),
    target: '< 1500',
  });
}

await collectorsAndRss();
if (browser) await browserTimeToLiveData();

const cols: (keyof Row)[] = ['what', 'vantage', 'peer', 'ratio', 'target'];
const width = (k: keyof Row) => Math.max(k.length, ...rows.map((r) => r[k].length));
const line = (r: Record<keyof Row, string>) => cols.map((k) => r[k].padEnd(width(k))).join('  ');
console.log(`\nOverview (${seconds} s at 1 Hz, history recording on)`);
console.log(line({ what: 'what', vantage: 'vantage', peer: 'peer', ratio: 'ratio', target: 'target' }));
for (const r of rows) console.log(line(r));
