import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { helperBinary } from '../../native/load';
import { controlAddon } from './native';
import { ended, kill, limitsRow, niceOf, spawnSleep, startTicksOf, statusField, untouched } from './testing';
import type { ChildProcess } from 'node:child_process';

/** vantage-helper, the one privileged program: run directly here, as Vantage does when it is root. */
const helper = helperBinary('vantage-helper');
const isRoot = process.getuid?.() === 0;

function run(...args: string[]): { status: number | null; answer: { ok: boolean; code?: string; message?: string } } {
  if (!helper) throw new Error('vantage-helper is not built (npm run build:native)');
  const r = spawnSync(helper, args, { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { status: r.status, answer: JSON.parse(lines[0]) };
}

let child: ChildProcess | null = null;
afterEach(() => kill(child));

describe('vantage-helper', () => {
  it('is built', () => {
    expect(helper).not.toBeNull();
  });

  it('without a verb, or with one not on its allow-list, answers usage (exit 2) listing its verbs', () => {
    for (const args of [[], ['kill', '123', '9'], ['sh', '-c', 'id']]) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.answer).toMatchObject({ ok: false, code: 'EINVAL', message: expect.stringContaining('signal, renice, ioprio, affinity, rlimit, oom-adj') });
    }
  });

  it('rejects every malformed argument with exit 2 and touches nothing', () => {
    child = spawnSleep();
    const pid = String(child.pid);
    const bad: string[][] = [
      ['signal', 'abc', '15'],
      ['signal', `${pid} `, '15'],
      ['signal', `+${pid}`, '15'],
      ['signal', `0${pid}`, '15'],
      ['signal', '-5', '15'],
      ['signal', '0', '15'],
      ['signal', '4194305', '15'],
      ['signal', pid, '0'],
      ['signal', pid, '65'],
      ['signal', pid, 'TERM'],
      ['signal', pid, '15', '-1'],
      ['signal', pid, '15', '1', 'extra'],
      ['signal', pid],
      ['renice', pid, '20'],
      ['renice', pid, '-21'],
      ['renice', pid, '5; id'],
      ['ioprio', pid, 'fast', '1'],
      ['ioprio', pid, 'best-effort', '8'],
      ['affinity', pid, ''],
      ['affinity', pid, '1-0'],
      ['affinity', pid, '0,'],
      ['affinity', pid, '8192'],
      ['rlimit', pid, 'files', '1', '2'],
      ['rlimit', pid, 'nofile', '3', '2'],
      ['rlimit', pid, 'nofile', '-1', '2'],
      ['rlimit', pid, 'nofile', '99999999999999999999', 'unlimited'],
      ['oom-adj', pid, '1001'],
    ];
    for (const args of bad) {
      const r = run(...args);
      expect({ args, status: r.status, code: r.answer.code }).toEqual({ args, status: 2, code: 'EINVAL' });
    }
    expect(untouched(child.pid!)).toBe(true);
    expect(niceOf(child.pid!)).toBe(0);
  });

  it('refuses to act on PID 1, whatever the verb', () => {
    const nice = niceOf(1);
    for (const args of [['signal', '1', '15'], ['renice', '1', '5'], ['oom-adj', '1', '1000'], ['affinity', '1', '0']]) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.answer.message).toContain('PID 1');
    }
    expect(niceOf(1)).toBe(nice);
  });

  it('a process that does not exist is ESRCH (exit 1)', () => {
    expect(run('renice', '4194000', '5')).toEqual({ status: 1, answer: { ok: false, code: 'ESRCH', message: expect.any(String) } });
  });

  it.runIf(isRoot)('signals through a pidfd, refusing (ESRCH) when the start time names another process', async () => {
    child = spawnSleep();
    const pid = child.pid!;
    const ticks = startTicksOf(pid);
    expect(run('signal', String(pid), '9', String(ticks + 1))).toMatchObject({ status: 1, answer: { code: 'ESRCH', message: expect.stringContaining('PID was reused') } });
    expect(untouched(pid)).toBe(true);
    expect(run('signal', String(pid), '15', String(ticks))).toEqual({ status: 0, answer: { ok: true } });
    expect((await ended(child)).signal).toBe('SIGTERM');
  });

  const hasStrace = spawnSync('sh', ['-c', 'command -v strace']).status === 0;
  it.runIf(isRoot && hasStrace)('drops every capability but the ones its verb needs, before acting', () => {
    child = spawnSleep();
    const p = String(child.pid);
    const capsOf = (...args: string[]) => {
      const r = spawnSync('strace', ['-e', 'trace=capset', helper as string, ...args], { encoding: 'utf8' });
      const effective = /capset\(.*effective=([^,]*),/.exec(r.stderr)?.[1] ?? '';
      return effective === '0' ? [] : effective.split('|').map((c) => c.replace('1<<', ''));
    };
    // What it keeps is what the verb needs, as far as this process has it (containers drop some).
    const ours = BigInt(`0x${/^CapEff:\s*(\w+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
    const bits: Record<string, number> = { CAP_DAC_OVERRIDE: 1, CAP_KILL: 5, CAP_SYS_ADMIN: 21, CAP_SYS_NICE: 23, CAP_SYS_RESOURCE: 24 };
    const have = (names: string[]) => names.filter((n) => (ours >> BigInt(bits[n])) & 1n);
    expect(capsOf('renice', p, '1')).toEqual(have(['CAP_SYS_NICE']));
    expect(capsOf('signal', p, '18')).toEqual(have(['CAP_KILL']));
    expect(capsOf('ioprio', p, 'best-effort', '4')).toEqual(have(['CAP_SYS_ADMIN', 'CAP_SYS_NICE']));
    expect(capsOf('rlimit', p, 'core', '0', '0')).toEqual(have(['CAP_SYS_RESOURCE']));
    expect(capsOf('oom-adj', p, '1')).toEqual(have(['CAP_DAC_OVERRIDE', 'CAP_SYS_RESOURCE']));
  });

  const canUnshare = isRoot && spawnSync('sh', ['-c', 'command -v unshare && command -v python3']).status === 0;
  it.runIf(canUnshare)('logs what it did, and for whom pkexec ran it, to syslog (authpriv)', () => {
    child = spawnSleep();
    // A private mount namespace with its own /dev/log, so the test reads exactly the helper's line.
    const listener = [
      'import socket, subprocess, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log"); s.settimeout(5)',
      'r = subprocess.run(sys.argv[1:], capture_output=True, env={"PKEXEC_UID": "4242"})',
      'print(r.stdout.decode().strip()); print(s.recv(2000).decode())',
    ].join('\n');
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /dev && exec python3 -c "$0" "$@"', listener, helper as string, 'renice', String(child.pid), '2'], {
      encoding: 'utf8',
    });
    const [answer, logged] = r.stdout.trim().split('\n');
    expect(answer).toBe('{"ok":true}');
    // <85> is facility authpriv (10) at level notice (5).
    expect(logged).toMatch(new RegExp(`^<85>.*vantage-helper\\[\\d+\\]: uid 0 \\(pkexec caller uid 4242\\) renice: set nice 2 on 1 threads of pid ${child.pid}$`));
    expect(niceOf(child.pid!)).toBe(2);
  });

  it.runIf(isRoot)('renices every thread, sets I/O priority, affinity, limits and oom_score_adj, as the kernel then reports', () => {
    child = spawnSleep();
    const pid = child.pid!;
    const p = String(pid);
    expect(run('renice', p, '-4').status).toBe(0);
    expect(niceOf(pid)).toBe(-4);
    expect(run('ioprio', p, 'idle', '0').status).toBe(0);
    const a = controlAddon();
    if (a.ok) expect(a.addon.ioprioGet(pid).class).toBe('idle');
    expect(run('affinity', p, '0').status).toBe(0);
    expect(statusField(pid, 'Cpus_allowed_list')).toBe('0');
    expect(run('rlimit', p, 'nofile', '64', '128').status).toBe(0);
    expect(limitsRow(pid, 'Max open files')).toEqual(['64', '128']);
    expect(run('oom-adj', p, '700').status).toBe(0);
    expect(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim()).toBe('700');
  });
});
