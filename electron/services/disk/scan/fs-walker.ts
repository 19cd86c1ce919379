import type { BigIntStats } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { categoryByExtension, classifyContent } from './classify';
import { FLAG, KIND } from './tree';
import type { RunningWalk, WalkOptions, WalkTarget } from './walk';

/**
 * The walker used when the addon is missing: fs.readdir + lstat with a bounded number of folders
 * in flight. Same results as the native walker (sizes, hard links once, symlinks not followed,
 * same classification), only slower.
 */
const CONCURRENCY = 16;
const LSTAT_BATCH = 64;
const SLASH = Buffer.from('/');

function kindOf(st: BigIntStats): number {
  if (st.isDirectory()) return KIND.dir;
  if (st.isFile()) return KIND.file;
  if (st.isSymbolicLink()) return KIND.symlink;
  return KIND.other;
}

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  // libuv says "permission denied, scandir '…'"; the native walker says strerror's "Permission denied".
  const desc = e.message?.replace(/^[A-Z]+: /, '').replace(/,.*$/, '') ?? 'error';
  return `${e.code ?? 'EIO'}: ${desc.charAt(0).toUpperCase()}${desc.slice(1)}`;
}

/** Minimal fnmatch(3): *, ? and [...] classes. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

export function fsWalk(root: Buffer, options: WalkOptions, target: WalkTarget): RunningWalk {
  const { tree, counters } = target;
  const excludes = options.excludes.map((p) => ({ re: globToRegExp(p), full: p.includes('/') }));
  const seen = new Set<string>();
  const known = options.knownLinks ?? new BigUint64Array(0);
  for (let k = 0; k + 1 < known.length; k += 2) seen.add(`${known[k]}:${known[k + 1]}`);
  let cancelled = false;
  let rootDev = 0n;

  const excluded = (name: string, full: string) =>
    excludes.some((x) => x.re.test(name) || (x.full && x.re.test(full)));

  const readFolder = async (dir: Buffer, node: number, pending: [Buffer, number][]) => {
    counters.currentPath = dir.toString();
    let names: Buffer[];
    try {
      names = await readdir(dir, { encoding: 'buffer' });
    } catch (err) {
      counters.errors++;
      target.onError(node, null, errnoText(err));
      return;
    }
    const prefix = dir[dir.length - 1] === 0x2f ? dir : Buffer.concat([dir, SLASH]);
    let sumA = 0;
    let sumB = 0;
    let sumF = 0;
    let sumD = 0;
    const kept = names
      .map((name) => ({ name, full: Buffer.concat([prefix, name]) }))
      .filter(({ name, full }) => !excludes.length || !excluded(name.toString(), full.toString()));
    // lstat a folder's entries several at a time: one at a time leaves the thread pool idle.
    const stats: (BigIntStats | Error)[] = [];
    for (let k = 0; k < kept.length; k += LSTAT_BATCH) {
      const batch = kept.slice(k, k + LSTAT_BATCH).map(({ full }) => lstat(full, { bigint: true }).catch((err: Error) => err));
      stats.push(...(await Promise.all(batch)));
    }
    for (let k = 0; k < kept.length; k++) {
      const { name, full } = kept[k];
      const st = stats[k];
      if (st instanceof Error) {
        counters.errors++;
        target.onError(node, name, errnoText(st));
        continue;
      }
      const kind = kindOf(st);
      if (kind === KIND.dir && options.oneFileSystem && st.dev !== rootDev) continue;
      let apparent = Number(st.size);
      let allocated = Number(st.blocks) * 512;
      let flags = 0;
      let category = categoryByExtension(name.toString());
      if (kind !== KIND.dir) {
        if (st.nlink > 1n) {
          const key = `${st.dev}:${st.ino}`;
          if (seen.has(key)) {
            flags |= FLAG.hardLinkSeen;
            apparent = allocated = 0;
            counters.hardLinksSkipped++;
          } else seen.add(key);
        }
        if (kind === KIND.symlink) counters.symlinks++;
        if (kind === KIND.file) {
          const c = options.classifyMinSize >= 0 && st.size >= BigInt(options.classifyMinSize) ? await sniff(full, name.toString()) : -1;
          if (c >= 0) {
            category = c;
            flags |= FLAG.byContent;
            counters.byContent++;
          } else counters.byExtension++;
        } else category = categoryByExtension('');
      } else category = categoryByExtension('');
      const off = tree.appendNames(name);
      const idx = tree.push(node, off, name.length, kind, category, flags, apparent, allocated, Number(st.mtimeNs / 1000n) / 1000);
      if (kind !== KIND.dir && st.nlink > 1n) tree.linkKeys.set(idx, [st.dev, st.ino]);
      sumA += apparent;
      sumB += allocated;
      if (kind === KIND.dir) {
        sumD++;
        pending.push([full, idx]);
      } else sumF++;
    }
    tree.addUp(node, sumA, sumB, sumF, sumD);
  };

  const done = (async () => {
    const st = await lstat(root, { bigint: true });
    rootDev = st.dev;
    const base = root.subarray(root.lastIndexOf(0x2f) + 1);
    const off = tree.appendNames(base);
    let rootIdx: number;
    if (target.attach < 0) {
      rootIdx = tree.push(-1, off, base.length, kindOf(st), categoryByExtension(''), 0, Number(st.size), Number(st.blocks) * 512, Number(st.mtimeNs / 1000n) / 1000);
    } else {
      rootIdx = target.attach;
      tree.mtime[rootIdx] = Number(st.mtimeNs / 1000n) / 1000;
      tree.addUp(rootIdx, Number(st.size), Number(st.blocks) * 512, 0, 0);
    }
    if (!st.isDirectory()) return;
    const stack: [Buffer, number][] = [[root, rootIdx]];
    let active = 0;
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        if (cancelled) stack.length = 0;
        while (active < CONCURRENCY && stack.length) {
          const [dir, node] = stack.pop()!;
          const found: [Buffer, number][] = [];
          active++;
          readFolder(dir, node, found).then(() => {
            active--;
            for (let k = found.length - 1; k >= 0; k--) stack.push(found[k]);
            pump();
          }, reject);
        }
        if (active === 0 && stack.length === 0) resolve();
      };
      pump();
    });
  })();
  return {
    cancel() {
      cancelled = true;
    },
    done,
  };
}

async function sniff(path: Buffer, name: string): Promise<number> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(512);
      const { bytesRead } = await fh.read(buf, 0, 512, 0);
      return classifyContent(buf.subarray(0, bytesRead), name);
    } finally {
      await fh.close();
    }
  } catch {
    return -1;
  }
}
