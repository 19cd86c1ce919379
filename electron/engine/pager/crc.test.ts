import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tableCrc32 } from './crc';

describe('CRC-32 fallback', () => {
  it('matches the zlib check value and zlib.crc32 on random data, chained or not', () => {
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const native = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
    for (let len = 1; len < 70; len++) {
      const data = randomBytes(len * 61);
      const seed = tableCrc32(randomBytes(5));
      const expected = native ? native(data, seed) : undefined;
      if (expected !== undefined) expect(tableCrc32(data, seed)).toBe(expected);
      expect(tableCrc32(data.subarray(len), tableCrc32(data.subarray(0, len)))).toBe(tableCrc32(data));
    }
  });
});
