import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupRegions, parseSmaps, readProcessMaps } from './maps';
import { readRollup } from './process-memory';
import { startNode, stopChild } from './testing/children';
import { ensureTestUser, probeAsUser, removeTestUser } from './testing/user';

const THREADED = `
const { Worker } = require('node:worker_threads');
for (let i = 0; i < 2; i++) new Worker('setInterval(() => {}, 1000)', { eval: true });
setTimeout(() => process.stdout.write('ready\\n'), 300);
setInterval(() => {}, 1000);
`;

const USER = 'vmem-maps';

describe('maps of one process', () => {
  let child: ChildProcess;
  beforeAll(async () => {
    child = await startNode(THREADED);
    ensureTestUser(USER);
  }, 30_000);
  afterAll(async () => {
    await stopChild(child);
    removeTestUser(USER);
  });

  it('groups regions into heap, main stack, thread stacks, anonymous, per-file and vdso', () => {
    const m = readProcessMaps(child.pid!);
    const kinds = new Set(m.groups.map((g) => g.kind));
    for (const k of ['heap', 'stack', 'anonymous', 'file', 'vdso', 'thread-stack'] as const) expect(kinds).toContain(k);
    expect(m.groups.find((g) => g.kind === 'file' && g.name.endsWith('/node'))?.perms).toContain('r-xp');
    expect(m.threads).toBeGreaterThan(2);
    expect(m.stackDetection).not.toBe('none');
  });

  it('the groups account for every resident byte smaps_rollup reports', () => {
    const m = readProcessMaps(child.pid!);
    const rss = m.groups.reduce((s, g) => s + g.rssBytes, 0);
    expect(Math.abs(rss - readRollup(child.pid!).rssBytes)).toBeLessThan(1024 * 1024);
  });

  it('without stack pointers, thread stacks are found by the guard page below an anonymous rw region', () => {
    const smaps = [
      '7f0000000000-7f0000001000 ---p 00000000 00:00 0 ',
      'Rss:                   0 kB',
      '7f0000001000-7f0000801000 rw-p 00000000 00:00 0 ',
      'Rss:                  16 kB',
      '7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]',
      'Rss:                  12 kB',
    ].join('\n');
    const g = groupRegions(parseSmaps(smaps), [{ tid: 1, sp: 0n }, { tid: 2, sp: 0n }], 1);
    expect(g.stackDetection).toBe('guard-page heuristic');
    expect(g.totals['thread-stack'].rssBytes).toBe(16 * 1024);
    expect(g.totals.stack.rssBytes).toBe(12 * 1024);
  });

  it("an unprivileged user gets EPERM for root's maps, and ESRCH for a pid that does not exist", () => {
    expect(probeAsUser(USER, ['maps', String(child.pid)])).toMatchObject({ ok: false, code: 'EPERM' });
    expect(() => readProcessMaps(4_000_000)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
