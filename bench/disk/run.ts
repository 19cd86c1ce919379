// Disk scan speed: Vantage's scanner (native walker, and the fs fallback once) next to `gdu -n -p`
// and `du -s` on the same folders, in the same run: a generated tree and /usr. Warm cache: each
// tool runs once untimed, then the timed runs are interleaved so load changes hit all alike, and
// the best run of each counts.
// "vantage scan" is the work du and gdu do (sizes); "+ types by content" also reads the first
// 512 bytes of every file of 64 KiB or more, as the Disk view does. "cpu ms" is user + system
// time of all threads: on a shared machine it says more about cost than wall time does.
// "vs gdu" / "vs du" are speedups (their time ÷ ours; > 1: we are faster). Our time is the scan in
// this process; theirs include starting their process (a few ms).
// Run: node --import tsx bench/disk/run.ts [--entries N] [--runs R] [--no-usr] [--cold]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scan } from '../../electron/services/disk/scan/scan';
import { ensureTree } from './tree-gen';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`);
  return v;
}

// The first run builds the 500k-entry tree (about a minute, ~2 GB on disk); later runs reuse it.
const entries = argValue('--entries', 500_000);
const runs = argValue('--runs', 5);
const withUsr = !process.argv.includes('--no-usr');
/** --cold: also one run each after dropping the page cache (needs root; off by default). */
const cold = process.argv.includes('--cold');

const hasGdu = spawnSync('gdu', ['--version'], { stdio: 'ignore' }).status === 0;

/** CPU time (user + system, all threads) of this process, ms. */
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** CPU time of waited-for children (cutime + cstime from /proc/self/stat), ms. */
const childCpu = () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
};

interface Timing {
  ms: number;
  cpuMs: number;
}

async function ourScan(root: string, engine: 'native' | 'fs', classifyMinSize?: number) {
  const c0 = ownCpu();
  const t0 = performance.now();
  const scan = new Scan('sb', root, { engine, classifyMinSize });
  await scan.whenDone();
  const ms = performance.now() - t0;
  return { ms, cpuMs: ownCpu() - c0, summary: scan.summary(), engine: scan.engine };
}

function timeProcess(cmd: string, args: string[]): Timing {
  const c0 = childCpu();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  return { ms, cpuMs: childCpu() - c0 };
}

/** The fastest run: on a shared machine the others measure the neighbours as much as the tool. */
const best = (xs: Timing[]): Timing => [...xs].sort((a, b) => a.ms - b.ms)[0];

interface Row {
  target: string;
  tool: string;
  ms: number;
  cpuMs: number;
  entries?: number;
  bytesPerEntry?: number;
  exact?: string;
}

async function measure(label: string, root: string): Promise<Row[]> {
  const duKiB = Number(execFileSync('du', ['-s', root], { encoding: 'utf8' }).split('\t')[0]);
  const duBytes = Number(execFileSync('du', ['-sB1', root], { encoding: 'utf8' }).split('\t')[0]);
  // Warm the page cache and the JIT; not timed.
  await ourScan(root, 'native', -1);
  if (hasGdu) timeProcess('gdu', ['-n', '-p', root]);
  timeProcess('du', ['-s', root]);
  const sizes: Timing[] = [];
  const typed: Timing[] = [];
  const gdu: Timing[] = [];
  const du: Timing[] = [];
  // Other work on a shared machine may drop the caches (another benchmark's cold runs): an
  // untimed `du -s` right before each timed run puts the folders and inodes back.
  const rewarm = () => spawnSync('du', ['-s', root], { stdio: 'ignore' });
  let last = await ourScan(root, 'native');
  for (let r = 0; r < runs; r++) {
    rewarm();
    last = await ourScan(root, 'native', -1);
    sizes.push(last);
    rewarm();
    typed.push(await ourScan(root, 'native'));
    rewarm();
    if (hasGdu) gdu.push(timeProcess('gdu', ['-n', '-p', root]));
    rewarm();
    du.push(timeProcess('du', ['-s', root]));
  }
  rewarm();
  const fallback = await ourScan(root, 'fs', -1);
  const n = last.summary.files + last.summary.dirs;
  const exact = (alloc: number) => (alloc === duBytes && Math.ceil(alloc / 1024) >= duKiB - 1 ? 'yes' : `no (${alloc} vs du ${duBytes})`);
  const rows: Row[] = [
    {
      target: label,
      tool: `vantage scan (${last.engine})`,
      ...best(sizes),
      entries: n,
      bytesPerEntry: last.summary.bytesPerEntry,
      exact: exact(last.summary.allocatedBytes),
    },
    { target: label, tool: 'vantage scan + types by content', ...best(typed), entries: n },
    { target: label, tool: 'vantage scan (fs fallback, 1 run)', ms: fallback.ms, cpuMs: fallback.cpuMs, entries: n, exact: exact(fallback.summary.allocatedBytes) },
  ];
  if (hasGdu) rows.push({ target: label, tool: 'gdu -n -p', ...best(gdu) });
  rows.push({ target: label, tool: 'du -s', ...best(du) });
  if (cold) {
    // One run each from a cold cache (root only; this slows everyone on the machine for a while).
    const drop = () => writeFileSync('/proc/sys/vm/drop_caches', '3');
    drop();
    const ours = await ourScan(root, 'native', -1);
    rows.push({ target: `${label} cold`, tool: 'vantage scan (native)', ms: ours.ms, cpuMs: ours.cpuMs, entries: n });
    if (hasGdu) {
      drop();
      rows.push({ target: `${label} cold`, tool: 'gdu -n -p', ...timeProcess('gdu', ['-n', '-p', root]) });
    }
    drop();
    rows.push({ target: `${label} cold`, tool: 'du -s', ...timeProcess('du', ['-s', root]) });
    rewarm();
  }
  return rows;
}

async function main() {
  const dir = await ensureTree(join(tmpdir(), `vantage-bench-disk-${entries}`), entries, (s) => process.stderr.write(s));
  const rows = await measure(`tree ${entries / 1000}k`, dir);
  if (withUsr) rows.push(...(await measure('/usr', '/usr')));
  const out: string[] = [];
  out.push(`disk scan, warm cache, best of ${runs} runs${hasGdu ? '' : ' (gdu is not installed: apt-get install gdu)'}`);
  out.push(
    `${'target'.padEnd(16)}${'tool'.padEnd(36)}${'ms'.padStart(9)}${'cpu ms'.padStart(9)}  ${'vs gdu'.padStart(8)}  ${'vs du'.padStart(8)}  ${'entries'.padStart(9)}  ${'B/entry'.padStart(8)}  exact`,
  );
  for (const target of [...new Set(rows.map((r) => r.target))]) {
    const group = rows.filter((r) => r.target === target);
    const gdu = group.find((r) => r.tool.startsWith('gdu'));
    const du = group.find((r) => r.tool.startsWith('du'))!;
    for (const r of group) {
      const vsGdu = gdu ? `${(gdu.ms / r.ms).toFixed(2)}×` : '–';
      const vsDu = `${(du.ms / r.ms).toFixed(2)}×`;
      out.push(
        `${target.padEnd(16)}${r.tool.padEnd(36)}${r.ms.toFixed(0).padStart(9)}${r.cpuMs.toFixed(0).padStart(9)}  ${vsGdu.padStart(8)}  ${vsDu.padStart(8)}  ${String(r.entries ?? '').padStart(9)}  ${String(r.bytesPerEntry ?? '').padStart(8)}  ${r.exact ?? ''}`,
      );
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

await main();
