import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWalker } from './native-walker';
import { Scan } from './scan';
import { KIND } from './tree';
import { duBytes, findCounts } from './test-tree';

const native = loadWalker();
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

type Entry =
  | { kind: 'file'; size: number; sparse: boolean }
  | { kind: 'link' }
  | { kind: 'symlink' }
  | { kind: 'dir'; children: [Uint8Array, Entry][] };

// Names: any bytes but NUL and "/", not "." or "..".
const nameArb = fc
  .uint8Array({ minLength: 1, maxLength: 12 })
  .map((b) => Uint8Array.from(b, (x) => (x === 0 || x === 0x2f ? 0x5f : x)))
  .filter((b) => !(b.length <= 2 && b.every((x) => x === 0x2e)));

const { entry } = fc.letrec((tie) => ({
  entry: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('file' as const), size: fc.nat(20_000), sparse: fc.boolean() }),
    fc.record({ kind: fc.constant('link' as const) }),
    fc.record({ kind: fc.constant('symlink' as const) }),
    fc.record({ kind: fc.constant('dir' as const), children: fc.array(fc.tuple(nameArb, tie('entry')), { maxLength: 6 }) }),
  ) as fc.Arbitrary<Entry>,
}));

/** Writes the tree; hard links point at the first file written anywhere before them. */
function build(dir: Buffer, children: [Uint8Array, Entry][], state: { firstFile: Buffer | null }) {
  const seen = new Set<string>();
  for (const [rawName, e] of children) {
    const key = Buffer.from(rawName).toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    const path = Buffer.concat([dir, Buffer.from('/'), rawName]);
    if (e.kind === 'file') {
      writeFileSync(path, Buffer.alloc(e.sparse ? 1 : e.size, 1));
      if (e.sparse) truncateSync(path, e.size * 1000);
      state.firstFile ??= path;
    } else if (e.kind === 'link') {
      if (state.firstFile) linkSync(state.firstFile, path);
      else writeFileSync(path, 'x');
    } else if (e.kind === 'symlink') {
      symlinkSync('somewhere/else', path);
    } else {
      mkdirSync(path);
      build(path, e.children, state);
    }
  }
}

async function scanWith(root: string, engine: 'native' | 'fs') {
  const scan = new Scan('sw', root, { engine, classifyMinSize: 0 });
  await scan.whenDone();
  return scan;
}

