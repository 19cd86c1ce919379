import { execFileSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeAddr, parseStat, scanConnections, scanInterfaces, scanMounts, scanProcesses, scanThreads } from './live-tables';

describe('live system tables', () => {
  it('parses a stat line whose comm holds spaces and parentheses', () => {
    const st = parseStat('42 (a (b) c) S 1 42 42 0 -1 4194560 0 0 0 0 7 3 0 0 20 5 2 0 1234 1000 10 0');
    expect(st).toMatchObject({ comm: 'a (b) c', state: 'S', ppid: 1, utime: 7, stime: 3, nice: 5, threads: 2, starttime: 1234, vsz: 1000, rss: 40960 });
  });

  it('decodes kernel addresses', () => {
    expect(decodeAddr('0100007F')).toBe('127.0.0.1');
    expect(decodeAddr('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddr('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
  });

  it('processes: one row per process, like ps, with its own row correct', () => {
    const rows = scanProcesses();
    const ps = execFileSync('ps', ['-e', '-o', 'pid=']).toString().trim().split('\n').length;
    expect(Math.abs(rows.length - ps)).toBeLessThan(Math.max(10, ps * 0.2));
    const me = rows.find((r) => r[0] === process.pid)!;
    expect(me[1]).toBe(process.ppid);
    expect(me[3]).toBe(process.getuid!());
    expect(me[7]).toBeGreaterThanOrEqual(1);
    expect(me[8]).toBeGreaterThan(0);
    expect(String(me[6])).toContain(process.argv0.split('/').pop()!);
  });

  it('threads: a spawned process appears with its thread', async () => {
    const child = spawn('sleep', ['30']);
    await new Promise((r) => child.once('spawn', r));
    try {
      const rows = scanThreads().filter((r) => r[0] === child.pid);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows[0][1]).toBe(child.pid);
      expect(rows[0][2]).toBe('sleep');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('connections: a listening socket on 127.0.0.1 shows with this process as owner, as ss sees it', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const row = scanConnections().find((r) => r[0] === 'tcp' && r[2] === port)!;
      expect(row).toBeDefined();
      expect(row[1]).toBe('127.0.0.1');
      expect(row[5]).toBe('LISTEN');
      expect(row[8]).toBe(process.pid);
      const ss = execFileSync('ss', ['-tlnp']).toString();
      expect(ss).toContain(`127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  });

  it('interfaces: loopback is listed with its mtu and counters', () => {
    const lo = scanInterfaces().find((r) => r[0] === 'lo')!;
    expect(lo).toBeDefined();
    expect(lo[1]).toBe(Number(execFileSync('cat', ['/sys/class/net/lo/mtu']).toString()));
    expect(lo[3]).toBe(1);
    expect(typeof lo[6]).toBe('number');
  });

  it('mounts: the root mount matches df', () => {
    const root = scanMounts().filter((r) => r[2] === '/').pop()!;
    expect(root).toBeDefined();
    const [, size] = execFileSync('df', ['-B1', '--output=target,size', '/']).toString().trim().split('\n')[1].trim().split(/\s+/);
    expect(root[8]).toBe(Number(size));
    const findmnt = execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '/']).toString().trim();
    expect(root[3]).toBe(findmnt);
  });
});
