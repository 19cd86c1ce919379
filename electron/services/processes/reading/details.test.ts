import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitRow, ProcessDetails } from '../../../contract/processes';
import { ensureTestUser, removeTestUser } from '../../memory/testing/user';
import { readProcessDetails } from './details';
import { openReader, readerAddon } from './reader';
import { startReady, stopChild } from './testing/children';

const addon = readerAddon();
const deps = { reader: openReader(), addon: addon.ok ? addon.addon : null, addonReason: addon.ok ? undefined : addon.reason };

/** Holds a file open for append at a known position, a TCP listener, and its stdio pipes. */
const HOLDER = (file: string) => `
const fs = require('node:fs');
const net = require('node:net');
const fd = fs.openSync(${JSON.stringify(file)}, 'a');
fs.writeSync(fd, 'x'.repeat(1234));
const dgram = require('node:dgram');
const udp = dgram.createSocket('udp4');
const server = net.createServer().listen(0, '127.0.0.1', () => {
  udp.bind(0, '127.0.0.1', () => {
    // IPv6 loopback when the machine has it (null otherwise).
    const server6 = net.createServer();
    const done = (port6) => process.stdout.write(JSON.stringify({ fd, port: server.address().port, udpPort: udp.address().port, port6 }) + '\\n');
    server6.once('error', () => done(null));
    server6.listen(0, '::1', () => done(server6.address().port));
  });
});
setInterval(() => {}, 1000);
`;

