import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, ended, kill, runVerb, spawnSleep, startTicksOf, stateOf, untouched, until } from '../services/processes/control/testing';
import type { ChildProcess } from 'node:child_process';

let child: ChildProcess | null = null;
afterEach(() => kill(child));

describe('vantage signal', () => {
  it('sends a signal by name and says what it did', async () => {
    child = spawnSleep();
    const r = await runVerb('signal', [String(child.pid), 'TERM']);
    expect(r).toMatchObject({ code: 0, stdout: `${child.pid}: sent SIGTERM (15)\n` });
    expect((await ended(child)).signal).toBe('SIGTERM');
  });

  it('by number, and STOP/CONT change the state the kernel reports', async () => {
    child = spawnSleep();
    const pid = child.pid!;
    expect((await runVerb('signal', [String(pid), '19'])).code).toBe(0);
    await until(() => stateOf(pid) === 'T', 'stopped');
    expect((await runVerb('signal', [String(pid), 'SIGCONT', '--json'])).stdout).toBe(JSON.stringify({ pid, done: 'sent SIGCONT (18)', via: 'direct' }) + '\n');
    await until(() => stateOf(pid) === 'S', 'running');
  });

  it('--start-ticks that no longer match: ESRCH, exit 1, process untouched', async () => {
    child = spawnSleep();
    const r = await runVerb('signal', [String(child.pid), 'KILL', '--start-ticks', String(startTicksOf(child.pid!) + 7)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ESRCH: process');
    expect(untouched(child.pid!)).toBe(true);
  });

  it('unknown signals and malformed arguments are usage errors (exit 2)', async () => {
    child = spawnSleep();
    for (const args of [[String(child.pid), 'FOO'], [String(child.pid), '99'], ['12x', 'TERM'], [String(child.pid)], ['1', 'TERM']]) {
      const r = await runVerb('signal', args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/^vantage signal: /);
    }
    expect(untouched(child.pid!)).toBe(true);
  });

  it('a PID that does not exist is ESRCH, exit 1', async () => {
    const r = await runVerb('signal', ['4194000', 'TERM']);
    expect(r).toMatchObject({ code: 1, stderr: expect.stringContaining('ESRCH') });
  });
});

describe.runIf(process.getuid?.() === 0)('vantage signal as an unprivileged user', () => {
  let user: ReturnType<typeof createTestUser>;
  beforeAll(() => {
    user = createTestUser();
  });
  afterAll(() => user?.remove());

  it('signalling a root process needs privilege: NEEDS_PRIVILEGE, exit 77, and the process lives on', async () => {
    child = spawnSleep();
    const r = await runVerb('signal', [String(child.pid), 'KILL'], user.name);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/^vantage signal: NEEDS_PRIVILEGE: cannot send SIGKILL \(9\) to process \d+ \(sleep, user root\)/);
    expect(untouched(child.pid!)).toBe(true);
  });
});
