// Cost of the memory collector's reads: one smaps_rollup sweep over every process next to a full
// smaps sweep (what tools without smaps_rollup do), the statm sweep next to `ps`, and the per-tick
// cost of MemoryCollector. Run: node --import tsx bench/memory/run.ts
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MemoryCollector } from '../../electron/services/memory/collector';
import { parseSmaps } from '../../electron/services/memory/maps';
import { listPids, readRollup, readStatmRss } from '../../electron/services/memory/process-memory';

function time(label: string, runs: number, fn: () => number): { label: string; ms: number; n: number } {
  fn(); // warm the page cache of /proc paths and the JIT
  let n = 0;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) n = fn();
  return { label, ms: (performance.now() - t0) / runs, n };
}

const rollupSweep = () => {
  let ok = 0;
  for (const pid of listPids()) {
    try {
      readRollup(pid);
      ok++;
    } catch {
      // no permission or exited
    }
  }
  return ok;
};
const smapsSweep = () => {
  let ok = 0;
  for (const pid of listPids()) {
    try {
      parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'latin1'));
      ok++;
    } catch {
      // no permission or exited
    }
  }
  return ok;
};
const statmSweep = () => {
  let ok = 0;
  for (const pid of listPids()) {
    try {
      readStatmRss(pid);
      ok++;
    } catch {
      // exited
    }
  }
  return ok;
};
const ps = () => execFileSync('ps', ['-eo', 'pid=,rss=,comm=']).toString().split('\n').length - 1;

const collector = new MemoryCollector({ top: 25 });
collector.sample();
const ticks: number[] = [];
const statm: number[] = [];
const rollups: number[] = [];
let rolled = 0;
for (let i = 0; i < 10; i++) {
  const s = collector.sample();
  ticks.push(s.cost.totalMs);
  statm.push(s.cost.statmSweepMs);
  rollups.push(s.cost.rollupMs);
  rolled = s.cost.rollups;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const rows = [
  time('smaps_rollup sweep (all processes)', 10, rollupSweep),
  time('full smaps sweep, parsed (all processes)', 5, smapsSweep),
  time('statm sweep (all processes)', 20, statmSweep),
  time('peer: ps -eo pid,rss,comm', 10, ps),
];
const base = rows[0].ms;
console.log(`processes: ${listPids().length}`);
console.log(`${'what'.padEnd(44)} ${'ms'.padStart(9)} ${'read'.padStart(6)} ${'× rollup'.padStart(9)}`);
for (const r of rows) console.log(`${r.label.padEnd(44)} ${r.ms.toFixed(2).padStart(9)} ${String(r.n).padStart(6)} ${(r.ms / base).toFixed(2).padStart(9)}`);
console.log('');
console.log(`MemoryCollector tick (top 25 + risers + pinned = ${rolled} rollups), mean of 10:`);
console.log(`  total ${mean(ticks).toFixed(2)} ms = statm sweep ${mean(statm).toFixed(2)} ms + rollups ${mean(rollups).toFixed(2)} ms + meminfo/PSI/vmstat`);
