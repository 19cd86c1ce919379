// Runs every benchmark (bench/<name>/run.ts) in turn, or only the named ones, then prints a short
// summary of the ratios each one reported. Benchmarks are not tests: they print, they do not assert.
// Run: node --import tsx bench/run.ts [NAME...] [-- ARGS passed to each benchmark]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');

/** Every bench/<name>/run.ts, sorted by name. */
export function discover(dir = benchDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'run.ts')))
    .map((d) => d.name)
    .sort();
}

/**
 * Pulls "what → ratio" pairs out of a benchmark's printed table: the column headed "ratio",
 * "speedup", "× <peer>" or "vs <peer>", read at the header's character position in each row.
 */
export function ratiosOf(output: string): { what: string; ratio: string }[] {
  const out: { what: string; ratio: string }[] = [];
  let col = -1;
  let next = -1;
  for (const line of output.split('\n')) {
    const m = /(^|\s)(ratio|speedup|× ?[a-z]*|vs [a-z]+)(?=\s{2,}|\s*$)/i.exec(line);
    if (m) {
      col = m.index + m[1].length;
      const after = line.slice(col + m[2].length).search(/\S/);
      next = after >= 0 ? col + m[2].length + after : -1;
      continue;
    }
    if (!line.trim()) {
      col = -1;
      continue;
    }
    if (col < 0) continue;
    const cell = (next > 0 ? line.slice(col, next) : line.slice(col)).trim();
    const gap = line.search(/\S\s{2,}/);
    const what = (gap >= 0 && gap < col ? line.slice(0, gap + 1) : line.slice(0, col)).trim();
    if (/\d/.test(cell) && what) out.push({ what, ratio: cell });
  }
  return out;
}

function runOne(name: string, passArgs: string[]): Promise<{ name: string; code: number; ms: number; output: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('bench', name, 'run.ts'), ...passArgs], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('error', (err) => {
      output += String(err);
    });
    child.on('close', (code, signal) => resolve({ name, code: code ?? (signal ? 128 : 1), ms: performance.now() - t0, output }));
  });
}

export async function runBenches(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const names = dash >= 0 ? argv.slice(0, dash) : argv;
  const passArgs = dash >= 0 ? argv.slice(dash + 1) : [];
  const all = discover();
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) {
    process.stderr.write(`bench: no benchmark named ${unknown.join(', ')}; there are: ${all.join(', ')}\n`);
    return 2;
  }
  const chosen = names.length ? names : all;
  const results = [];
  for (const name of chosen) {
    process.stdout.write(`\n=== bench/${name} ===\n`);
    results.push(await runOne(name, passArgs));
  }
  process.stdout.write('\n=== summary ===\n');
  for (const r of results) {
    process.stdout.write(`${r.name}: ${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`} in ${(r.ms / 1000).toFixed(1)} s\n`);
    for (const { what, ratio } of ratiosOf(r.output)) process.stdout.write(`  ${what}: ${ratio}\n`);
  }
  return results.every((r) => r.code === 0) ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runBenches(process.argv.slice(2));
}
