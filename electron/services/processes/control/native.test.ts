import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { controlAddon, type ControlAddon } from './native';
import { kill, niceOf, spawnSleep } from './testing';
import type { ChildProcess } from 'node:child_process';

/** The addon's syscalls, checked against what util-linux's own tools read back. */
const loaded = controlAddon();
if (!loaded.ok) throw new Error(loaded.reason);
const addon: ControlAddon = loaded.addon;
const tool = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();

let child: ChildProcess | null = null;
afterEach(() => kill(child));

describe('vantage_proc control syscalls', () => {
  it('getPriority/setPriority agree with /proc and report the previous value', () => {
    child = spawnSleep();
    expect(addon.setPriority(child.pid!, 13)).toEqual({ previous: 0, threads: 1 });
    expect(addon.getPriority(child.pid!)).toBe(13);
    expect(niceOf(child.pid!)).toBe(13);
  });

  it('ioprioSet is what ionice -p reads', () => {
    child = spawnSleep();
    addon.ioprioSet(child.pid!, 'best-effort', 2);
    expect(tool('ionice', '-p', String(child.pid))).toBe('best-effort: prio 2');
    addon.ioprioSet(child.pid!, 'idle', 0);
    expect(tool('ionice', '-p', String(child.pid))).toBe('idle');
  });

  it('setAffinity is what taskset -cp reads, and getAffinity reads it back', () => {
    child = spawnSleep();
    addon.setAffinity(child.pid!, [0]);
    expect(tool('taskset', '-cp', String(child.pid))).toMatch(/: 0$/);
    expect(addon.getAffinity(child.pid!)).toEqual([0]);
  });

  it('setRlimit is what prlimit --pid reads, and returns the previous limits', () => {
    child = spawnSleep();
    const before = addon.getRlimit(child.pid!, 'nofile');
    expect(addon.setRlimit(child.pid!, 'nofile', 77, 88)).toEqual(before);
    expect(tool('prlimit', '--pid', String(child.pid), '--nofile', '--noheadings', '--raw', '--output', 'SOFT,HARD').split(/\s+/)).toEqual(['77', '88']);
    addon.setRlimit(child.pid!, 'core', 'unlimited', 'unlimited');
    expect(addon.getRlimit(child.pid!, 'core')).toEqual({ soft: 'unlimited', hard: 'unlimited' });
  });

  it('malformed arguments throw EINVAL instead of reaching the kernel', () => {
    const bad: (() => unknown)[] = [
      () => addon.setPriority(0, 1),
      () => addon.setPriority(1.5, 1),
      () => addon.setPriority(2, 20),
      () => addon.setPriority(2, Number.NaN),
      () => addon.ioprioSet(2, 'fast' as never, 1),
      () => addon.ioprioSet(2, 'idle', 8),
      () => addon.setAffinity(2, []),
      () => addon.setAffinity(2, [-1]),
      () => addon.setAffinity(2, [0.5]),
      () => addon.setRlimit(2, 'nofile', 5, 'lots' as never),
      () => addon.setRlimit(2, 'nofile', 9, 8),
      () => addon.getRlimit(2, 'files' as never),
      () => addon.pidfdSignal(2, 65),
      () => addon.pidfdSignal(2, 0, -1),
    ];
    for (const f of bad) expect(f).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('a process that does not exist is ESRCH everywhere', () => {
    const pid = 4_194_000;
    for (const f of [
      () => addon.getPriority(pid),
      () => addon.setPriority(pid, 1),
      () => addon.ioprioGet(pid),
      () => addon.setAffinity(pid, [0]),
      () => addon.getRlimit(pid, 'nofile'),
      () => addon.pidfdSignal(pid, 15),
      () => addon.startTicks(pid),
    ]) {
      expect(f).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    }
  });
});
