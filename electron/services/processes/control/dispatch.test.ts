import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { processes } from '../../../contract/processes';
import { createDispatcher } from '../../../rpc/dispatcher';
import { createLaunchService } from '../launch/service';
import { createControlHandlers } from './handlers';
import { ended, kill, niceOf, spawnSleep, untouched } from './testing';
import type { ChildProcess } from 'node:child_process';

/**
 * Control and launch behind the real dispatcher (what the app and browser mode use): inputs are
 * checked against the contract's schemas first, and every outcome arrives as an envelope.
 */
const members = ['signals', 'privilege', 'signal', 'renice', 'ioprio', 'affinity', 'rlimit', 'oomScoreAdj', 'launch', 'launched', 'launchOutput'] as const;
const contract = { processes: Object.fromEntries(members.map((m) => [m, processes[m]])) as Pick<typeof processes, (typeof members)[number]> };
const launch = createLaunchService();
const dispatcher = createDispatcher(contract, { processes: { ...createControlHandlers(), ...launch.handlers } });
const ctx = { clientId: 'test', signal: new AbortController().signal };

let child: ChildProcess | null = null;
afterEach(() => kill(child));
afterAll(() => launch.stop());

describe('processes control through the dispatcher', () => {
  it('a signal by name arrives and the result is an ok envelope', async () => {
    child = spawnSleep();
    expect(await dispatcher.call('processes.signal', { pid: child.pid, signal: 'SIGTERM' }, ctx)).toEqual({
      ok: true,
      value: { pid: child.pid, done: 'sent SIGTERM (15)', via: 'direct' },
    });
    expect((await ended(child)).signal).toBe('SIGTERM');
  });

  it('out-of-range input never reaches the kernel: INVALID_INPUT envelopes', async () => {
    child = spawnSleep();
    const pid = child.pid;
    for (const [channel, input] of [
      ['processes.signal', { pid: 0, signal: 'TERM' }],
      ['processes.signal', { pid, signal: 'NOPE' }],
      ['processes.signal', { pid, signal: 'TERM', startTicks: -1 }],
      ['processes.renice', { pid, nice: 20 }],
      ['processes.renice', { pid, nice: -1e9 }],
      ['processes.ioprio', { pid, class: 'fast', level: 1 }],
      ['processes.affinity', { pid, cpus: [] }],
      ['processes.rlimit', { pid, resource: 'files', soft: 1, hard: 2 }],
      ['processes.rlimit', { pid, resource: 'nofile', soft: -1, hard: 2 }],
      ['processes.oomScoreAdj', { pid, value: 5000 }],
      ['processes.launch', { argv: [] }],
      ['processes.launch', { argv: ['true'], env: { 'BAD NAME': 'x' } }],
    ] as const) {
      const r = await dispatcher.call(channel, input, ctx);
      expect({ channel, input, ok: r.ok, code: r.ok ? null : r.error.code }).toEqual({ channel, input, ok: false, code: 'INVALID_INPUT' });
    }
    expect(untouched(child.pid!)).toBe(true);
    expect(niceOf(child.pid!)).toBe(0);
  });

  it('service errors keep their codes across the envelope', async () => {
    expect(await dispatcher.call('processes.renice', { pid: 4_194_000, nice: 1 }, ctx)).toMatchObject({ ok: false, error: { code: 'ESRCH' } });
    expect(await dispatcher.call('processes.launch', { argv: ['vantage-no-such-program'] }, ctx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await dispatcher.subscribe('processes.launchOutput', { id: 'lnope' }, () => {}, ctx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('the signal catalog and the privilege status are plain calls', async () => {
    const signals = await dispatcher.call('processes.signals', undefined, ctx);
    expect(signals.ok && (signals.value as { name: string }[]).map((s) => s.name)).toContain('SIGKILL');
    const p = await dispatcher.call('processes.privilege', {}, ctx);
    expect(p).toMatchObject({ ok: true, value: { root: process.getuid?.() === 0, mode: expect.stringMatching(/^(root|pkexec|none)$/) } });
  });

  it('a stopped launchOutput subscription receives nothing more', async () => {
    const l = await dispatcher.call('processes.launch', { argv: ['sh', '-c', 'echo one; sleep 0.3; echo two'] }, ctx);
    if (!l.ok) throw new Error(l.error.message);
    const { id } = l.value as { id: string };
    const seen: unknown[] = [];
    let first!: () => void;
    const gotOne = new Promise<void>((r) => (first = r));
    const sub = await dispatcher.subscribe('processes.launchOutput', { id }, (e) => {
      seen.push(e);
      first();
    }, ctx);
    if (!sub.ok) throw new Error(sub.error.message);
    await gotOne;
    sub.value();
    const exited = async () => {
      const r = await dispatcher.call('processes.launched', {}, ctx);
      return r.ok && (r.value as { id: string; exited: unknown }[]).find((x) => x.id === id)?.exited != null;
    };
    for (let i = 0; i < 500 && !(await exited()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await exited()).toBe(true);
    expect(seen).toEqual([{ type: 'output', stream: 'stdout', data: 'one\n' }]);
  });
});
