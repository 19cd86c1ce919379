import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskAddon, HASH_OK, nativeEngine, nodeEngine, type DupEngine } from './engine';

const addon = diskAddon();
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vantage-dupes-engine-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function content(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + (i >> 9)) & 0xff;
  return b;
}

async function fullHashes(engine: DupEngine, files: { path: string; size: number }[], mode: 'partial' | 'full' = 'full') {
  const paths = files.map((f) => Buffer.from(f.path));
  let off = 0;
  const out = await engine.hash({
    paths: Buffer.concat(paths),
    ends: Uint32Array.from(paths, (p) => (off += p.length)),
    sizes: Float64Array.from(files, (f) => f.size),
    mode,
    threads: 3,
  }).done;
  expect([...out.status].every((s) => s === HASH_OK)).toBe(true);
  return out;
}

const MiB = 1 << 20;
// Sizes around every boundary of the full hash: the 8 KiB small/large switch, 64-byte stripes,
// 1 KiB blocks, 1 MiB reads (a last read shorter than one stripe takes the extra tail read).
const SIZES = [8193, 8256, 9217, MiB, MiB + 1, MiB + 63, MiB + 64, 3 * MiB + 77];

describe.each([
  ['native', addon.ok ? nativeEngine(addon.addon) : null],
  ['node fallback', nodeEngine()],
] as const)('the %s full hash', (_name, engine) => {
  it.skipIf(!engine)('is equal for equal content and changes when any one byte does', async () => {
    if (!engine) return;
    for (const size of SIZES) {
      const base = content(size);
      const positions = [0, 1, 63, 64, 1023, 1024, 4095, 4096, Math.floor(size / 2), size - 65, size - 64, size - 2, size - 1];
      if (size > MiB) positions.push(MiB - 1, MiB);
      const files = [{ path: join(work, `s${size}-a`), size }, { path: join(work, `s${size}-b`), size }];
      writeFileSync(files[0].path, base);
      writeFileSync(files[1].path, base);
      for (const p of new Set(positions)) {
        const v = Buffer.from(base);
        v[p] ^= 0x01;
        const path = join(work, `s${size}-flip${p}`);
        writeFileSync(path, v);
        files.push({ path, size });
      }
      const out = await fullHashes(engine, files);
      expect(out.full[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(out.full[1]).toBe(out.full[0]);
      expect(new Set(out.full.slice(1)).size).toBe(files.length - 1);
    }
  });

  it.skipIf(!engine)('gives a file up to 8 KiB the same full hash in the partial and the full stage', async () => {
    if (!engine) return;
    const path = join(work, 'small');
    writeFileSync(path, content(5000));
    const partial = await fullHashes(engine, [{ path, size: 5000 }], 'partial');
    const full = await fullHashes(engine, [{ path, size: 5000 }], 'full');
    expect(partial.full[0]).toBe(full.full[0]);
  });
});
