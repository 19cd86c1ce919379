import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCpuList, onlineCpus, parseCpuList } from './cpus';

describe('CPU lists', () => {
  it('parses the kernel format and formats it back', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(formatCpuList([11, 0, 1, 2, 3, 8, 10, 2])).toBe('0-3,8,10-11');
  });

  it('format then parse is the identity on sets of CPUs', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 1 }), (cpus) => {
        expect(parseCpuList(formatCpuList(cpus))).toEqual([...cpus].sort((a, b) => a - b));
      }),
    );
  });

  it('rejects malformed lists with INVALID_INPUT', () => {
    for (const text of ['', ' ', '1-', '-1', '3-1', 'a', '1,,2', '0x1', '9000']) {
      expect(() => parseCpuList(text)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });

  it('online CPUs are what /sys says', () => {
    expect(formatCpuList(onlineCpus())).toBe(readFileSync('/sys/devices/system/cpu/online', 'utf8').trim());
  });
});
