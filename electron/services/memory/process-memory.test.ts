import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCollector } from './collector';
import { listPids, readOom, readRollup, readStat, readStatmRss, writeOomScoreAdj } from './process-memory';
import { LEAKER, startNode, stopChild } from './testing/children';
import { ensureTestUser, probeAsUser, removeTestUser } from './testing/user';

const MiB = 1024 * 1024;

function hasCapSysResource(): boolean {
  const hex = /CapEff:\s+([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'latin1'))![1];
  return (BigInt(`0x${hex}`) & (1n << 24n)) !== 0n;
}

const USER = 'vmem-proc';

describe('per-process memory', () => {
  let big: ChildProcess;
  let user: { name: string; uid: number; gid: number };
  let userChild: ChildProcess | undefined;

  beforeAll(async () => {
    big = await startNode(LEAKER(0, 0, 64));
    user = ensureTestUser(USER);
  }, 30_000);
  afterAll(async () => {
    await stopChild(big);
    await stopChild(userChild);
    removeTestUser(USER);
  });

  it('reads RSS, PSS and USS from smaps_rollup; 64 MiB touched privately shows in USS', () => {
    const r = readRollup(big.pid!);
    expect(r.source).toBe('smaps_rollup');
    expect(r.ussBytes).toBeGreaterThanOrEqual(64 * MiB);
    expect(r.pssBytes).toBeGreaterThanOrEqual(r.ussBytes);
    expect(r.rssBytes).toBeGreaterThanOrEqual(r.pssBytes);
    expect(r.rssBytes).toBe(r.ussBytes + r.sharedBytes);
  });

  it('falls back to summing smaps when smaps_rollup is missing, with the same totals', () => {
    const fallback = readRollup(big.pid!, { rollupPath: '/proc/self/no-such-smaps_rollup' });
    const rollup = readRollup(big.pid!);
    expect(fallback.source).toBe('smaps');
    // The process is idle: both reads see the same pages, give or take a few touched since.
    expect(Math.abs(fallback.ussBytes - rollup.ussBytes)).toBeLessThan(2 * MiB);
    expect(Math.abs(fallback.rssBytes - rollup.rssBytes)).toBeLessThan(2 * MiB);
  });

  it('kernel threads (no user memory) read as zeros, not as an error', () => {
    // Kernel threads are visible on a host, not inside most containers.
    const kthread = listPids().find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/status`, 'latin1').includes('\nKthread:\t1') || (readStat(pid).comm.startsWith('kworker') && readStatmRss(pid) === 0);
      } catch {
        return false;
      }
    });
    if (kthread === undefined) return;
    expect(readRollup(kthread)).toMatchObject({ rssBytes: 0, ussBytes: 0 });
  });

  it('statm RSS agrees with the rollup', () => {
    expect(Math.abs(readStatmRss(big.pid!) - readRollup(big.pid!).rssBytes)).toBeLessThan(2 * MiB);
  });

  it('says a vanished pid has exited (ESRCH)', async () => {
    const gone = await startNode(LEAKER(0, 0));
    const pid = gone.pid!;
    await stopChild(gone);
    expect(() => readRollup(pid)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(new MemoryCollector().readProcess(pid)).toBeNull();
  });

  it("an unprivileged user cannot read root's smaps: EPERM with a reason, while statm still works", () => {
    const out = probeAsUser(USER, ['rollup', String(big.pid)]);
    expect(out.ok).toBe(false);
    expect(out.code).toBe('EPERM');
    expect(out.message).toMatch(/no permission to read .*smaps_rollup/);
    // The collector keeps going and reports what is missing instead of failing.
    const p = new MemoryCollector().readProcess(process.pid)!;
    expect(p.rssBytes).toBeGreaterThan(0);
  });

  it('writes oom_score_adj; an unprivileged owner may raise it but lowering needs CAP_SYS_RESOURCE', async () => {
    writeOomScoreAdj(big.pid!, 300);
    expect(readOom(big.pid!).oomScoreAdj).toBe(300);
    if (hasCapSysResource()) {
      writeOomScoreAdj(big.pid!, -100);
      expect(readFileSync(`/proc/${big.pid}/oom_score_adj`, 'latin1').trim()).toBe('-100');
    } else {
      // Root in a container without CAP_SYS_RESOURCE is refused like any user.
      expect(() => writeOomScoreAdj(big.pid!, -100)).toThrow(expect.objectContaining({ code: 'NEEDS_PRIVILEGE' }));
    }

    userChild = await startNode(LEAKER(0, 0), [], { uid: user.uid, gid: user.gid });
    expect(probeAsUser(USER, ['oom', String(userChild.pid), '500'])).toMatchObject({ ok: true });
    expect(readOom(userChild.pid!).oomScoreAdj).toBe(500);
    const lower = probeAsUser(USER, ['oom', String(userChild.pid), '-500']);
    expect(lower).toMatchObject({ ok: false, code: 'NEEDS_PRIVILEGE' });
    expect(lower.message).toMatch(/CAP_SYS_RESOURCE/);
    // Another user's process: plain EPERM.
    expect(probeAsUser(USER, ['oom', String(big.pid), '900'])).toMatchObject({ ok: false, code: 'EPERM' });
  }, 30_000);
});
