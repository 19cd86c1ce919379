import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SystemCollector, systemSeries } from './system-collector';

const MiB = 1024 * 1024;

function freeB(): { total: number; available: number; swapTotal: number } {
  const lines = execFileSync('free', ['-b'], { encoding: 'utf8' }).split('\n');
  const mem = lines.find((l) => l.startsWith('Mem:'))!.split(/\s+/);
  const swap = lines.find((l) => l.startsWith('Swap:'))!.split(/\s+/);
  return { total: Number(mem[1]), available: Number(mem[6]), swapTotal: Number(swap[1]) };
}

describe('SystemCollector against /proc and free -b', () => {
  it('reports memory as free -b does', () => {
    const s = new SystemCollector().sample();
    const f = freeB();
    expect(s.memory.totalBytes).toBe(f.total);
    expect(Math.abs(s.memory.availableBytes - f.available)).toBeLessThan(64 * MiB);
    expect(s.memory.usedBytes).toBe(s.memory.totalBytes - s.memory.availableBytes);
    expect(s.memory.swapTotalBytes).toBe(f.swapTotal);
  });

  it('reports CPU shares from /proc/stat deltas, one per core', async () => {
    const c = new SystemCollector();
    const first = c.sample();
    expect(first.cpu.perCore.length).toBe(cpus().length);
    // Burn a little CPU so the second sample has something to measure.
    const until = performance.now() + 300;
    while (performance.now() < until) Math.sqrt(Math.random());
    const s = c.sample();
    expect(s.cpu.total).toBeGreaterThan(0);
    expect(s.cpu.total).toBeLessThanOrEqual(100);
    expect(s.cpu.user + s.cpu.system).toBeLessThanOrEqual(s.cpu.total + 0.01);
    for (const core of s.cpu.perCore) expect(core).toBeGreaterThanOrEqual(0);
  });

  it('reports load, uptime and tasks as /proc does', () => {
    const s = new SystemCollector().sample();
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    for (let i = 0; i < 3; i++) expect(Math.abs(s.load[i] - load[i])).toBeLessThan(1);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    expect(Math.abs(s.uptimeSeconds - uptime)).toBeLessThan(5);
    expect(s.tasks.total).toBeGreaterThan(0);
  });

  it('reports every interface in /proc/net/dev with counters that only grow, loopback up', async () => {
    const c = new SystemCollector();
    const a = c.sample();
    const names = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0].trim())
      .filter(Boolean);
    expect(a.interfaces.map((n) => n.name).sort()).toEqual(names.sort());
    expect(a.interfaces.find((n) => n.name === 'lo')?.up).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    const b = c.sample();
    for (const n of b.interfaces) {
      const before = a.interfaces.find((x) => x.name === n.name);
      if (before) expect(n.rxBytes).toBeGreaterThanOrEqual(before.rxBytes);
      expect(n.rxBytesPerSec).toBeGreaterThanOrEqual(0);
    }
  });

  it('flattens a snapshot to finite named series for history', () => {
    const series = systemSeries(new SystemCollector().sample());
    expect(series['cpu.total']).toBeTypeOf('number');
    for (const [name, v] of Object.entries(series)) {
      expect(name).toMatch(/^[A-Za-z0-9_.:\-/%]+$/);
      expect(Number.isFinite(v)).toBe(true);
    }
  });
});
