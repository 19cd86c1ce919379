import { createHash } from 'node:crypto';
import { lstat, open, readdir } from 'node:fs/promises';
import { loadAddon } from '../../native/load';

/**
 * The two stages that touch the disk, behind one interface: the native engine
 * (native/addon/disk/dup_walk.cc, dup_hash.cc: parallel statx walk, XXH64 and Wide128 hashes on a
 * thread pool)
 * and a Node fallback (fs + node:crypto) used when the addon is not built. Both return candidates
 * sorted by (size, dev, ino, path) and only from size groups holding two inodes or more.
 * Their hashes differ, so the hash cache keeps them apart by `algo`.
 */

export interface WalkOptions {
  roots: string[];
  minSize: number;
  oneFileSystem: boolean;
  excludes: string[];
  threads: number;
}

export interface Candidates {
  count: number;
  /** All candidate paths back to back; path i is paths[ends[i-1] .. ends[i]). */
  paths: Buffer;
  ends: Uint32Array;
  dev: Float64Array;
  ino: Float64Array;
  size: Float64Array;
  mtimeSec: Float64Array;
  mtimeNsec: Uint32Array;
  filesSeen: number;
  dirs: number;
  errors: number;
  sizeGroups: number;
  cancelled: boolean;
}

export interface HashBatch {
  paths: Buffer;
  ends: Uint32Array;
  sizes: Float64Array;
  inos?: Float64Array;
  mode: 'partial' | 'full';
  threads: number;
}

export const HASH_PENDING = 0;
export const HASH_OK = 1;
export const HASH_ERROR = 2;
export const HASH_CHANGED = 3;

export interface HashOutput {
  /** HASH_* per file. */
  status: Uint8Array;
  /** 16 hex digits; partial mode only. */
  partial: (string | null)[];
  /** 32 hex digits: in full mode, and in partial mode for files read whole (up to 8 KiB). */
  full: (string | null)[];
  errors: (string | null)[];
  done: number;
  bytesHashed: number;
  cancelled: boolean;
}

export interface Task<T> {
  done: Promise<T>;
  poll(): Record<string, number>;
  cancel(): void;
}

export interface DupEngine {
  name: 'native' | 'node';
  /** Cache namespace: hashes of different engines never mix. */
  algo: string;
  walk(opts: WalkOptions): Task<Candidates>;
  hash(batch: HashBatch): Task<HashOutput>;
}

export interface DiskAddon {
  dupWalk(opts: WalkOptions): Task<Candidates>;
  dupHash(batch: HashBatch): Task<HashOutput>;
  cloneFile(src: string | Buffer, dst: string | Buffer): { ok: boolean; errno?: string; message?: string };
  dedupeRange(
    src: string | Buffer,
    dst: string | Buffer,
  ): { ok: boolean; bytesDeduped?: number; errno?: string; message?: string };
  inotifyOpen(opts: { root: string | Buffer; maxWatches: number }): NativeInotify;
  fanotifyOpen(path: string | Buffer): NativeFanotify;
}

export interface NativeWatchEvent {
  ts: number;
  path: Buffer;
  kind: string;
  isDir?: boolean;
  pid?: number;
  comm?: string;
}

export interface NativeInotify {
  watches: number;
  folders: number;
  /** false when counting stopped early (a huge tree): `folders` is then a lower bound. */
  foldersCounted: boolean;
  limitReason: string | null;
  read(): NativeWatchEvent[];
  watchCount(): number;
  close(): void;
}

export interface NativeFanotify {
  read(): NativeWatchEvent[];
  close(): void;
}

export function diskAddon(): { ok: true; addon: DiskAddon } | { ok: false; reason: string } {
  const r = loadAddon<Partial<DiskAddon>>('vantage_disk');
  if (!r.ok) return r;
  if (typeof r.addon.dupWalk !== 'function') return { ok: false, reason: 'the vantage_disk addon is older than this code (rebuild it)' };
  return { ok: true, addon: r.addon as DiskAddon };
}

