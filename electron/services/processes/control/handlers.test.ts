import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createControl } from './handlers';
import { controlAddon } from './native';
import { ended, kill, limitsRow, niceOf, spawnSleep, startTicksOf, stateOf, untouched, statusField, until } from './testing';
import type { ChildProcess } from 'node:child_process';

const isRoot = process.getuid?.() === 0;
/** CAP_SYS_RESOURCE (bit 24): containers often run root without it. */
const hasSysResource = (BigInt(`0x${/^CapEff:\s*(\w+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`) >> 24n) & 1n ? true : false;
const control = createControl();
let child: ChildProcess | null = null;
afterEach(() => kill(child));

describe('processes.signal', () => {
  it('delivers the signal: a sleep sent SIGTERM ends by SIGTERM', async () => {
    child = spawnSleep();
    const r = await control.signal({ pid: child.pid!, signal: 'TERM' });
    expect(r).toEqual({ pid: child.pid, done: 'sent SIGTERM (15)', via: 'direct' });
    expect(await ended(child)).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('accepts numbers and SIG-prefixed names in any case', async () => {
    child = spawnSleep();
    await control.signal({ pid: child.pid!, signal: 'sigkill' });
    expect((await ended(child)).signal).toBe('SIGKILL');
    child = spawnSleep();
    await control.signal({ pid: child.pid!, signal: 2 });
    expect((await ended(child)).signal).toBe('SIGINT');
  });

  it('SIGSTOP stops the process (state T) and SIGCONT resumes it', async () => {
    child = spawnSleep();
    const pid = child.pid!;
    await control.signal({ pid, signal: 'SIGSTOP' });
    await until(() => stateOf(pid) === 'T', 'state T');
    await control.signal({ pid, signal: 'CONT' });
    await until(() => stateOf(pid) === 'S', 'state S');
  });

  it('with the right startTicks signals; with another refuses with ESRCH and leaves the process alone', async () => {
    child = spawnSleep();
    const pid = child.pid!;
    const ticks = startTicksOf(pid);
    await expect(control.signal({ pid, signal: 'KILL', startTicks: ticks + 1 })).rejects.toMatchObject({
      code: 'ESRCH',
      message: expect.stringContaining('PID was reused'),
    });
    expect(untouched(pid)).toBe(true);
    await control.signal({ pid, signal: 'KILL', startTicks: ticks });
    expect((await ended(child)).signal).toBe('SIGKILL');
  });

  it('goes through a pidfd when the kernel has one, so the check and the kill hit one process', () => {
    const a = controlAddon();
    if (!a.ok) throw new Error(a.reason);
    child = spawnSleep();
    expect(a.addon.pidfdSignal(child.pid!, 0, startTicksOf(child.pid!))).toBe('pidfd');
  });

  it('a PID that does not exist is ESRCH', async () => {
    await expect(control.signal({ pid: 4_194_000, signal: 'TERM' })).rejects.toMatchObject({ code: 'ESRCH' });
  });

  it('unknown signal names and out-of-range numbers are INVALID_INPUT', async () => {
    child = spawnSleep();
    for (const signal of ['SIGFOO', 'TERMX', 0, 65, 'SIGRTMIN+31', '']) {
      await expect(control.signal({ pid: child.pid!, signal })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(untouched(child.pid!)).toBe(true);
  });

  it('refuses PID 1 and Vantage itself', async () => {
    await expect(control.signal({ pid: 1, signal: 'TERM' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('PID 1') });
    await expect(control.signal({ pid: process.pid, signal: 'TERM' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('real-time signals by SIGRTMIN+n reach the process as that very signal', async () => {
    // bash traps exactly RTMIN+2 and exits 42: any other signal would end it differently.
    child = spawn('bash', ['-c', 'trap "exit 42" RTMIN+2; echo ready; while :; do sleep 0.05; done'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await once(child.stdout!, 'data');
    const r = await control.signal({ pid: child.pid!, signal: 'SIGRTMIN+2' });
    expect(r.done).toBe('sent SIGRTMIN+2 (36)');
    expect(await ended(child)).toEqual({ code: 42, signal: null });
  });
});

describe('processes.renice', () => {
  it('sets nice, read back from /proc/PID/stat field 19, and says before → after', async () => {
    child = spawnSleep();
    const r = await control.renice({ pid: child.pid!, nice: 7 });
    expect(r.done).toBe('nice 0 → 7');
    expect(niceOf(child.pid!)).toBe(7);
  });

  it('changes every thread of a multi-threaded process', async () => {
    child = spawn(process.execPath, ['-e', "const {Worker}=require('worker_threads');for(let i=0;i<3;i++)new Worker('setInterval(()=>{},1000)',{eval:true});setInterval(()=>{},1000)"], { stdio: 'ignore' });
    const pid = child.pid!;
    await until(() => readdirSync(`/proc/${pid}/task`).length >= 4, 'worker threads');
    await control.renice({ pid, nice: 11 });
    const tids = readdirSync(`/proc/${pid}/task`).map(Number);
    expect(tids.map((tid) => niceOf(pid, tid))).toEqual(tids.map(() => 11));
  });

  it.runIf(isRoot)('as root, raising priority (negative nice) works directly', async () => {
    child = spawnSleep();
    const r = await control.renice({ pid: child.pid!, nice: -5 });
    expect(r.via).toBe('direct');
    expect(niceOf(child.pid!)).toBe(-5);
  });

  it('a PID that does not exist is ESRCH', async () => {
    await expect(control.renice({ pid: 4_194_000, nice: 3 })).rejects.toMatchObject({ code: 'ESRCH' });
  });

  it('a thread id is INVALID_INPUT naming the process it belongs to, and nothing changes', async () => {
    child = spawn(process.execPath, ['-e', "new (require('worker_threads').Worker)('setInterval(()=>{},1000)',{eval:true});setInterval(()=>{},1000)"], { stdio: 'ignore' });
    const pid = child.pid!;
    await until(() => readdirSync(`/proc/${pid}/task`).length >= 2, 'a worker thread');
    const tid = readdirSync(`/proc/${pid}/task`).map(Number).find((t) => t !== pid)!;
    await expect(control.renice({ pid: tid, nice: 9 })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `${tid} is a thread of process ${pid} (node), not a process: use ${pid}` });
    await expect(control.signal({ pid: tid, signal: 'KILL' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(niceOf(pid, tid)).toBe(0);
  });
});

describe('processes.ioprio', () => {
  it('sets the class and level, read back with ioprio_get', async () => {
    const a = controlAddon();
    if (!a.ok) throw new Error(a.reason);
    child = spawnSleep();
    const pid = child.pid!;
    await control.ioprio({ pid, class: 'best-effort', level: 6 });
    expect(a.addon.ioprioGet(pid)).toEqual({ class: 'best-effort', level: 6 });
    const r = await control.ioprio({ pid, class: 'idle', level: 4 });
    expect(r.done).toBe('I/O priority best-effort/6 → idle');
    expect(a.addon.ioprioGet(pid).class).toBe('idle');
  });

  it.runIf(isRoot)('as root, the realtime class works directly', async () => {
    const a = controlAddon();
    if (!a.ok) throw new Error(a.reason);
    child = spawnSleep();
    await control.ioprio({ pid: child.pid!, class: 'realtime', level: 2 });
    expect(a.addon.ioprioGet(child.pid!)).toEqual({ class: 'realtime', level: 2 });
  });
});

describe('processes.affinity', () => {
  const online = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();

  it('restricts the process to the CPUs, read back from Cpus_allowed_list', async () => {
    child = spawnSleep();
    const r = await control.affinity({ pid: child.pid!, cpus: [0] });
    expect(statusField(child.pid!, 'Cpus_allowed_list')).toBe('0');
    expect(r.done).toMatch(/→ 0$/);
  });

  it('CPUs outside the online set are INVALID_INPUT naming the CPUs allowed, and nothing changes', async () => {
    child = spawnSleep();
    const before = statusField(child.pid!, 'Cpus_allowed_list');
    await expect(control.affinity({ pid: child.pid!, cpus: [0, 8000] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(`allowed here are ${online}`),
    });
    expect(statusField(child.pid!, 'Cpus_allowed_list')).toBe(before);
  });

  // A cpuset cgroup holding only CPU 0 (v1 hierarchy, or v2 with cpuset enabled at the root).
  const cpusetRoot = ['/sys/fs/cgroup/cpuset', '/sys/fs/cgroup'].find((d) =>
    d.endsWith('cpuset') ? existsSync(`${d}/cpuset.cpus`) : existsSync(`${d}/cgroup.subtree_control`) && readFileSync(`${d}/cgroup.subtree_control`, 'utf8').includes('cpuset'),
  );
  it.runIf(isRoot && cpusetRoot && online !== '0')('CPUs outside the process cpuset are INVALID_INPUT saying so', async () => {
    const dir = `${cpusetRoot}/vantage-test-${process.pid}`;
    mkdirSync(dir);
    try {
      writeFileSync(`${dir}/cpuset.cpus`, '0');
      const mems = readFileSync(`${cpusetRoot}/${existsSync(`${cpusetRoot}/cpuset.mems.effective`) ? 'cpuset.mems.effective' : 'cpuset.mems'}`, 'utf8').trim();
      writeFileSync(`${dir}/cpuset.mems`, mems.split(/[,-]/)[0]);
      child = spawnSleep();
      writeFileSync(`${dir}/cgroup.procs`, String(child.pid));
      await expect(control.affinity({ pid: child.pid!, cpus: [1] })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('outside the process\'s cpuset') });
      expect(statusField(child.pid!, 'Cpus_allowed_list')).toBe('0');
    } finally {
      kill(child);
      await until(() => !readFileSync(`${dir}/cgroup.procs`, 'utf8').trim(), 'the cgroup to empty');
      rmdirSync(dir);
    }
  });

  it('checks the online set it is given (a CPU that went offline)', async () => {
    const c = createControl({ onlineCpus: () => [0] });
    child = spawnSleep();
    await expect(c.affinity({ pid: child.pid!, cpus: [1] })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'CPU 1 is not online; the CPUs allowed here are 0' });
  });
});

describe('processes.rlimit', () => {
  it('sets soft and hard limits, read back from /proc/PID/limits', async () => {
    child = spawnSleep();
    const r = await control.rlimit({ pid: child.pid!, resource: 'nofile', soft: 100, hard: 200 });
    expect(limitsRow(child.pid!, 'Max open files')).toEqual(['100', '200']);
    expect(r.done).toMatch(/^nofile soft \d+ → 100, hard \d+ → 200$/);
    await control.rlimit({ pid: child.pid!, resource: 'core', soft: 'unlimited', hard: 'unlimited' });
    expect(limitsRow(child.pid!, 'Max core file size')).toEqual(['unlimited', 'unlimited']);
  });

  it('a soft limit above the hard one is INVALID_INPUT and nothing changes', async () => {
    child = spawnSleep();
    const before = limitsRow(child.pid!, 'Max open files');
    await expect(control.rlimit({ pid: child.pid!, resource: 'nofile', soft: 300, hard: 200 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(control.rlimit({ pid: child.pid!, resource: 'nofile', soft: 'unlimited', hard: 200 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(limitsRow(child.pid!, 'Max open files')).toEqual(before);
  });

  it.runIf(isRoot)('raising the hard limit needs CAP_SYS_RESOURCE: done with it, EPERM and unchanged without it', async () => {
    child = spawnSleep();
    const pid = child.pid!;
    await control.rlimit({ pid, resource: 'nofile', soft: 50, hard: 100 });
    const raising = control.rlimit({ pid, resource: 'nofile', soft: 50, hard: 150 });
    if (hasSysResource) {
      await raising;
      expect(limitsRow(pid, 'Max open files')).toEqual(['50', '150']);
    } else {
      await expect(raising).rejects.toMatchObject({ code: 'EPERM' });
      expect(limitsRow(pid, 'Max open files')).toEqual(['50', '100']);
    }
  });
});

describe('processes.oomScoreAdj', () => {
  it('writes oom_score_adj, read back from /proc', async () => {
    child = spawnSleep();
    const r = await control.oomScoreAdj({ pid: child.pid!, value: 500 });
    expect(readFileSync(`/proc/${child.pid}/oom_score_adj`, 'utf8').trim()).toBe('500');
    expect(r.done).toBe('oom_score_adj 0 → 500');
  });

  it.runIf(isRoot)('as root, lowering it works with CAP_SYS_RESOURCE; without it the kernel refuses (EPERM) and nothing changes', async () => {
    child = spawnSleep();
    const lowering = control.oomScoreAdj({ pid: child.pid!, value: -500 });
    if (hasSysResource) {
      await lowering;
      expect(readFileSync(`/proc/${child.pid}/oom_score_adj`, 'utf8').trim()).toBe('-500');
    } else {
      await expect(lowering).rejects.toMatchObject({ code: 'EPERM', message: expect.stringContaining('oom_score_adj') });
      expect(readFileSync(`/proc/${child.pid}/oom_score_adj`, 'utf8').trim()).toBe('0');
    }
  });
});

describe('the privilege path', () => {
  it('with no path, a refused action is NEEDS_PRIVILEGE saying how to grant it; the helper is not asked', async () => {
    let asked = false;
    const refusing = {
      ok: true as const,
      addon: { ...controlAddon(), setPriority: () => { throw Object.assign(new Error('EACCES'), { code: 'EACCES' }); } } as never,
    };
    const c = createControl({
      addon: refusing,
      privilege: () => ({ root: false, helperPath: null, pkexecPath: null, policyInstalled: false, mode: 'none', explanation: 'install pkexec and the helper' }),
      helper: async () => { asked = true; },
    });
    child = spawnSleep();
    await expect(c.renice({ pid: child.pid!, nice: -3 })).rejects.toMatchObject({
      code: 'NEEDS_PRIVILEGE',
      message: expect.stringMatching(/set the nice value of process \d+ \(sleep, user \w+\) to -3.*install pkexec and the helper/),
    });
    expect(asked).toBe(false);
    expect(niceOf(child.pid!)).toBe(0);
  });

  it('with pkexec, a refused action goes to the helper verb with strict arguments and reports via helper', async () => {
    const calls: string[][] = [];
    const a = controlAddon();
    if (!a.ok) throw new Error(a.reason);
    const c = createControl({
      addon: { ok: true, addon: { ...a.addon, pidfdSignal: () => { throw Object.assign(new Error('EPERM'), { code: 'EPERM' }); } } },
      privilege: () => ({ root: false, helperPath: '/usr/lib/vantage/vantage-helper', pkexecPath: '/usr/bin/pkexec', policyInstalled: true, mode: 'pkexec', explanation: '' }),
      helper: async (args) => { calls.push(args); },
    });
    child = spawnSleep();
    const ticks = startTicksOf(child.pid!);
    const r = await c.signal({ pid: child.pid!, signal: 'HUP', startTicks: ticks });
    expect(r.via).toBe('helper');
    expect(calls).toEqual([['signal', String(child.pid), '1', String(ticks)]]);
  });

  it('without the addon and without root, actions that need it are UNAVAILABLE with the reason; signals still work', async () => {
    const c = createControl({
      addon: { ok: false, reason: 'native addon vantage_proc is not built' },
      privilege: () => ({ root: false, helperPath: null, pkexecPath: null, policyInstalled: false, mode: 'none', explanation: '' }),
    });
    child = spawnSleep();
    await expect(c.renice({ pid: child.pid!, nice: 5 })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('vantage_proc is not built') });
    expect(niceOf(child.pid!)).toBe(0);
    await c.signal({ pid: child.pid!, signal: 'TERM', startTicks: startTicksOf(child.pid!) });
    expect((await ended(child)).signal).toBe('SIGTERM');
  });

  it('without the addon, as root the helper does the work', async () => {
    if (!isRoot) return;
    const c = createControl({ addon: { ok: false, reason: 'not built' } });
    child = spawnSleep();
    const r = await c.renice({ pid: child.pid!, nice: 4 });
    expect(niceOf(child.pid!)).toBe(4);
    expect(r.via).toBe('helper');
  });
});
