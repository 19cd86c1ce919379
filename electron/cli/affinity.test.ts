import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { kill, runVerb, spawnSleep, statusField } from '../services/processes/control/testing';
import type { ChildProcess } from 'node:child_process';

let child: ChildProcess | null = null;
afterEach(() => kill(child));
const online = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();

describe('vantage affinity', () => {
  it('restricts a process to CPUs given as a list, as Cpus_allowed_list then reports', async () => {
    child = spawnSleep();
    const r = await runVerb('affinity', [String(child.pid), '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${child.pid}: CPUs ${online} → 0\n`);
    expect(statusField(child.pid!, 'Cpus_allowed_list')).toBe('0');
  });

  it('accepts ranges, and without CPUs shows the current ones', async () => {
    child = spawnSleep();
    expect((await runVerb('affinity', [String(child.pid), online])).code).toBe(0);
    expect(await runVerb('affinity', [String(child.pid)])).toMatchObject({ code: 0, stdout: `${child.pid}: CPUs ${online}\n` });
  });

  it('CPUs that are not online: exit 2 naming the CPUs allowed; malformed lists: exit 2; nothing changes', async () => {
    child = spawnSleep();
    const r = await runVerb('affinity', [String(child.pid), '4000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the CPUs allowed here are ${online}`);
    for (const list of ['1-0', 'a', '0,,1', '-1']) {
      expect((await runVerb('affinity', [String(child.pid), list])).code).toBe(2);
    }
    expect(statusField(child.pid!, 'Cpus_allowed_list')).toBe(online);
  });
});
