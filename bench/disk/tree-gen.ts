import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { link, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A synthetic home-like tree of `entries` files and folders: 12–28 files and 2–4 subfolders per
 * folder, mostly small files (0–2 KiB, some 4 KiB), a few sparse large ones, some hard links.
 * Deterministic (seeded), built once and reused: a marker file records the entry count.
 * Folders are made first (parents before children), then files in parallel: creating files is
 * what takes the time, and the kernel does it faster with several in flight.
 */
export async function ensureTree(dir: string, entries: number, log: (s: string) => void): Promise<string> {
  const marker = join(dir, '.vantage-bench-complete');
  if (existsSync(marker) && Number(readFileSync(marker, 'utf8')) === entries) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`generating a ${entries}-entry tree under ${dir} (once)…\n`);
  let seed = 0x2545f491;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const exts = ['txt', 'js', 'ts', 'json', 'png', 'jpg', 'md', 'c', 'h', 'py', 'log', 'bin', 'gz', 'html', 'css'];
  const files: { path: string; size: number; sparse: boolean; linkTo: string | null }[] = [];
  let made = 0;
  let dirCount = 0;
  const queue: string[] = [dir];
  for (let q = 0; q < queue.length && made < entries; q++) {
    const folder = queue[q];
    const nFiles = 12 + Math.floor(rnd() * 16);
    for (let f = 0; f < nFiles && made < entries; f++, made++) {
      const path = join(folder, `file-${f}-${Math.floor(rnd() * 1e6).toString(36)}.${exts[Math.floor(rnd() * exts.length)]}`);
      const r = rnd();
      const sparse = r < 0.002;
      const size = sparse ? Math.floor(rnd() * 64 * 1024 * 1024) : r < 0.05 ? 4096 : Math.floor(rnd() * 2048);
      const prev = files.length ? files[files.length - 1] : null;
      files.push({ path, size, sparse, linkTo: r > 0.995 && prev && !prev.linkTo ? prev.path : null });
    }
    const nDirs = 2 + Math.floor(rnd() * 3);
    for (let d = 0; d < nDirs && made < entries; d++, made++) {
      const sub = join(folder, `dir-${(dirCount++).toString(36)}`);
      mkdirSync(sub);
      queue.push(sub);
    }
  }
  const payload = Buffer.alloc(4096, 0x61);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++];
      if (f.linkTo) {
        await link(f.linkTo, f.path).catch(() => writeFile(f.path, payload.subarray(0, 10)));
      } else if (f.sparse) {
        await writeFile(f.path, payload.subarray(0, 100));
        await truncate(f.path, f.size);
      } else {
        await writeFile(f.path, payload.subarray(0, f.size));
      }
      if (next % 50_000 === 0) log(`  ${next} files…\n`);
    }
  };
  // Hard links need their target first: targets come earlier in the list, and a failed link
  // (target not written yet) becomes a plain small file, so the tree is complete either way.
  await Promise.all(Array.from({ length: 24 }, worker));
  writeFileSync(marker, String(entries));
  return dir;
}
