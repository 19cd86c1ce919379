import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../native/load';
import { createTestUser, kill, niceOf, spawnSleep, until, untouched } from './testing';
import type { ChildProcess } from 'node:child_process';

const isRoot = process.getuid?.() === 0;

/**
 * The non-root view: a throwaway user runs the real control service (as-user.probe.ts) against
 * its own child and a root-owned process. Here there is no pkexec agent to ask, so what needs
 * privilege must come back as NEEDS_PRIVILEGE and leave the root process exactly as it was.
 */
describe.runIf(isRoot)('control as an unprivileged user', () => {
  let user: ReturnType<typeof createTestUser>;
  let rootChild: ChildProcess;
  let out: { ownPid: number; results: Record<string, { ok: boolean; code?: string; message?: string; value?: Record<string, unknown> }> };

  beforeAll(() => {
    user = createTestUser();
    rootChild = spawnSleep();
    const r = spawnSync(
      'runuser',
      ['-u', user.name, '--', process.execPath, '--import', 'tsx', join(projectRoot, 'electron/services/processes/control/as-user.probe.ts'), String(rootChild.pid)],
      { cwd: projectRoot, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/tmp' } },
    );
    if (r.status !== 0) throw new Error(`probe failed (${r.status}): ${r.stderr}`);
    out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
  });
  afterAll(() => {
    kill(rootChild);
    user?.remove();
  });

  it('acts directly on its own process: raising nice, stopping, killing', () => {
    expect(out.results['renice own +5']).toMatchObject({ ok: true, value: { done: 'nice 0 → 5', via: 'direct' } });
    expect(out.results['signal own STOP']).toMatchObject({ ok: true, value: { via: 'direct' } });
    expect(out.results['signal own KILL']).toMatchObject({ ok: true, value: { done: 'sent SIGKILL (9)' } });
  });

  it('lowering nice of its own process needs privilege, and the message says how to get it', () => {
    expect(out.results['renice own -5']).toMatchObject({ ok: false, code: 'NEEDS_PRIVILEGE' });
    expect(out.results['renice own -5'].message).toMatch(/set the nice value of process \d+ \(sleep, user vantage-test-\w+\) to -5/);
    expect(out.results['renice own -5'].message).toContain('/usr/lib/vantage/vantage-helper');
  });

  it('signalling, renicing and re-scoring a root process need privilege, and it is left untouched', () => {
    for (const name of ['signal root TERM', 'renice root 10', 'oom root 900']) {
      expect({ name, ...out.results[name] }).toMatchObject({ name, ok: false, code: 'NEEDS_PRIVILEGE' });
    }
    expect(untouched(rootChild.pid!)).toBe(true);
    expect(niceOf(rootChild.pid!)).toBe(0);
    expect(readFileSync(`/proc/${rootChild.pid}/oom_score_adj`, 'utf8').trim()).toBe('0');
  });

  it('launching a command at a negative nice needs privilege, and nothing is left running', async () => {
    expect(out.results['launch at nice -5']).toMatchObject({ ok: false, code: 'NEEDS_PRIVILEGE', message: expect.stringContaining('the command was stopped') });
    expect(out.results['launched after refusal']).toEqual({ ok: true, value: [] });
    // SIGKILL is delivered at once but reaping an orphan takes a moment: wait for it, no more.
    await until(() => spawnSync('pgrep', ['-u', user.name]).status === 1, `no process left as ${user.name}`);
  });

  it('reports the privilege status it would use', () => {
    const hasPkexec = spawnSync('sh', ['-c', 'command -v pkexec']).status === 0;
    const p = out.results.privilege.value as { root: boolean; mode: string; explanation: string };
    expect(p.root).toBe(false);
    if (!hasPkexec) expect(p.mode).toBe('none');
    expect(p.explanation).toMatch(/pkexec/);
  });
});