/** Every path with its kind, sizes and category, from a scan's tree. */
function listing(scan: Scan): string[] {
  const t = scan.tree;
  const out: string[] = [];
  const dead = t.deadMask();
  for (let i = 0; i < t.size; i++) {
    if (dead[i]) continue;
    const dir = t.kind[i] === KIND.dir;
    out.push(`${t.pathBytes(i).toString('hex')} ${t.kind[i]} ${t.apparent[i]} ${t.allocated[i]} ${dir ? `${t.files[i]}/${t.dirs[i]}` : t.category[i]}`);
  }
  return out.sort();
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const canDropCaches = () => writable('/proc/sys/vm/drop_caches') && process.getuid?.() === 0;

describe('the walkers on generated trees', () => {
  it.skipIf(!native.ok)('agree with du and find, and with each other entry by entry', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(nameArb, entry), { maxLength: 8 }), async (children) => {
        const root = mkdtempSync(join(tmpdir(), 'vantage-walk-'));
        made.push(root);
        build(Buffer.from(root), children, { firstFile: null });
        const a = await scanWith(root, 'native');
        const b = await scanWith(root, 'fs');
        for (const s of [a, b]) {
          const sum = s.summary();
          expect(sum.apparentBytes).toBe(duBytes(root, 'apparent'));
          expect(sum.allocatedBytes).toBe(duBytes(root, 'allocated'));
          expect({ dirs: sum.dirs, files: sum.files }).toEqual(findCounts(root));
        }
        // Which name of a hard-linked inode holds its bytes depends on walk order: compare the
        // trees without them (they are checked through the totals above).
        const noLinks = (l: string[]) => l.filter((x) => !/ 1 0 0 /.test(x));
        expect(noLinks(listing(a)).length).toBeGreaterThan(0);
        expect(a.counters.hardLinksSkipped).toBe(b.counters.hardLinksSkipped);
        expect(a.counters.symlinks).toBe(b.counters.symlinks);
        if (a.counters.hardLinksSkipped === 0) expect(listing(a)).toEqual(listing(b));
        rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 12 },
    );
  });

  // Dropping the page cache needs root (CI runs as root) and a writable /proc/sys.
  it.skipIf(!native.ok || !canDropCaches())('run two threads per core from a warm cache and the whole pool once they read from the disk', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vantage-walk-cold-'));
    made.push(root);
    for (let i = 0; i < 300; i++) {
      mkdirSync(join(root, `d${i}`));
      for (let k = 0; k < 8; k++) writeFileSync(join(root, `d${i}`, `f${k}`), Buffer.alloc(i + k));
    }
    const expected = { apparentBytes: duBytes(root, 'apparent'), allocatedBytes: duBytes(root, 'allocated'), ...findCounts(root), errors: 0 };
    /** How many threads a walk of the tree ended with. */
    const walk = async () => {
      if (!native.ok) throw new Error(native.reason);
      const addon = native.addon;
      let done!: () => void;
      const over = new Promise<void>((resolve) => (done = resolve));
      const handle = addon.walkStart(root, { oneFileSystem: false, excludes: [], classifyMinSize: -1, threads: 12, onDone: () => done() });
      await over;
      let last = addon.walkPoll(handle);
      while (!last.done) last = addon.walkPoll(handle);
      return last.threadsRunning;
    };
    const cores = availableParallelism();
    expect(await walk()).toBe(Math.min(12, 2 * cores)); // all of it is cached: du just read it
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    const cold = new Scan('sw', root, { engine: 'native', classifyMinSize: 0 });
    await cold.whenDone();
    const { apparentBytes, allocatedBytes, dirs, files, errors } = cold.summary();
    expect({ apparentBytes, allocatedBytes, dirs, files, errors }).toEqual(expected);
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    expect(await walk()).toBe(12);
  });

  it.skipIf(!native.ok)('open subfolders relative to their parent, fall back to paths when descriptors run short, and leak none', async () => {
    // 120 levels, each with the chain's next folder and ten small ones: depth first, a level's
    // descriptor stays open while its small folders wait, so many are held at once.
    const root = mkdtempSync(join(tmpdir(), 'vantage-walk-deep-'));
    made.push(root);
    let dir = root;
    for (let i = 0; i < 120; i++) {
      for (let k = 0; k < 10; k++) {
        mkdirSync(join(dir, `b${k}`));
        writeFileSync(join(dir, `b${k}`, 'f'), Buffer.alloc((i + k) % 9));
      }
      dir = join(dir, 'a');
      mkdirSync(dir);
    }
    const expected = { apparentBytes: duBytes(root, 'apparent'), allocatedBytes: duBytes(root, 'allocated'), ...findCounts(root), errors: 0 };
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    const reference = listing(await scanWith(root, 'fs'));
    // The default keeps every descriptor it needs here; with 1 or 2 kept, some folders open by
    // path and some relative to their parent (strace: 660 and 660, 22 and 1298); 0 is all by path.
    for (const keptFds of [undefined, 0, 1, 2]) {
      const scan = new Scan('sw', root, { engine: 'native', classifyMinSize: 0, keptFds });
      await scan.whenDone();
      const { apparentBytes, allocatedBytes, dirs, files, errors } = scan.summary();
      expect({ apparentBytes, allocatedBytes, dirs, files, errors }, `keptFds ${keptFds}`).toEqual(expected);
      expect(listing(scan), `keptFds ${keptFds}`).toEqual(reference);
    }
    expect(fds()).toBe(before);
    // Under a soft limit of 256 descriptors the walker keeps at most 64, and nothing fails for
    // want of a descriptor. (At 64 the CLI itself sometimes ran out while loading its modules.)
    const out = execFileSync('prlimit', ['--nofile=256:256', process.execPath, 'bin/vantage.mjs', 'du', root, '--json'], { encoding: 'utf8' });
    const low = JSON.parse(out) as Record<string, number>;
    expect({ apparentBytes: low.apparentBytes, allocatedBytes: low.allocatedBytes, dirs: low.dirs, files: low.files, errors: low.errors }).toEqual(expected);
  });

  it.skipIf(!native.ok)('read folders of more than one directory buffer to their end, on disk and on tmpfs', async () => {
    // The walker reads with 256 KiB buffers and, on ext4, XFS, Btrfs and tmpfs, takes a read that
    // left room for another entry as the folder's end. Folders of 3,000 to 9,000 entries of
    // different name lengths need one to four reads, the last of them partly full.
    for (const parent of [tmpdir(), '/dev/shm'].filter(writable)) {
      const root = mkdtempSync(join(parent, 'vantage-walk-wide-'));
      made.push(root);
      for (const [count, pad] of [[3000, 70], [5000, 40], [9000, 90], [4100, 8]] as const) {
        const dir = join(root, `n${count}`);
        mkdirSync(dir);
        for (let i = 0; i < count; i++) writeFileSync(join(dir, `${String(i).padStart(pad, 'x')}`), '');
        mkdirSync(join(dir, 'sub'));
        writeFileSync(join(dir, 'sub', 'f'), 'abc');
      }
      const scan = await scanWith(root, 'native');
      const { dirs, files, apparentBytes } = scan.summary();
      expect({ dirs, files, apparentBytes }, parent).toEqual({ ...findCounts(root), apparentBytes: duBytes(root, 'apparent') });
      rmSync(root, { recursive: true, force: true });
    }
  });
});
