import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileActivity, WatchEvent } from '../../../contract/disk';
import { helperBinary } from '../../native/load';
import { HistoryStore } from '../../history/store';
import { watchAccessViaHelper } from './activity';
import { createHealthService } from './service';

/** `vantage-helper fanotify PATH` (the streaming verb) and fileAccess through it, on the real system. */
const helper = helperBinary('vantage-helper');
const isRoot = process.getuid?.() === 0;
const ctx = { clientId: 'test', signal: new AbortController().signal };
let work: string;
const cleanups: (() => void)[] = [];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'vantage-fanotify-'));
});
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
  rmSync(work, { recursive: true, force: true });
});

interface Line {
  ok?: boolean;
  ready?: boolean;
  code?: string;
  message?: string;
  ts?: number;
  pid?: number;
  comm?: string;
  kind?: string;
  path?: string;
}

/** Starts the verb and collects its lines. */
function start(...args: string[]) {
  if (!helper) throw new Error('vantage-helper is not built (npm run build:native)');
  const child: ChildProcess = spawn(helper, ['fanotify', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: Line[] = [];
  let rest = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const all = (rest + chunk).split('\n');
    rest = all.pop() ?? '';
    for (const l of all) lines.push(JSON.parse(l) as Line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const until = async (pred: () => boolean, what: string) => {
    for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!pred()) throw new Error(`not seen: ${what}; got ${JSON.stringify(lines.slice(0, 40))}`);
  };
  return { child, lines, exited, until };
}

/** A child that writes target and lives on briefly, as real writers do (its name is read from /proc). */
function writeByChild(target: string) {
  const r = spawnSync('sh', ['-c', `echo hi > '${target}'; sleep 0.3`]);
  expect(r.status).toBe(0);
  return r.pid;
}

/** Helper children of this process still running `fanotify`. */
function fanotifyChildren(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && cmd[0].endsWith('vantage-helper') && cmd[1] === 'fanotify') out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('vantage-helper fanotify', () => {
  it('refuses a relative path or a missing one with exit 2 and a JSON error', () => {
    if (!helper) throw new Error('vantage-helper is not built (npm run build:native)');
    for (const args of [['fanotify', 'relative/path'], ['fanotify'], ['fanotify', '/tmp', 'extra']]) {
      const r = spawnSync(helper, args, { encoding: 'utf8', input: '' });
      expect(r.status).toBe(2);
      expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: false, code: 'EINVAL', message: expect.any(String) });
    }
  });

  it('refuses a path that does not exist with exit 1 (ENOENT)', () => {
    if (!helper) throw new Error('vantage-helper is not built (npm run build:native)');
    const r = spawnSync(helper, ['fanotify', join(work, 'nope')], { encoding: 'utf8', input: '' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: false, code: 'ENOENT' });
  });

  it.skipIf(!isRoot)('streams who wrote which file after its ready line, and ends with exit 0 when stdin closes', async () => {
    const h = start(work);
    await h.until(() => h.lines.length > 0, 'ready');
    expect(h.lines[0]).toEqual({ ok: true, ready: true });
    const target = join(work, 'written-by-child.txt');
    const pid = writeByChild(target);
    await h.until(() => h.lines.some((l) => l.path === target && l.kind === 'close-write'), 'close-write by sh');
    const ev = h.lines.find((l) => l.path === target && l.kind === 'close-write');
    expect(ev).toMatchObject({ pid, comm: 'sh', kind: 'close-write', path: target, ts: expect.any(Number) });
    expect(Math.abs((ev?.ts ?? 0) - Date.now())).toBeLessThan(30_000);
    // Its own opens of /proc are not on this mount, and its own events would be skipped anyway.
    expect(h.lines.some((l) => l.pid === h.child.pid)).toBe(false);
    h.child.stdin?.end();
    expect(await h.exited).toEqual({ code: 0, signal: null });
    // No closing {"ok":true} after a stream: every line after ready is an event.
    expect(h.lines.slice(1).every((l) => l.ok === undefined)).toBe(true);
  });

  it.skipIf(!isRoot)('ends with exit 0 on SIGTERM', async () => {
    const h = start(work);
    await h.until(() => h.lines.length > 0, 'ready');
    h.child.kill('SIGTERM');
    expect(await h.exited).toEqual({ code: 0, signal: null });
  });
});

describe('fileAccess through the helper', () => {
  it.skipIf(!isRoot)('with VANTAGE_FANOTIFY=helper streams the same events, and stops the helper on unsubscribe', async () => {
    const before = process.env.VANTAGE_FANOTIFY;
    process.env.VANTAGE_FANOTIFY = 'helper';
    cleanups.push(() => {
      if (before === undefined) delete process.env.VANTAGE_FANOTIFY;
      else process.env.VANTAGE_FANOTIFY = before;
    });
    const history = new HistoryStore(join(work, 'history.db'));
    cleanups.push(() => history.close());
    const s = createHealthService({ history });
    cleanups.push(() => s.stop());

    const events: WatchEvent[] = [];
    const stop = s.handlers.fileAccess({ path: work }, (e) => events.push(e), ctx) as () => void;
    let stopped = false;
    cleanups.push(() => {
      if (!stopped) stop();
    });
    const activity = () => events.flatMap((e) => (e.type === 'activity' ? e.events : []));
    const until = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!pred()) throw new Error(`not seen: ${what}; got ${JSON.stringify(events.slice(0, 20))}`);
    };
    await until(() => events.length > 0, 'ready');
    expect(events[0]).toEqual({ type: 'ready', watches: 1, limited: null });
    expect(fanotifyChildren()).toHaveLength(1);

    const target = join(work, 'via-helper.txt');
    const pid = writeByChild(target);
    await until(() => activity().some((e) => e.path === target && e.kind === 'close-write'), 'close-write by sh');
    const ev = activity().find((e) => e.path === target && e.kind === 'close-write');
    expect(ev).toEqual<FileActivity>({ ts: expect.any(Number), path: target, kind: 'close-write', isDir: false, pid, comm: 'sh' });
    expect(events.every((e) => e.type !== 'failed')).toBe(true);

    stop();
    stopped = true;
    await until(() => fanotifyChildren().length === 0, 'the helper gone after unsubscribe');
    expect(events.some((e) => e.type === 'failed')).toBe(false);
  });

  it('without a privilege path fails NEEDS_PRIVILEGE with the reason', async () => {
    const events: WatchEvent[] = [];
    const status = { root: false, helperPath: null, pkexecPath: null, policyInstalled: false, mode: 'none' as const, explanation: 'no pkexec here' };
    watchAccessViaHelper(work, (e) => events.push(e), status);
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'failed', code: 'NEEDS_PRIVILEGE', message: expect.stringContaining('no pkexec here') });
  });

  it.skipIf(!isRoot)('reports the helper\'s own failure (a path that does not exist) as NOT_FOUND', async () => {
    const events: WatchEvent[] = [];
    const stop = watchAccessViaHelper(join(work, 'nope'), (e) => events.push(e));
    cleanups.push(stop);
    for (let i = 0; i < 100 && !events.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([{ type: 'failed', code: 'NOT_FOUND', message: expect.stringContaining('nope') }]);
  });
});
