import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LaunchEvent } from '../../../contract/processes';
import { niceOf, statFields, until } from '../control/testing';
import { createLaunchService } from './service';

const readComm = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
const here = dirname(fileURLToPath(import.meta.url));
const ctx = { clientId: 't', signal: new AbortController().signal };
const dir = mkdtempSync(join(tmpdir(), 'vantage-launch-'));
const service = createLaunchService({ outputCapacity: 1000 });
const { launch, launched, launchOutput } = service.handlers;
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
afterAll(() => {
  service.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Collects a launch's stream until its exit event. */
async function collect(id: string): Promise<LaunchEvent[]> {
  const events: LaunchEvent[] = [];
  await new Promise<void>((resolve) => {
    void launchOutput({ id }, (e) => {
      events.push(e);
      if (e.type === 'exit') resolve();
    }, ctx);
  });
  return events;
}
const text = (events: LaunchEvent[], stream: 'stdout' | 'stderr') =>
  events.map((e) => (e.type === 'output' && e.stream === stream ? e.data : '')).join('');

describe('processes.launch', () => {
  it('runs the argv as given (no shell), captures stdout and stderr, and streams the exit', async () => {
    const p = await launch({ argv: ['sh', '-c', 'echo "to out $0"; echo to err >&2; exit 3', '$HOME;x'] }, ctx);
    started.push(p.pid);
    expect(p).toMatchObject({ id: expect.stringMatching(/^l[0-9a-z]+$/), argv: ['sh', '-c', expect.any(String), '$HOME;x'], exited: null });
    const events = await collect(p.id);
    expect(text(events, 'stdout')).toBe('to out $HOME;x\n');
    expect(text(events, 'stderr')).toBe('to err\n');
    expect(events.at(-1)).toEqual({ type: 'exit', code: 3, signal: null });
    expect((await launched(undefined, ctx)).find((l) => l.id === p.id)).toMatchObject({ exited: { code: 3, signal: null }, outputBytes: 22 });
  });

  it('a late subscriber gets what was printed, then the exit', async () => {
    const p = await launch({ argv: ['printf', 'done'] }, ctx);
    await collect(p.id);
    const again = await collect(p.id);
    expect(again).toEqual([{ type: 'output', stream: 'stdout', data: 'done' }, { type: 'exit', code: 0, signal: null }]);
  });

  it('starts the command in its own session and process group, detached from Vantage', async () => {
    const p = await launch({ argv: ['sleep', '30'] }, ctx);
    started.push(p.pid);
    const f = statFields(p.pid);
    // Fields 5 (pgrp) and 6 (session) after the comm: index 2 and 3 here.
    expect([Number(f[2]), Number(f[3])]).toEqual([p.pid, p.pid]);
  });

  it('launched commands outlive Vantage: the service stops, Vantage exits on its own, the command runs on', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'survive.probe.ts')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    const pid = Number(r.stdout.trim());
    started.push(pid);
    expect(statFields(pid)[0]).toMatch(/^[SR]$/);
    expect(Number(statFields(pid)[3])).toBe(pid);
  });

  it('applies the nice value, as /proc/PID/stat then reports', async () => {
    const p = await launch({ argv: ['sleep', '30'], nice: 9 }, ctx);
    started.push(p.pid);
    expect(niceOf(p.pid)).toBe(9);
  });

  it('without the addon applies the nice value through nice(1), with the same result', async () => {
    const plain = createLaunchService({ addon: { ok: false, reason: 'not built' } });
    const p = await plain.handlers.launch({ argv: ['sleep', '30'], nice: 8 }, ctx);
    started.push(p.pid);
    await until(() => readComm(p.pid) === 'sleep', 'nice to exec sleep');
    expect(niceOf(p.pid)).toBe(8);
    plain.stop();
  });

  it('passes the environment and working directory', async () => {
    const p = await launch({ argv: ['sh', '-c', 'printf "%s %s" "$VANTAGE_T" "$PWD"'], cwd: dir, env: { VANTAGE_T: 'value 1' } }, ctx);
    expect(text(await collect(p.id), 'stdout')).toBe(`value 1 ${dir}`);
  });

  it('reports the signal that ended the command', async () => {
    const p = await launch({ argv: ['sleep', '30'] }, ctx);
    started.push(p.pid);
    const events = collect(p.id);
    process.kill(p.pid, 'SIGTERM');
    expect((await events).at(-1)).toEqual({ type: 'exit', code: null, signal: 'SIGTERM' });
  });

  it('keeps only the tail of long output and says how much was dropped', async () => {
    const p = await launch({ argv: [process.execPath, '-e', "process.stdout.write('a'.repeat(4000) + 'z'.repeat(500))"] }, ctx);
    await collect(p.id);
    const replay = await collect(p.id);
    expect(replay[0]).toEqual({ type: 'output', stream: 'stderr', data: expect.stringContaining('3500 earlier bytes of output were dropped') });
    expect(text(replay.slice(1), 'stdout')).toBe('a'.repeat(500) + 'z'.repeat(500));
    expect((await launched(undefined, ctx)).find((l) => l.id === p.id)?.outputBytes).toBe(1000);
  });

  it('a program that does not exist is NOT_FOUND, by name or by path', async () => {
    await expect(launch({ argv: ['vantage-no-such-program'] }, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'program "vantage-no-such-program" was not found in PATH' });
    await expect(launch({ argv: [join(dir, 'missing')] }, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a file that is not executable is EPERM', async () => {
    const file = join(dir, 'script.sh');
    writeFileSync(file, '#!/bin/sh\necho hi\n');
    chmodSync(file, 0o644);
    await expect(launch({ argv: [file] }, ctx)).rejects.toMatchObject({ code: 'EPERM', message: `${file} is not an executable file` });
  });

  it('a working directory that is a file is INVALID_INPUT; one that does not exist is NOT_FOUND', async () => {
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    await expect(launch({ argv: ['true'], cwd: file }, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `working directory ${file} is not a directory` });
    await expect(launch({ argv: ['true'], cwd: join(dir, 'nope') }, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('streaming an unknown launch id is NOT_FOUND', () => {
    expect(() => launchOutput({ id: 'lzzzz' }, () => {}, ctx)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
