// Duplicate search: our engine (native walk + XXH64 hashing, as `vantage dupes` and the Disk view
// use it) next to `jdupes -r` and `rdfind -dryrun true` on one generated tree, warm page cache
// (median of runs), then with --cold a cold page cache (root only: drop_caches before each run,
// which slows everything else on the machine, hence opt-in), where ours also runs with its hash
// cache warm. Checks that our groups equal jdupes' before timing.
// Run: node --import tsx bench/dupes/run.ts [--files N] [--runs N] [--cold] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashCache } from '../../electron/services/disk/dupes/cache';
import { defaultEngine } from '../../electron/services/disk/dupes/engine';
import { DupeSearch } from '../../electron/services/disk/dupes/find';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const FILES = opt('files', 20_000);
const RUNS = opt('runs', 3);
const cold = args.includes('--cold') && process.getuid?.() === 0;

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** FILES files in 1 000-ish folders: sizes log-spread 1 KiB–128 KiB, ~20% copies, 12 large files (3 copied pairs). */
function makeTree(root: string): { bytes: number } {
  const rand = rng(42);
  const folders = Math.max(10, Math.round(FILES / 30));
  for (let d = 0; d < folders; d++) mkdirSync(join(root, `d${Math.floor(d / 20)}`, `f${d}`), { recursive: true });
  const originals: Buffer[] = [];
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `d${Math.floor((i % folders) / 20)}`, `f${i % folders}`);
    let data: Buffer;
    if (originals.length > 10 && rand() < 0.2) {
      data = originals[Math.floor(rand() * originals.length)];
    } else {
      const size = Math.floor(1024 * Math.pow(128, rand()));
      data = Buffer.allocUnsafe(size);
      for (let k = 0; k + 4 <= size; k += 4) data.writeUInt32LE((rand() * 2 ** 32) >>> 0, k);
      originals.push(data);
    }
    writeFileSync(join(dir, `file${i}.dat`), data);
    bytes += data.length;
  }
  for (let i = 0; i < 12; i++) {
    const size = 24 << 20;
    const data = Buffer.alloc(size, i % 6);
    data.writeUInt32LE(i % 6, size - 8); // pairs 0/6, 1/7, 2/8 equal; 3/9, 4/10, 5/11 too, differ from the rest
    writeFileSync(join(root, `d0`, `large${i}.bin`), data);
    bytes += size;
  }
  return { bytes };
}

function dropCaches(): void {
  execFileSync('sync');
  writeFileSync('/proc/sys/vm/drop_caches', '3');
}

async function ours(root: string, cache: HashCache | null): Promise<{ ms: number; groups: number; files: number }> {
  const t0 = performance.now();
  const s = new DupeSearch(defaultEngine(), cache);
  const out = await s.run({ roots: [root], minSize: 1, oneFileSystem: false, excludes: [], threads: 4, hashThreads: 4 });
  return { ms: performance.now() - t0, groups: out.groups.length, files: out.groups.reduce((n, g) => n + g.files.length, 0) };
}

function tool(cmd: string, argv: string[]): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { maxBuffer: 1 << 30, encoding: 'utf8', cwd: tmpdir() });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout };
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'vantage-bench-dupes-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'vantage-bench-dupes-cache-'));
  try {
    const { bytes } = makeTree(root);
    const engine = defaultEngine();
    if (engine.name !== 'native') console.log('the native addon did not load (npm run build:native): measuring the Node fallback');
    console.log(`tree: ${FILES + 12} files, ${(bytes / 2 ** 20).toFixed(0)} MiB; engine: ${engine.name}; runs: ${RUNS}`);
    const peers: { name: string; run: () => { ms: number; out: string } }[] = [];
    if (has('jdupes')) peers.push({ name: 'jdupes -r', run: () => tool('jdupes', ['-r', '-q', root]) });
    else console.log('jdupes not installed (apt-get install jdupes): skipped');
    if (has('rdfind')) {
      const results = join(cacheDir, 'rdfind-results.txt');
      peers.push({ name: 'rdfind -dryrun true', run: () => tool('rdfind', ['-dryrun', 'true', '-outputname', results, root]) });
    } else console.log('rdfind not installed (apt-get install rdfind): skipped');

    // Same answer first.
    const mine = await ours(root, null);
    if (has('jdupes')) {
      const j = tool('jdupes', ['-r', '-q', root]).out.split('\n\n').filter((g) => g.trim());
      const jFiles = j.reduce((n, g) => n + g.trim().split('\n').length, 0);
      console.log(`groups: ours ${mine.groups} (${mine.files} files), jdupes ${j.length} (${jFiles} files)`);
    }

    const rows: { label: string; ms: number }[] = [];
    const warm = async (label: string, fn: () => Promise<number> | number) => {
      await fn();
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push(await fn());
      rows.push({ label, ms: median(times) });
    };
    await warm(`ours (${engine.name}, no hash cache)`, async () => (await ours(root, null)).ms);
    const cache = new HashCache(join(cacheDir, 'hashcache.db'), engine.algo);
    await ours(root, cache);
    await warm('ours (hash cache warm)', async () => (await ours(root, cache)).ms);
    for (const p of peers) await warm(p.name, () => p.run().ms);

    const print = (title: string, list: { label: string; ms: number }[]) => {
      const base = list[0].ms;
      console.log(`\n${title}`);
      console.log(`${'what'.padEnd(36)} ${'ms'.padStart(10)} ${'ratio'.padStart(8)}`);
      for (const r of list) console.log(`${r.label.padEnd(36)} ${r.ms.toFixed(1).padStart(10)} ${(r.ms / base).toFixed(2).padStart(8)}`);
    };
    print('WARM PAGE CACHE (median; ratio = time / ours, above 1 means ours is faster)', rows);

    if (cold) {
      const coldRows: { label: string; ms: number }[] = [];
      dropCaches();
      coldRows.push({ label: 'ours cold (no hash cache)', ms: (await ours(root, null)).ms });
      dropCaches();
      coldRows.push({ label: 'ours cold (hash cache warm)', ms: (await ours(root, cache)).ms });
      for (const p of peers) {
        dropCaches();
        coldRows.push({ label: `${p.name} cold`, ms: p.run().ms });
      }
      print('COLD PAGE CACHE (one run each, after drop_caches)', coldRows);
    } else {
      console.log('\ncold-cache runs skipped (ask with --cold; needs root for /proc/sys/vm/drop_caches)');
    }
    cache.close();
  } finally {
    if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
    rmSync(cacheDir, { recursive: true, force: true });
    if (existsSync(join(tmpdir(), 'results.txt'))) rmSync(join(tmpdir(), 'results.txt'));
  }
}

await main();
