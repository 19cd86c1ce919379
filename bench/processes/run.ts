// The process reader next to its peers, with 1000 extra processes running: one full native
// snapshot vs `ps -eo pid,ppid,user,stat,nlwp,rss,vsz,ni,comm,args` (spawned, output read fully)
// vs systeminformation.processes(), plus the TypeScript fallback; then the collector at 1 Hz for
// --seconds N (default 60; 10 when run by bench/run.ts) as a share of one core.
// Targets: native ≤ 0.5× ps, ≥ 20× faster than systeminformation, collector < 1% of a core.
// Run: node --import tsx bench/processes/run.ts [--seconds N] [--extra N]
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import si from 'systeminformation';
import { ProcessCollector } from '../../electron/services/processes/reading/collector';
import { createFallbackReader } from '../../electron/services/processes/reading/fallback';
import { openReader } from '../../electron/services/processes/reading/reader';
import { PolledSource } from '../../electron/services/scheduler/polled-source';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** bench/run.ts runs every benchmark in a row: keep the 1 Hz phase short there. */
function runByBenchSuite(): boolean {
  try {
    return readFileSync(`/proc/${process.ppid}/cmdline`, 'latin1').includes('bench/run.ts');
  } catch {
    return false;
  }
}

const SECONDS = option('seconds', runByBenchSuite() ? 10 : 60);
const EXTRA = option('extra', 1000);

const children: ChildProcess[] = [];
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

async function spawnSleepers(n: number) {
  for (let done = 0; done < n; ) {
    const batch = Math.min(50, n - done);
    await Promise.all(
      Array.from({ length: batch }, () => {
        const c = spawn('sleep', ['600'], { stdio: 'ignore' });
        children.push(c);
        return new Promise<void>((resolve, reject) => {
          c.once('spawn', resolve);
          c.once('error', reject);
        });
      }),
    );
    done += batch;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU ms used so far by this process and by its children that have exited (ps runs). */
function cpuMs(): { self: number; children: number } {
  const f = readFileSync('/proc/self/stat', 'latin1').split(') ')[1].split(' ');
  // Fields 16 and 17 of proc(5) (cutime, cstime) are rest[13] and rest[14], in clock ticks.
  const children = ((Number(f[13]) + Number(f[14])) / 100) * 1000;
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1000, children };
}

/** Median wall time per run, and mean CPU per run (this process plus any children it waited for). */
async function time(runs: number, fn: () => number | Promise<number>, gapMs = 0): Promise<{ ms: number; cpu: number; rows: number }> {
  await fn(); // warm up: page cache of /proc paths, the JIT, the peer's binary
  const times: number[] = [];
  let rows = 0;
  let cpu = 0;
  for (let i = 0; i < runs; i++) {
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    const c0 = cpuMs();
    const t0 = performance.now();
    rows = await fn();
    times.push(performance.now() - t0);
    const c1 = cpuMs();
    cpu += c1.self - c0.self + (c1.children - c0.children);
  }
  return { ms: median(times), cpu: cpu / runs, rows };
}

const PS_ARGS = ['-eo', 'pid,ppid,user,stat,nlwp,rss,vsz,ni,comm,args'];
const psOnce = () =>
  new Promise<number>((resolve, reject) =>
    execFile('ps', PS_ARGS, { maxBuffer: 256 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout.split('\n').length - 2))),
  );

async function main() {
  const reader = openReader();
  if (reader.kind !== 'native') console.log(`note: native reader unavailable (${reader.reason}); "native" rows use the fallback`);
  process.stdout.write(`spawning ${EXTRA} extra processes (sleep 600)... `);
  await spawnSleepers(EXTRA);
  console.log('done');

  const collector = new ProcessCollector(reader);
  const fallback = new ProcessCollector(createFallbackReader('benchmark comparison'));
  collector.sample();
  fallback.sample();

  const rows: { what: string; ms: number; cpu: number; rows: number }[] = [];
  rows.push({ what: 'native snapshot (read + rates + columns)', ...(await time(30, () => collector.sample().table.count)) });
  rows.push({ what: 'native batch read alone (readProcesses)', ...(await time(30, () => reader.readAll().count)) });
  // What a one-shot caller (vantage ps) pays: nothing kept open from a previous read.
  rows.push({
    what: 'native cold read (every file opened afresh)',
    ...(await time(10, () => {
      reader.release();
      return reader.readAll().count;
    })),
  });
  rows.push({ what: 'fallback snapshot (TypeScript reader)', ...(await time(5, () => fallback.sample().table.count)) });
  const ps = await time(10, psOnce);
  rows.push({ what: 'peer: ps -eo pid,ppid,...,comm,args', ...ps });
  // systeminformation hands back its previous result when called again within 500 ms: space the runs.
  const sys = await time(3, async () => (await si.processes()).list.length, 700);
  rows.push({ what: 'peer: systeminformation.processes()', ...sys });

  console.log('');
  console.log(`${'what'.padEnd(44)} ${'median ms'.padStart(10)} ${'CPU ms'.padStart(8)} ${'rows'.padStart(6)}  × ps`);
  for (const r of rows) {
    console.log(`${r.what.padEnd(44)} ${r.ms.toFixed(2).padStart(10)} ${r.cpu.toFixed(1).padStart(8)} ${String(r.rows).padStart(6)}  ${(r.ms / ps.ms).toFixed(3)}`);
  }
  console.log('(× ps compares wall time; CPU ms is user + system of this process and of the peers it spawned)');
  console.log('');
  const native = rows[0].ms;
  collector.sample(); // reopen what the cold runs released
  console.log(`${'native snapshot against'.padEnd(44)} ${'speedup'.padStart(10)}`);
  console.log(`${'ps (target ≥ 2×)'.padEnd(44)} ${(ps.ms / native).toFixed(1).padStart(9)}×`);
  console.log(`${'systeminformation (target ≥ 20×)'.padEnd(44)} ${(sys.ms / native).toFixed(1).padStart(9)}×`);
  console.log(`${'fallback reader'.padEnd(44)} ${(rows[3].ms / native).toFixed(1).padStart(9)}×`);

  // The collector as the app runs it: a PolledSource at 1 Hz, measuring its own CPU per tick.
  console.log('');
  console.log(`collector at 1 Hz for ${SECONDS} s (${collector.sample().table.count} processes)...`);
  const source = new PolledSource('processes', () => collector.sample(), true);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const stop = source.subscribe(1000, () => {});
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  stop();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  const cost = source.cost();
  const tickShare = (cost.meanCpuMs / 1000) * 100;
  const processShare = ((used.user + used.system) / 1000 / wallMs) * 100;
  console.log(`  ticks ${cost.ticks}, mean tick: ${cost.meanCpuMs.toFixed(2)} ms CPU, ${cost.meanWallMs.toFixed(2)} ms wall`);
  console.log(`  CPU of the ticks: ${tickShare.toFixed(2)}% of one core (target < 1%)`);
  console.log(`  CPU of this whole process meanwhile (timers, GC included): ${processShare.toFixed(2)}% of one core`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
