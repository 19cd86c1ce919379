import type { ProcessMemory } from '../contract/memory';
import { MemoryCollector } from '../services/memory/collector';
import { EXIT, parseArgs, type Verb } from './verb';

const MiB = 1024 * 1024;
export const mib = (b: number | null) => (b === null ? '–' : (b / MiB).toFixed(1));

/** `vantage mem`: the system breakdown and the top consumers by PSS, read once from /proc. */
export const mem: Verb = {
  name: 'mem',
  usage: 'mem [--json] [--top N]',
  summary: 'memory breakdown from /proc/meminfo and the top consumers by PSS',
  async run(args) {
    const { flags } = parseArgs(args, { booleans: ['json'], strings: ['top'] });
    const top = flags.top === undefined ? 15 : Number(flags.top);
    if (!Number.isInteger(top) || top < 1 || top > 500) {
      process.stderr.write('vantage mem: --top must be 1–500\n');
      return EXIT.usage;
    }
    // Rank a wider set by RSS, then order by PSS: PSS needs smaps_rollup, too costly for all.
    const collector = new MemoryCollector({ top: Math.max(top * 2, 30) });
    const snap = collector.sample();
    const byPss = (p: ProcessMemory) => p.pssBytes ?? p.rssBytes;
    const procs = snap.top.sort((a, b) => byPss(b) - byPss(a)).slice(0, top);
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ...snap, top: procs }, null, 2) + '\n');
      return EXIT.ok;
    }
    const b = snap.breakdown;
    const rows: [string, number][] = [
      ['total', b.totalBytes],
      ['used', b.usedBytes],
      ['page cache', b.pageCacheBytes],
      ['buffers', b.buffersBytes],
      ['slab reclaimable', b.slabReclaimableBytes],
      ['slab unreclaimable', b.slabUnreclaimableBytes],
      ['shared (shmem)', b.shmemBytes],
      ['huge pages', b.hugePagesBytes],
      ['free', b.freeBytes],
      ['available', b.availableBytes],
      ['swap used', b.swapUsedBytes],
      ['swap total', b.swapTotalBytes],
      ['dirty', b.dirtyBytes],
      ['writeback', b.writebackBytes],
      ['committed', b.committedBytes],
      ['commit limit', b.commitLimitBytes],
    ];
    let out = 'MEMORY (MiB)\n';
    for (const [k, v] of rows) out += `  ${k.padEnd(20)}${mib(v).padStart(12)}\n`;
    out += snap.pressure.available
      ? `  PSI some avg10 ${snap.pressure.some.avg10.toFixed(2)}%  full avg10 ${snap.pressure.full?.avg10.toFixed(2) ?? '–'}%\n`
      : `  ${snap.pressure.reason}\n`;
    out += `\nTOP ${procs.length} BY PSS (MiB)\n`;
    out += `${'PID'.padStart(8)} ${'RSS'.padStart(9)} ${'PSS'.padStart(9)} ${'USS'.padStart(9)} ${'SWAP'.padStart(8)} ${'OOM'.padStart(5)}  COMMAND\n`;
    for (const p of procs) {
      out += `${String(p.pid).padStart(8)} ${mib(p.rssBytes).padStart(9)} ${mib(p.pssBytes).padStart(9)} ${mib(p.ussBytes).padStart(9)} ${mib(p.swapBytes).padStart(8)} ${String(p.oomScore ?? '–').padStart(5)}  ${p.comm}${p.unreadable ? `  (${p.unreadable})` : ''}\n`;
    }
    process.stdout.write(out);
    return EXIT.ok;
  },
};
