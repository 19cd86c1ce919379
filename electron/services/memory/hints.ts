import type { LeakReport, MemoryHint, MemorySnapshot } from '../../contract/memory';

const MiB = 1024 * 1024;
const fmt = (bytes: number) => (bytes >= 1024 * MiB ? `${(bytes / 1024 / MiB).toFixed(1)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`);
const pct = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);

/**
 * Findings with the numbers that back them. Each rule states its threshold so a user can judge
 * it; nothing is said without the data in the snapshot or the leak fit to show for it.
 */
export function memoryHints(snap: MemorySnapshot, leaks: LeakReport | null): MemoryHint[] {
  const out: MemoryHint[] = [];
  const b = snap.breakdown;
  const commitPct = pct(b.committedBytes, b.commitLimitBytes);
  if (b.commitLimitBytes > 0 && commitPct >= 90) {
    out.push({
      id: 'commit',
      severity: commitPct >= 100 ? 'critical' : 'warning',
      title: `Commit charge is at ${commitPct.toFixed(0)}% of CommitLimit`,
      evidence: `Committed_AS ${fmt(b.committedBytes)} of CommitLimit ${fmt(b.commitLimitBytes)}; with strict overcommit new allocations start failing at 100%.`,
      link: { kind: 'chart', chart: 'breakdown' },
    });
  }
  const cachePct = pct(b.pageCacheBytes, b.totalBytes);
  const swapIn = snap.rates.pswpinPerSec * 4096;
  if (swapIn >= 1 * MiB && cachePct >= 20) {
    out.push({
      id: 'swapin-cache',
      severity: 'warning',
      title: `Swap-in rate is ${fmt(swapIn)}/s while ${cachePct.toFixed(0)}% of memory is page cache`,
      evidence: `Anonymous pages are being read back from swap although page cache could be reclaimed instead; consider lowering vm.swappiness.`,
      link: { kind: 'chart', chart: 'rates' },
    });
  } else if (swapIn >= 1 * MiB) {
    out.push({
      id: 'swapin',
      severity: 'warning',
      title: `Swap-in rate is ${fmt(swapIn)}/s`,
      evidence: `${snap.rates.pswpinPerSec.toFixed(0)} pages/s come back from swap: the working set does not fit in memory.`,
      link: { kind: 'chart', chart: 'rates' },
    });
  }
  if (snap.pressure.available && snap.pressure.some.avg10 >= 10) {
    out.push({
      id: 'psi',
      severity: snap.pressure.some.avg10 >= 40 ? 'critical' : 'warning',
      title: `Tasks stalled on memory ${snap.pressure.some.avg10.toFixed(1)}% of the last 10 s`,
      evidence: `/proc/pressure/memory some avg10=${snap.pressure.some.avg10}, full avg10=${snap.pressure.full?.avg10 ?? 'n/a'}.`,
      link: { kind: 'chart', chart: 'pressure' },
    });
  }
  if (b.swapTotalBytes > 0 && pct(b.swapUsedBytes, b.swapTotalBytes) >= 80) {
    out.push({
      id: 'swap-full',
      severity: 'warning',
      title: `Swap is ${pct(b.swapUsedBytes, b.swapTotalBytes).toFixed(0)}% full`,
      evidence: `${fmt(b.swapUsedBytes)} of ${fmt(b.swapTotalBytes)} swap in use.`,
      link: { kind: 'chart', chart: 'breakdown' },
    });
  }
  if (b.slabUnreclaimableBytes >= 0.1 * b.totalBytes) {
    out.push({
      id: 'slab',
      severity: 'info',
      title: `Unreclaimable kernel slab holds ${fmt(b.slabUnreclaimableBytes)} (${pct(b.slabUnreclaimableBytes, b.totalBytes).toFixed(0)}% of RAM)`,
      evidence: 'SUnreclaim in /proc/meminfo; see /proc/slabinfo (slabtop) for which cache grows.',
      link: { kind: 'chart', chart: 'breakdown' },
    });
  }
  for (const p of snap.top) {
    if (p.anonymousBytes === null || p.referencedBytes === null) continue;
    // Referenced counts pages touched since the kernel last cleared the bit (reclaim scan or clear_refs).
    const cold = p.anonymousBytes - Math.min(p.anonymousBytes, p.referencedBytes);
    if (cold >= 64 * MiB && cold >= 0.25 * p.anonymousBytes) {
      out.push({
        id: `cold-${p.pid}`,
        severity: 'info',
        title: `${p.comm} (${p.pid}) holds ${fmt(cold)} of anonymous memory not referenced recently`,
        evidence: `smaps_rollup: Anonymous ${fmt(p.anonymousBytes)}, Referenced ${fmt(p.referencedBytes)}; untouched pages are candidates for swap or for freeing.`,
        link: { kind: 'process', pid: p.pid },
      });
    }
    if (p.swapBytes !== null && p.swapBytes >= 256 * MiB) {
      out.push({
        id: `swap-${p.pid}`,
        severity: 'info',
        title: `${p.comm} (${p.pid}) has ${fmt(p.swapBytes)} in swap`,
        evidence: `smaps_rollup Swap ${fmt(p.swapBytes)} (SwapPss ${fmt(p.swapPssBytes ?? 0)}).`,
        link: { kind: 'process', pid: p.pid },
      });
    }
  }
  for (const l of leaks?.candidates ?? []) {
    if (!l.flagged || !l.alive) continue;
    out.push({
      id: `leak-${l.pid}`,
      severity: 'warning',
      title: `${l.comm} (${l.pid})'s ${l.metric === 'uss' ? 'private memory' : 'RSS'} grows at ${fmt(l.bytesPerSecond * 60)}/min`,
      evidence: `Least-squares fit over ${l.windowSeconds} s: slope ${fmt(l.bytesPerSecond)}/s, R² ${l.r2.toFixed(2)} from ${l.samples} samples.`,
      link: { kind: 'process', pid: l.pid },
    });
  }
  const order = { critical: 0, warning: 1, info: 2 } as const;
  return out.sort((a, b2) => order[a.severity] - order[b2.severity]);
}
