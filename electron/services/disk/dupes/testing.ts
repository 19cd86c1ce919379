import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DupesResult } from '../../../contract/disk';

export { searchToEnd as searchAndWait } from './run';

function fill(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/**
 * A tree with every case duplicate search must get right: copies across folders, same size with
 * a difference only in the middle (partial hashes equal) or only in the last block, hard links,
 * symlinks, empty files, and names with a newline, spaces or bytes that are not UTF-8.
 */
export function makeDupeTree(root: string): void {
  for (const d of ['a', 'b', 'c/deep/er', 'odd']) mkdirSync(join(root, d), { recursive: true });
  const big = fill(300_000, 1);
  writeFileSync(join(root, 'a', 'big.bin'), big);
  writeFileSync(join(root, 'b', 'big copy.bin'), big);
  writeFileSync(join(root, 'c/deep/er', 'big.bin'), big);
  const middle = Buffer.from(big);
  middle[150_000] ^= 0xff;
  writeFileSync(join(root, 'b', 'middle-differs.bin'), middle);
  const tail = Buffer.from(big);
  tail[tail.length - 1] ^= 0xff;
  writeFileSync(join(root, 'b', 'last-byte-differs.bin'), tail);

  const small = fill(5000, 2);
  writeFileSync(join(root, 'a', 'small.txt'), small);
  writeFileSync(join(root, 'odd', 'small\nwith newline.txt'), small);
  writeFileSync(Buffer.from(`${root}/odd/bad-\xff\xfe.txt`, 'latin1'), small);
  writeFileSync(join(root, 'a', 'tiny'), 'x');
  writeFileSync(join(root, 'b', 'tiny'), 'x');
  writeFileSync(join(root, 'b', 'tiny-other'), 'y');

  // Hard links: one inode, three names, plus one real copy.
  const linked = fill(20_000, 3);
  writeFileSync(join(root, 'a', 'linked'), linked);
  linkSync(join(root, 'a', 'linked'), join(root, 'b', 'linked-2'));
  linkSync(join(root, 'a', 'linked'), join(root, 'c', 'linked-3'));
  writeFileSync(join(root, 'c', 'linked-copy'), linked);
  // Hard links only, no copy: not duplicates.
  writeFileSync(join(root, 'a', 'alone'), fill(7000, 4));
  linkSync(join(root, 'a', 'alone'), join(root, 'b', 'alone-link'));

  writeFileSync(join(root, 'a', 'empty1'), '');
  writeFileSync(join(root, 'b', 'empty2'), '');
  symlinkSync(join(root, 'a', 'big.bin'), join(root, 'b', 'link-to-big'));
  symlinkSync(join(root, 'a'), join(root, 'c', 'link-to-a'));
  // Size shared, content all different.
  for (let i = 0; i < 4; i++) writeFileSync(join(root, 'c', `unique-${i}`), fill(9000, 10 + i));
}

/** Groups as sorted lists of "dev:ino" sets, the way two tools can be compared whatever names they print. */
export function inodeGroups(groups: Buffer[][]): string[] {
  return groups
    .map((g) => {
      const set = new Set(
        g.map((p) => {
          const st = lstatSync(p);
          return `${st.dev}:${st.ino}`;
        }),
      );
      return [...set].sort().join(' ');
    })
    .sort();
}

/** `jdupes -r -0` groups (NUL-separated, so any name parses). */
export function jdupesGroups(roots: string[], extra: string[] = []): Buffer[][] {
  const out = execFileSync('jdupes', ['-r', '-0', '-q', ...extra, ...roots], { maxBuffer: 1 << 30 });
  const groups: Buffer[][] = [];
  let cur: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== 0) continue;
    if (i === start) {
      if (cur.length) groups.push(cur);
      cur = [];
    } else cur.push(out.subarray(start, i));
    start = i + 1;
  }
  if (cur.length) groups.push(cur);
  return groups;
}

export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Our groups as raw path bytes (the first name of each file; nameHex keeps non-UTF-8 bytes). */
export function ourGroups(result: DupesResult): Buffer[][] {
  return result.groups.map((g) => g.files.map((f) => (f.nameHex ? Buffer.from(f.nameHex, 'hex') : Buffer.from(f.path))));
}
