#!/usr/bin/env node
// Builds the N-API addons (node-gyp) and the C helper programs under native/. Run by `npm install`.
// A failed build does not fail the install: the features that need the native piece report
// themselves unavailable with the reason, and this script says which system package is missing.
// `--strict` (used by tests and CI) fails instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const failures = [];

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    failures.push(`${what}: ${r.error ? r.error.message : `exit ${r.status}`}`);
    return false;
  }
  return true;
}

// node-gyp ships with npm; prefer the project's copy so the version is pinned.
const gyp = existsSync(join(root, 'node_modules/node-gyp/bin/node-gyp.js'))
  ? [process.execPath, [join(root, 'node_modules/node-gyp/bin/node-gyp.js')]]
  : ['npx', ['node-gyp']];
// binding.gyp picks each addon's sources up by glob; with none present there is nothing to build.
const addonDirs = ['proc', 'disk'].filter((d) => {
  const dir = join(root, 'native', 'addon', d);
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.cc'));
});
// configure + build rather than rebuild: rebuild deletes build/ first, which pulls loaded addons
// and the helper out from under anything running from this checkout while it builds.
if (addonDirs.length && run(gyp[0], [...gyp[1], 'configure'], 'native addons (node-gyp configure)')) {
  run(gyp[0], [...gyp[1], 'build', '-j', 'max'], 'native addons (node-gyp build)');
}

// The helper programs are plain C with no dependencies: one executable per folder under native/
// that has a main.c (native/helper → build/vantage-helper).
mkdirSync(join(root, 'build'), { recursive: true });
for (const dir of ['helper', 'runtime']) {
  const src = join(root, 'native', dir);
  if (!existsSync(join(src, 'main.c'))) continue;
  const sources = readdirSync(src).filter((f) => f.endsWith('.c')).map((f) => join(src, f));
  // Built beside and renamed over, so a helper being spawned never sees a half-written file.
  const out = join(root, 'build', `vantage-${dir}`);
  if (run('cc', ['-O2', '-Wall', '-Wextra', '-std=gnu11', '-I', join(root, 'native', 'common'), '-o', `${out}.tmp`, ...sources], `vantage-${dir} (cc)`)) renameSync(`${out}.tmp`, out);
}

if (failures.length) {
  console.error(`\nvantage: some native parts did not build:\n  ${failures.join('\n  ')}`);
  console.error('Install a C/C++ toolchain and Python 3 (Debian/Ubuntu: apt-get install build-essential python3),');
  console.error('then run `npm run build:native`. Until then the features that need them say they are unavailable.');
  if (strict) process.exit(1);
}
