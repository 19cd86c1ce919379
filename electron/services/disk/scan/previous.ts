import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLAG, KIND, type ScanTree } from './tree';

/**
 * The last finished scan of a root, kept so the next scan can say what grew: folder totals only,
 * keyed by a 53-bit hash of the path below the root.
 *
 * File `<dataDir>/disk/previous-<sha1(root)[0..16]>.bin`, little-endian:
 *   0  "VDP1"          4  u32 folder count n     8  f64 scannedAt (ms since epoch)
 *   16 f64 apparent    24 f64 allocated (the root's totals)
 *   32 n × (f64 path hash, f64 allocated bytes), largest folders first
 */
export interface PreviousScan {
  scannedAt: number;
  apparentBytes: number;
  allocatedBytes: number;
  folders: Map<number, number>;
}

const MAGIC = 'VDP1';
/** Bounds the file (16 bytes a folder): the largest folders are the ones worth comparing. */
export const MAX_FOLDERS = 250_000;

function fileFor(dataDir: string, root: Buffer): string {
  return join(dataDir, 'disk', `previous-${createHash('sha1').update(root).digest('hex').slice(0, 16)}.bin`);
}

const FNV_PRIME = 0x01000193;

/** Folds name bytes (after a "/") into a pair of FNV-1a states with different seeds. */
function fold(h1: number, h2: number, bytes: Buffer, start: number, end: number): [number, number] {
  h1 = Math.imul(h1 ^ 0x2f, FNV_PRIME) >>> 0;
  h2 = Math.imul(h2 ^ 0x2f, 0x01000197) >>> 0;
  for (let k = start; k < end; k++) {
    h1 = Math.imul(h1 ^ bytes[k], FNV_PRIME) >>> 0;
    h2 = Math.imul(h2 ^ bytes[k], 0x01000197) >>> 0;
  }
  return [h1, h2];
}

const SEED1 = 0x811c9dc5;
const SEED2 = 0x050c5d1f;
const combine = (h1: number, h2: number) => h1 * 2097152 + (h2 >>> 11);

/** The path hash of node i (relative to the root; the root hashes the empty path). */
export function hashOfNode(tree: ScanTree, i: number): number {
  let h1 = SEED1;
  let h2 = SEED2;
  const chain = tree.chain(i);
  for (let k = 1; k < chain.length; k++) {
    const n = chain[k];
    [h1, h2] = fold(h1, h2, tree.names, tree.nameOff[n], tree.nameOff[n] + tree.nameLen[n]);
  }
  return combine(h1, h2);
}

export function loadPrevious(dataDir: string, root: Buffer): PreviousScan | null {
  let buf: Buffer;
  try {
    buf = readFileSync(fileFor(dataDir, root));
  } catch {
    return null;
  }
  if (buf.length < 32 || buf.toString('latin1', 0, 4) !== MAGIC) return null;
  const n = buf.readUInt32LE(4);
  if (buf.length < 32 + n * 16) return null;
  const folders = new Map<number, number>();
  for (let k = 0; k < n; k++) folders.set(buf.readDoubleLE(32 + k * 16), buf.readDoubleLE(40 + k * 16));
  return { scannedAt: buf.readDoubleLE(8), apparentBytes: buf.readDoubleLE(16), allocatedBytes: buf.readDoubleLE(24), folders };
}

/** Saves a finished scan's folder totals (replacing the last one of the same root). */
export function savePrevious(dataDir: string, tree: ScanTree, scannedAt: number) {
  const n = tree.size;
  const dead = tree.deadMask();
  const h1 = new Uint32Array(n);
  const h2 = new Uint32Array(n);
  const dirs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (tree.kind[i] !== KIND.dir || dead[i] || tree.flags[i] & FLAG.removed) continue;
    const p = tree.parent[i];
    if (p < 0) {
      h1[i] = SEED1;
      h2[i] = SEED2;
    } else {
      [h1[i], h2[i]] = fold(h1[p], h2[p], tree.names, tree.nameOff[i], tree.nameOff[i] + tree.nameLen[i]);
    }
    dirs.push(i);
  }
  if (dirs.length > MAX_FOLDERS) {
    dirs.sort((a, b) => tree.allocated[b] - tree.allocated[a]);
    dirs.length = MAX_FOLDERS;
  }
  const buf = Buffer.alloc(32 + dirs.length * 16);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(dirs.length, 4);
  buf.writeDoubleLE(scannedAt, 8);
  buf.writeDoubleLE(tree.apparent[0], 16);
  buf.writeDoubleLE(tree.allocated[0], 24);
  dirs.forEach((i, k) => {
    buf.writeDoubleLE(combine(h1[i], h2[i]), 32 + k * 16);
    buf.writeDoubleLE(tree.allocated[i], 40 + k * 16);
  });
  const file = fileFor(dataDir, tree.rootPath);
  mkdirSync(join(dataDir, 'disk'), { recursive: true });
  writeFileSync(`${file}.tmp`, buf);
  renameSync(`${file}.tmp`, file);
}
