import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PNG signature and a minimal IHDR, padded: classified as an image by content whatever its name. */
export function pngBytes(size: number): Buffer {
  const b = Buffer.alloc(size);
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').copy(b);
  return b;
}

/**
 * A small tree with everything a disk scanner gets wrong: hard links inside and across folders,
 * symlinks to files and folders, a sparse file, empty folders, a name with a newline and one
 * that is not valid UTF-8. Returns its root (a fresh folder under tmp).
 */
export function makeTestTree(base = tmpdir()): string {
  const root = mkdtempSync(join(base, 'vantage-scan-'));
  const w = (p: string, bytes: number | Buffer) => writeFileSync(join(root, p), typeof bytes === 'number' ? Buffer.alloc(bytes, 7) : bytes);
  for (const d of ['a', 'a/deep', 'a/deep/er', 'b', 'empty', 'empty2/inner', 'media', 'links']) mkdirSync(join(root, d), { recursive: true });
  w('a/one.txt', 1000);
  w('a/deep/two.bin', 5000);
  w('a/deep/er/three.log', 12345);
  w('b/big.dat', 300_000);
  w('media/photo.dat', pngBytes(70_000));
  w('media/song.mp3', 2000);
  w('media/clip.mkv', 100);
  // Hard links: one inode under three names, two folders.
  linkSync(join(root, 'b/big.dat'), join(root, 'b/big-link.dat'));
  linkSync(join(root, 'b/big.dat'), join(root, 'a/big-elsewhere.dat'));
  symlinkSync('../b/big.dat', join(root, 'links/to-file'));
  symlinkSync('../a', join(root, 'links/to-dir'));
  symlinkSync('/nonexistent/target', join(root, 'links/dangling'));
  writeFileSync(join(root, 'sparse.img'), '');
  truncateSync(join(root, 'sparse.img'), 100 * 1024 * 1024);
  w('name\nwith newline.txt', 321);
  // "bad-\xff\xfe.txt": not valid UTF-8, written by bytes.
  writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]), Buffer.alloc(777, 1));
  return root;
}

/** `du` of a folder in bytes: apparent (-sb) or allocated (-sB1). */
export function duBytes(path: string, mode: 'apparent' | 'allocated', extra: string[] = []): number {
  const out = execFileSync('du', [mode === 'apparent' ? '-sb' : '-sB1', ...extra, path], { encoding: 'utf8' });
  return Number(out.split('\t')[0]);
}

/** Entries `find` sees: folders (root included) and everything else. */
export function findCounts(path: string): { dirs: number; files: number } {
  const count = (args: string[]) => execFileSync('find', [path, ...args, '-printf', 'x'], { encoding: 'utf8' }).length;
  return { dirs: count(['-type', 'd']), files: count(['!', '-type', 'd']) };
}
