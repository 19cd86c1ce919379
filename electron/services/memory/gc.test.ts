import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gcStats, inspectPortFromArgs, listeningPortsOf } from './gc';
import { startNode, stopChild } from './testing/children';

const CHURN = `
setInterval(() => { let a = []; for (let i = 0; i < 20000; i++) a.push({ i }); }, 20);
process.stdout.write('ready\\n');
`;

describe('garbage-collected runtimes', () => {
  let inspected: ChildProcess;
  let plain: ChildProcess;
  beforeAll(async () => {
    inspected = await startNode(CHURN, ['--inspect=127.0.0.1:0']);
    plain = await startNode(CHURN);
  }, 30_000);
  afterAll(async () => {
    await stopChild(inspected);
    await stopChild(plain);
  });

  it('finds the inspector port from the command line flags', () => {
    expect(inspectPortFromArgs(['node', '--inspect', 'app.js'])).toEqual({ host: '127.0.0.1', port: 9229 });
    expect(inspectPortFromArgs(['node', '--inspect=9333'])).toEqual({ host: '127.0.0.1', port: 9333 });
    expect(inspectPortFromArgs(['node', '--inspect-brk=0.0.0.0:0'])).toEqual({ host: '0.0.0.0', port: 0 });
    expect(inspectPortFromArgs(['node', '--inspect', '--inspect-port=9400'])).toEqual({ host: '127.0.0.1', port: 9400 });
    expect(inspectPortFromArgs(['node', 'app.js', '--inspectx'])).toBeNull();
  });

  it('--inspect=0: finds the real port among the sockets the process listens on', () => {
    expect(listeningPortsOf(inspected.pid!).length).toBeGreaterThan(0);
  });

  it('reads heap usage and GC activity by kind through the inspector', async () => {
    const first = await gcStats(inspected.pid!);
    expect(first.source).toBe('inspector');
    expect(first.endpoint).toMatch(/^127\.0\.0\.1:\d+ \(from --inspect=0 via \/proc\/net\/tcp\)$/);
    expect(first.heapUsedBytes).toBeGreaterThan(0);
    expect(first.heapTotalBytes).toBeGreaterThanOrEqual(first.heapUsedBytes);
    // The observer counts from its installation on; the churn makes scavenges soon.
    await expect
      .poll(async () => (await gcStats(inspected.pid!)).gc.find((k) => k.kind === 'minor (scavenge)')?.count ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const again = await gcStats(inspected.pid!);
    expect(again.since).toBe(first.since);
  }, 20_000);

  it('a Node process without --inspect is UNAVAILABLE with the reason', async () => {
    await expect(gcStats(plain.pid!)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/--inspect/) });
  });

  it("Vantage's own heap comes from v8 and a GC observer", async () => {
    const self = await gcStats(process.pid);
    expect(self.source).toBe('self');
    expect(self.heapUsedBytes).toBeGreaterThan(0);
    Array.from({ length: 200000 }, (_, i) => ({ i }));
    await expect.poll(async () => (await gcStats(process.pid)).gc.reduce((s, k) => s + k.count, 0), { timeout: 10_000 }).toBeGreaterThan(0);
  });
});