describe('process details', () => {
  let dir: string;
  let holder: ChildProcess;
  let info: { fd: number; port: number; udpPort: number; port6: number | null };
  let d: ProcessDetails;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vantage-details-'));
    // stdin from a process substitution: a real pipe (Node's own stdio pipes are socketpairs).
    const started = await startReady('bash', ['-c', 'exec "$0" -e "$1" < <(echo)', process.execPath, HOLDER(join(dir, 'held.log'))], {
      env: { ...process.env, VANTAGE_DETAILS_TEST: 'hello details' },
      cwd: dir,
    });
    holder = started.child;
    info = JSON.parse(started.line);
    d = readProcessDetails(holder.pid!, deps);
  });
  afterAll(async () => {
    await stopChild(holder);
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the process, its command line, executable and directories', () => {
    expect(d.pid).toBe(holder.pid);
    expect(d.ppid).toBe(process.pid); // bash exec'd node
    expect(d.comm).toBe('node');
    expect(d.argv[0]).toBe(process.execPath);
    expect(d.argv[1]).toBe('-e');
    expect(d.exe).toBe(process.execPath);
    expect(d.cwd).toBe(dir);
    expect(d.root).toBe('/');
    expect(d.user).toBe('root');
    expect(d.threads).toBeGreaterThan(1);
    expect(d.unreadable).toEqual({});
  });

  it('lists open files with mode and position, the TCP listener with its port, and pipes', () => {
    const file = d.fds!.find((f) => f.fd === info.fd)!;
    expect(file).toMatchObject({ kind: 'file', target: join(dir, 'held.log'), position: 1234 });
    expect(file.mode).toMatch(/^w O_APPEND/);
    const listener = d.fds!.find((f) => f.socket?.local === `127.0.0.1:${info.port}`)!;
    expect(listener.kind).toBe('socket');
    expect(listener.socket).toEqual({ protocol: 'tcp', local: `127.0.0.1:${info.port}`, remote: '0.0.0.0:0', state: 'LISTEN' });
    const udp = d.fds!.find((f) => f.socket?.protocol === 'udp')!;
    expect(udp.socket).toEqual({ protocol: 'udp', local: `127.0.0.1:${info.udpPort}`, remote: '0.0.0.0:0', state: 'UNCONN' });
    if (info.port6 !== null) {
      const six = d.fds!.find((f) => f.socket?.protocol === 'tcp6')!;
      expect(six.socket).toEqual({ protocol: 'tcp6', local: `[::1]:${info.port6}`, remote: '[::]:0', state: 'LISTEN' });
    }
    const stdin = d.fds!.find((f) => f.fd === 0)!;
    expect(stdin.kind).toBe('pipe');
    expect(stdin.target).toMatch(/^pipe:\[\d+\]$/);
    expect(stdin.mode).toMatch(/^r( |$)/);
    // Node's stdio to its parent is a unix socketpair.
    expect(d.fds!.find((f) => f.fd === 1)).toMatchObject({ kind: 'socket', socket: { protocol: 'unix', state: 'CONNECTED' } });
    expect(d.fds!.some((f) => f.kind === 'anon')).toBe(true);
  });

  it('reads the environment it was started with', () => {
    expect(d.environment).toContainEqual({ name: 'VANTAGE_DETAILS_TEST', value: 'hello details' });
  });

  it('reads limits set with prlimit at spawn', async () => {
    // Not Node: it raises its own soft open-files limit to the hard one at startup.
    const sleeper = spawn('prlimit', ['--nofile=123:456', 'sleep', '60'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
    let limits: LimitRow[];
    try {
      limits = readProcessDetails(sleeper.pid!, deps).limits;
    } finally {
      sleeper.kill('SIGKILL');
    }
    const nofile = limits.find((l) => l.resource === 'nofile')!;
    expect(nofile).toMatchObject({ name: 'Max open files', soft: 123, hard: 456, units: 'files' });
    expect(limits.length).toBeGreaterThanOrEqual(16);
  });

  it('gives the parent chain up to PID 1, children, cgroups and namespaces', () => {
    expect(d.parentChain[0].pid).toBe(process.pid);
    expect(d.parentChain.at(-1)!.pid).toBe(1);
    const mine = readProcessDetails(process.pid, deps);
    expect(mine.children.map((c) => c.pid)).toContain(holder.pid);
    expect(d.cgroups.length).toBeGreaterThan(0);
    const types = d.namespaces.map((n) => n.type);
    for (const t of ['pid', 'net', 'mnt', 'uts', 'ipc', 'user']) expect(types).toContain(t);
    expect(d.namespaces.every((n) => n.inode > 0)).toBe(true);
  });

  it('reads scheduling facts: affinity, I/O priority, OOM score, seccomp, capabilities', () => {
    expect(d.affinity!.length).toBeGreaterThan(0);
    if (addon.ok) expect(d.ioPriority).not.toBeNull();
    else expect(d.unreadable.ioPriority).toMatch(/UNAVAILABLE/);
    expect(d.oomScoreAdj).toBe(0);
    expect(d.oomScore).toBeGreaterThanOrEqual(0);
    expect(d.seccomp).not.toBeNull();
    expect(d.capabilities!.effective.length).toBeGreaterThan(0);
  });

  it('a zombie gives what is left of it and says why the rest is gone', async () => {
    // The shell starts a short child, then becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', '/bin/true & exec sleep 60'], { stdio: 'ignore' });
    try {
      let zombie = 0;
      for (let k = 0; k < 50 && !zombie; k++) {
        await new Promise((r) => setTimeout(r, 20));
        zombie = readProcessDetails(parent.pid!, deps).children[0]?.pid ?? 0;
      }
      const z = readProcessDetails(zombie, deps);
      expect(z.state).toBe('Z');
      expect(z.ppid).toBe(parent.pid);
      expect(z.exe).toBeNull();
      expect(z.unreadable.exe).toMatch(/zombie/);
      expect(z.argv).toEqual([]);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('names netlink sockets by family', async () => {
    const script = 'import socket, time\ns = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)\ns.bind((0, 0))\nprint("ready", flush=True)\ntime.sleep(60)';
    const { child } = await startReady('python3', ['-c', script]);
    try {
      const socks = readProcessDetails(child.pid!, deps).fds!.filter((f) => f.kind === 'socket');
      expect(socks.map((f) => f.socket)).toContainEqual({ protocol: 'netlink', local: 'route', remote: `port ${child.pid}`, state: '' });
    } finally {
      await stopChild(child);
    }
  });

  it('an unknown pid fails with ESRCH', () => {
    expect(() => readProcessDetails(4_194_000, deps)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

const USER = 'vproc-read';

describe('process details as an unprivileged user', () => {
  let user: { name: string; uid: number };
  let dir: string;

  beforeAll(() => {
    user = ensureTestUser(USER);
    dir = mkdtempSync(join(tmpdir(), 'vantage-details-user-'));
    chmodSync(dir, 0o755);
  });
  afterAll(() => {
    removeTestUser(USER);
    rmSync(dir, { recursive: true, force: true });
  });

  const probe = <T>(what: 'details' | 'table', pid: number) => {
    const out = execFileSync(
      'runuser',
      ['-u', user.name, '--', process.execPath, '--import', 'tsx', new URL('./testing/probe.ts', import.meta.url).pathname, what, String(pid)],
      { env: { ...process.env, HOME: dir }, cwd: new URL('../../../../', import.meta.url).pathname },
    ).toString();
    return JSON.parse(out) as { ok: boolean; value: T; message?: string; reader: string };
  };

  it('reads every process of other users in the table, with their I/O marked unknown', () => {
    const r = probe<{ count: number; row: { uid: number; comm: string; readBytes: number; writeBytes: number } | null; self: { readBytes: number } }>('table', process.pid);
    expect(r.ok, r.message).toBe(true);
    expect(r.reader).toBe(readerAddon().ok ? 'native' : 'fallback');
    expect(r.value.count).toBeGreaterThan(10);
    expect(r.value.row).toMatchObject({ uid: 0, comm: 'node', readBytes: -1, writeBytes: -1 });
    // Its own I/O it may read.
    expect(r.value.self.readBytes).toBeGreaterThanOrEqual(0);
  });

  it('reads what it may of a root process and says why the rest is unreadable, without throwing', () => {
    const r = probe<ProcessDetails>('details', process.pid);
    expect(r.ok, r.message).toBe(true);
    const v = r.value;
    expect(v.pid).toBe(process.pid);
    expect(v.user).toBe('root');
    expect(v.comm).toBe('node');
    expect(v.environment).toBeNull();
    expect(v.unreadable.environment).toMatch(/^EACCES: needs ptrace access/);
    expect(v.fds).toBeNull();
    expect(v.unreadable.fds).toMatch(/^EACCES/);
    expect(v.exe).toBeNull();
    expect(v.unreadable.exe).toMatch(/^EACCES/);
    // World-readable parts are still there.
    expect(v.limits.length).toBeGreaterThan(0);
    expect(v.argv.length).toBeGreaterThan(0);
    expect(v.parentChain.at(-1)!.pid).toBe(1);
  });
});
