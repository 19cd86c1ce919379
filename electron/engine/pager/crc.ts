// CRC-32 (zlib polynomial, reflected 0xEDB88320). Node's zlib.crc32 (20.15+, native) when present,
// else a slicing-by-4 table version with the same results.
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, value?: number) => number;

const TABLES = (() => {
  const t = Array.from({ length: 4 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) t[k][n] = (t[0][t[k - 1][n] & 0xff] ^ (t[k - 1][n] >>> 8)) >>> 0;
  }
  return t;
})();

export const tableCrc32: Crc32 = (data, value = 0) => {
  const [t0, t1, t2, t3] = TABLES;
  let c = ~value >>> 0;
  let i = 0;
  const end4 = data.length & ~3;
  for (; i < end4; i += 4) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
  }
  for (; i < data.length; i++) c = t0[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
};

const native = (zlib as { crc32?: Crc32 }).crc32;
export const crc32: Crc32 = native ?? tableCrc32;