export function nativeEngine(addon: DiskAddon): DupEngine {
  return { name: 'native', algo: 'xxh64-wide128', walk: (o) => addon.dupWalk(o), hash: (b) => addon.dupHash(b) };
}

/** The native engine when the addon loads, else the Node fallback. */
export function defaultEngine(): DupEngine {
  const r = diskAddon();
  return r.ok ? nativeEngine(r.addon) : nodeEngine();
}

// ---------------------------------------------------------------- Node fallback

const BLOCK = 4096;

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function pool<T>(items: T[], workers: number, fn: (item: T) => Promise<void>, cancelled: () => boolean) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, async () => {
      while (next < items.length && !cancelled()) await fn(items[next++]);
    }),
  );
}

interface Rec {
  dev: number;
  ino: number;
  size: number;
  mtimeSec: number;
  mtimeNsec: number;
  path: Buffer;
}

function nodeWalk(opts: WalkOptions): Task<Candidates> {
  let cancel = false;
  const counts = { filesSeen: 0, dirs: 0, errors: 0, bytesSeen: 0 };
  const excludes = opts.excludes.map((p) => ({ byPath: p.includes('/'), re: globToRegExp(p) }));
  const excluded = (name: string, path: string) => excludes.some((e) => e.re.test(e.byPath ? path : name));
  const run = async (): Promise<Candidates> => {
    const recs: Rec[] = [];
    const visited = new Set<string>();
    const add = (path: Buffer, st: import('node:fs').BigIntStats) => {
      counts.filesSeen++;
      counts.bytesSeen += Number(st.size);
      if (Number(st.size) < opts.minSize) return;
      recs.push({
        dev: Number(st.dev),
        ino: Number(st.ino),
        size: Number(st.size),
        mtimeSec: Number(st.mtimeNs / 1_000_000_000n),
        mtimeNsec: Number(st.mtimeNs % 1_000_000_000n),
        path,
      });
    };
    const queue: { path: Buffer; rootDev: number }[] = [];
    for (const root of opts.roots) {
      try {
        const st = await lstat(root, { bigint: true });
        const path = Buffer.from(root);
        if (st.isDirectory() && !visited.has(`${st.dev}:${st.ino}`)) {
          visited.add(`${st.dev}:${st.ino}`);
          queue.push({ path, rootDev: Number(st.dev) });
        } else if (st.isFile()) add(path, st);
      } catch {
        counts.errors++;
      }
    }
    while (queue.length && !cancel) {
      const batch = queue.splice(0, queue.length);
      await pool(
        batch,
        opts.threads * 4,
        async ({ path, rootDev }) => {
          counts.dirs++;
          let names: Buffer[];
          try {
            names = await readdir(path, { encoding: 'buffer' });
          } catch {
            counts.errors++;
            return;
          }
          for (const name of names) {
            const child = Buffer.concat([path, Buffer.from(path[path.length - 1] === 0x2f ? '' : '/'), name]);
            if (excludes.length && excluded(name.toString(), child.toString())) continue;
            let st;
            try {
              st = await lstat(child, { bigint: true });
            } catch {
              continue;
            }
            if (st.isFile()) add(child, st);
            else if (st.isDirectory()) {
              if (opts.oneFileSystem && Number(st.dev) !== rootDev) continue;
              const key = `${st.dev}:${st.ino}`;
              if (visited.has(key)) continue;
              visited.add(key);
              queue.push({ path: child, rootDev });
            }
          }
        },
        () => cancel,
      );
    }
    recs.sort((a, b) => a.size - b.size || a.dev - b.dev || a.ino - b.ino || Buffer.compare(a.path, b.path));
    const unique = recs.filter(
      (r, i) => i === 0 || !(r.dev === recs[i - 1].dev && r.ino === recs[i - 1].ino && r.path.equals(recs[i - 1].path)),
    );
    const keep: Rec[] = [];
    let sizeGroups = 0;
    for (let i = 0; i < unique.length; ) {
      let j = i + 1;
      let inodes = 1;
      while (j < unique.length && unique[j].size === unique[i].size) {
        if (unique[j].dev !== unique[j - 1].dev || unique[j].ino !== unique[j - 1].ino) inodes++;
        j++;
      }
      if (inodes >= 2) {
        sizeGroups++;
        keep.push(...unique.slice(i, j));
      }
      i = j;
    }
    const n = keep.length;
    const out: Candidates = {
      count: n,
      paths: Buffer.concat(keep.map((r) => r.path)),
      ends: new Uint32Array(n),
      dev: new Float64Array(n),
      ino: new Float64Array(n),
      size: new Float64Array(n),
      mtimeSec: new Float64Array(n),
      mtimeNsec: new Uint32Array(n),
      ...counts,
      sizeGroups,
      cancelled: cancel,
    };
    let off = 0;
    keep.forEach((r, i) => {
      off += r.path.length;
      out.ends[i] = off;
      out.dev[i] = r.dev;
      out.ino[i] = r.ino;
      out.size[i] = r.size;
      out.mtimeSec[i] = r.mtimeSec;
      out.mtimeNsec[i] = r.mtimeNsec;
    });
    return out;
  };
  return { done: run(), poll: () => ({ ...counts }), cancel: () => void (cancel = true) };
}

