import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, kill, niceOf, runVerb, spawnSleep } from '../services/processes/control/testing';
import type { ChildProcess } from 'node:child_process';

let child: ChildProcess | null = null;
afterEach(() => kill(child));

describe('vantage renice', () => {
  it('sets the nice value, as /proc/PID/stat then reports', async () => {
    child = spawnSleep();
    const r = await runVerb('renice', [String(child.pid), '12']);
    expect(r).toMatchObject({ code: 0, stdout: `${child.pid}: nice 0 → 12\n` });
    expect(niceOf(child.pid!)).toBe(12);
  });

  it('values outside -20…19 and non-numbers are usage errors and change nothing', async () => {
    child = spawnSleep();
    for (const n of ['20', '-21', '1e3', 'ten', '5.5']) {
      const r = await runVerb('renice', [String(child.pid), n]);
      expect({ n, code: r.code }).toEqual({ n, code: 2 });
    }
    expect(niceOf(child.pid!)).toBe(0);
  });
});

describe.runIf(process.getuid?.() === 0)('vantage renice as an unprivileged user', () => {
  let user: ReturnType<typeof createTestUser>;
  beforeAll(() => {
    user = createTestUser();
  });
  afterAll(() => user?.remove());

  it('renicing a root process needs privilege: exit 77, nice unchanged', async () => {
    child = spawnSleep();
    const r = await runVerb('renice', [String(child.pid), '5'], user.name);
    expect(r.code).toBe(77);
    expect(r.stderr).toContain('NEEDS_PRIVILEGE');
    expect(niceOf(child.pid!)).toBe(0);
  });
});
