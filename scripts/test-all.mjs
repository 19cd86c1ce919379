#!/usr/bin/env node
// `npm test`: lint, type-check, unit and integration tests (Vitest), then end-to-end tests
// (Playwright in Debian's Chromium against browser mode). Every stage runs even when an earlier
// one failed, so one run shows everything that is wrong; the last line is the combined count.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
const bin = (name) => `node_modules/.bin/${name}`;
const stages = [
  { name: 'lint', cmd: bin('eslint'), args: ['.', '--max-warnings', '0'] },
  { name: 'typecheck', cmd: bin('tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  { name: 'native build', cmd: process.execPath, args: ['scripts/build-native.mjs', '--strict'], skipIf: () => !process.env.CI },
  // Built before the unit tests too: the CLI tests start `vantage serve`, which serves it.
  { name: 'renderer build', cmd: bin('vite'), args: ['build', '--logLevel', 'warn'] },
  {
    name: 'unit and integration (vitest)',
    cmd: bin('vitest'),
    args: ['run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'],
    before: () => rmSync('test-results/vitest.json', { force: true }),
  },
  {
    name: 'end to end (playwright)',
    cmd: bin('playwright'),
    args: ['test'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json' },
    reporterArgs: ['--reporter=list,json'],
    before: () => rmSync('test-results/playwright.json', { force: true }),
  },
];

const failedStages = [];
for (const stage of stages) {
  if (stage.skipIf?.()) continue;
  stage.before?.();
  console.log(`\n=== ${stage.name} ===`);
  const started = Date.now();
  const r = spawnSync(stage.cmd, [...stage.args, ...(stage.reporterArgs ?? [])], {
    stdio: 'inherit',
    env: { ...process.env, ...stage.env },
  });
  const ok = r.status === 0;
  console.log(`=== ${stage.name}: ${ok ? 'ok' : `FAILED (${r.error?.message ?? `exit ${r.status}`})`} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
  if (!ok) failedStages.push(stage.name);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const vitest = readJson('test-results/vitest.json');
if (vitest) {
  passed += vitest.numPassedTests ?? 0;
  failed += vitest.numFailedTests ?? 0;
  skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
}
const pw = readJson('test-results/playwright.json');
if (pw?.stats) {
  passed += (pw.stats.expected ?? 0) + (pw.stats.flaky ?? 0);
  failed += pw.stats.unexpected ?? 0;
  skipped += pw.stats.skipped ?? 0;
}
// A stage that failed without a test result (lint, type-check, build) counts as one failure.
for (const name of failedStages) {
  if (name.startsWith('unit') && vitest) continue;
  if (name.startsWith('end to end') && pw) continue;
  failed += 1;
}
if (failedStages.length) console.log(`\nFailed stages: ${failedStages.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedStages.length ? 1 : 0);