function nodeHash(batch: HashBatch): Task<HashOutput> {
  let cancel = false;
  const n = batch.ends.length;
  const out: HashOutput = {
    status: new Uint8Array(n),
    partial: new Array<string | null>(n).fill(null),
    full: new Array<string | null>(n).fill(null),
    errors: new Array<string | null>(n).fill(null),
    done: 0,
    bytesHashed: 0,
    cancelled: false,
  };
  const order = Array.from({ length: n }, (_, i) => i);
  if (batch.mode === 'full') order.sort((a, b) => batch.sizes[b] - batch.sizes[a]);
  const hashOne = async (i: number) => {
    const path = batch.paths.subarray(i === 0 ? 0 : batch.ends[i - 1], batch.ends[i]);
    const size = batch.sizes[i];
    let fh;
    try {
      fh = await open(path, 'r');
      const st = await fh.stat();
      if (st.size !== size) {
        out.status[i] = HASH_CHANGED;
        out.errors[i] = 'the file changed size since it was found';
        return;
      }
      if (batch.mode === 'partial') {
        const whole = size <= 2 * BLOCK;
        const buf = Buffer.alloc(whole ? size : 2 * BLOCK);
        if (whole) await fh.read(buf, 0, size, 0);
        else {
          await fh.read(buf, 0, BLOCK, 0);
          await fh.read(buf, BLOCK, BLOCK, size - BLOCK);
        }
        out.bytesHashed += buf.length;
        out.partial[i] = createHash('sha1').update(buf).digest('hex').slice(0, 16);
        if (whole) out.full[i] = createHash('md5').update(buf).digest('hex');
      } else {
        const h = createHash('md5');
        const buf = Buffer.alloc(1 << 20);
        let off = 0;
        while (off < size && !cancel) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - off), off);
          if (bytesRead === 0) break;
          h.update(buf.subarray(0, bytesRead));
          off += bytesRead;
          out.bytesHashed += bytesRead;
        }
        if (cancel) return;
        if (off !== size) {
          out.status[i] = HASH_CHANGED;
          out.errors[i] = 'the file is shorter than when it was found';
          return;
        }
        out.full[i] = h.digest('hex');
      }
      out.status[i] = HASH_OK;
      out.done++;
    } catch (err) {
      out.status[i] = HASH_ERROR;
      out.errors[i] = (err as Error).message;
    } finally {
      await fh?.close();
    }
  };
  const done = pool(order, batch.threads, hashOne, () => cancel).then(() => ({ ...out, cancelled: cancel }));
  return { done, poll: () => ({ done: out.done, bytesHashed: out.bytesHashed }), cancel: () => void (cancel = true) };
}

export function nodeEngine(): DupEngine {
  return { name: 'node', algo: 'node-sha1-md5', walk: nodeWalk, hash: nodeHash };
}
