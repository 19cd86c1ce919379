import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { breakdownFrom, PSI_UNAVAILABLE, readMeminfo, readPressure, VmRateMeter } from './system-memory';

describe('system memory', () => {
  it('breaks /proc/meminfo down into parts that add up to the total', () => {
    const b = breakdownFrom(readMeminfo());
    const free = execFileSync('free', ['-b']).toString().split('\n')[1].split(/\s+/);
    expect(b.totalBytes).toBe(Number(free[1]));
    const sum = b.usedBytes + b.pageCacheBytes + b.buffersBytes + b.slabReclaimableBytes + b.freeBytes;
    expect(sum).toBe(b.totalBytes);
    expect(b.commitLimitBytes).toBeGreaterThan(0);
    expect(b.committedBytes).toBeGreaterThan(0);
  });

  it('reads memory pressure where the kernel has PSI, and says why not where it lacks it', () => {
    const missing = readPressure('/proc/pressure/no-such-file');
    expect(missing).toEqual({ available: false, reason: expect.stringContaining(PSI_UNAVAILABLE) });
    const real = readPressure();
    if (real.available) expect(real.some.avg10).toBeGreaterThanOrEqual(0);
    else expect(real.reason).toContain('PSI not available');
  });

  it('turns vmstat counters into non-negative rates; touching new memory makes page faults', async () => {
    const meter = new VmRateMeter();
    meter.read();
    const keep = Buffer.alloc(32 * 1024 * 1024, 1);
    await new Promise((r) => setTimeout(r, 50));
    const rates = meter.read();
    expect(keep.length).toBeGreaterThan(0);
    expect(rates.pgfaultPerSec).toBeGreaterThan(0);
    expect(rates.pswpinPerSec).toBeGreaterThanOrEqual(0);
    expect(rates.pgmajfaultPerSec).toBeGreaterThanOrEqual(0);
  });
});
