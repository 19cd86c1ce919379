import { loadAddon, type NativeResult } from '../../native/load';
import { KIND, FLAG } from './tree';
import type { RunningWalk, WalkOptions, WalkTarget } from './walk';

/** The walker functions of vantage_disk.node (native/addon/disk/walker.cc). */
export interface WalkerAddon {
  /** Bytes per record: a build from older sources would be misread, so it is checked. */
  walkRecordSize: number;
  walkStart(root: string | Buffer, options: WalkOptions & { threads?: number; onDone?: () => void }): unknown;
  walkPoll(handle: unknown): WalkPoll;
  walkCancel(handle: unknown): void;
  classifyBytes(head: Buffer, name: string): number;
  categoryOfName(name: string): number;
}

export interface WalkPoll {
  records: Buffer;
  names: Buffer;
  errors: [token: number, name: Buffer | null, message: string][];
  done: boolean;
  currentPath: Buffer;
  /** Once done: how long the walk itself took (JS notices a poll later). */
  walkMs: number;
  /** Threads of the pool the walk lets run: two per core until it reads from the disk, then all. */
  threadsRunning: number;
}

const RECORD = 64;
const NO_TOKEN = 0xffffffff;
/** Record flag of a folder's "self" record: its own size, sent by the worker that opened it. */
const SELF = 8;

export function loadWalker(): NativeResult<WalkerAddon> {
  const r = loadAddon<Partial<WalkerAddon>>('vantage_disk');
  if (!r.ok) return r;
  if (typeof r.addon.walkStart !== 'function' || r.addon.walkRecordSize !== RECORD) {
    return { ok: false, reason: 'native addon vantage_disk is out of date (run `npm run build:native`)' };
  }
  return r as NativeResult<WalkerAddon>;
}

/** Folder token → node index for one walk. Tokens are dense, handed out by the addon. */
class TokenMap {
  private map = new Int32Array(4096).fill(-1);
  set(token: number, index: number) {
    if (token >= this.map.length) {
      const m = new Int32Array(Math.max(token + 1, this.map.length * 2)).fill(-1);
      m.set(this.map);
      this.map = m;
    }
    this.map[token] = index;
  }
  get(token: number): number {
    return token < this.map.length ? this.map[token] : -1;
  }
}

/**
 * Runs the native walker, draining its batches into the tree every `pollMs` (each poll hands over
 * the records and names published since the last) and once more as soon as the addon says its
 * last worker has left.
 */
export function nativeWalk(addon: WalkerAddon, root: string | Buffer, options: WalkOptions, target: WalkTarget, pollMs = 8): RunningWalk {
  const tokens = new TokenMap();
  let cancelled = false;
  let over = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settle!: { resolve: () => void; reject: (err: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const tick = () => {
    if (over) return;
    clearTimeout(timer);
    try {
      const r = addon.walkPoll(handle);
      ingest(r, target, tokens);
      if (r.done) {
        over = true;
        settle.resolve();
        return;
      }
      timer = setTimeout(tick, cancelled ? 1 : pollMs);
    } catch (err) {
      over = true;
      settle.reject(err as Error);
    }
  };
  // Without onDone the end of a walk waited for the next poll: half a poll period on average.
  const handle = addon.walkStart(root, { ...options, threads: 12, onDone: tick });
  timer = setTimeout(tick, 1);
  return {
    cancel() {
      cancelled = true;
      addon.walkCancel(handle);
    },
    done,
  };
}

function ingest(r: WalkPoll, target: WalkTarget, tokens: TokenMap) {
  const { tree, counters } = target;
  const n = r.records.length / RECORD;
  // Typed views need 8-byte alignment; Buffer.Copy usually gives it, else copy once.
  let rec = r.records;
  if (rec.byteOffset % 8 !== 0) rec = Buffer.from(rec);
  const f64 = new Float64Array(rec.buffer, rec.byteOffset, n * 8);
  const u64 = new BigUint64Array(rec.buffer, rec.byteOffset, n * 8);
  const u32 = new Uint32Array(rec.buffer, rec.byteOffset, n * 16);
  const u16 = new Uint16Array(rec.buffer, rec.byteOffset, n * 32);
  const u8 = new Uint8Array(rec.buffer, rec.byteOffset, n * 64);
  tree.reserve(n, 0);
  const nameBase = n ? tree.appendNames(r.names) : 0;
  // Entries of one folder arrive together: their sums go up the ancestor chain once per run.
  let runParent = -1;
  let sumA = 0;
  let sumB = 0;
  let sumF = 0;
  let sumD = 0;
  const flush = () => {
    if (runParent >= 0 && (sumA || sumB || sumF || sumD)) tree.addUp(runParent, sumA, sumB, sumF, sumD);
    sumA = sumB = sumF = sumD = 0;
  };
  for (let i = 0; i < n; i++) {
    const apparent = f64[i * 8];
    const allocated = f64[i * 8 + 1];
    const mtime = f64[i * 8 + 2];
    const parentToken = u32[i * 16 + 6];
    const token = u32[i * 16 + 7];
    const nameOff = nameBase + u32[i * 16 + 8];
    const nameLen = u16[i * 32 + 18];
    const kind = u8[i * 64 + 38];
    const category = u8[i * 64 + 39];
    const flags = u8[i * 64 + 40];
    if (parentToken === NO_TOKEN) {
      // The walk's root, or a folder's own bytes (a self record: the folder's record, from its
      // parent's batch, came with none). Both add to a node the tree already has, except the root
      // of a fresh walk.
      flush();
      runParent = -1;
      const self = (flags & SELF) !== 0;
      let idx: number;
      if (!self && target.attach < 0) idx = tree.push(-1, nameOff, nameLen, kind, category, flags, apparent, allocated, mtime);
      else {
        idx = self ? tokens.get(token) : target.attach;
        tree.mtime[idx] = mtime;
        tree.addUp(idx, apparent, allocated, 0, 0);
      }
      if (!self && token !== NO_TOKEN) tokens.set(token, idx);
      continue;
    }
    const parent = tokens.get(parentToken);
    if (parent !== runParent) {
      flush();
      runParent = parent;
    }
    const idx = tree.push(parent, nameOff, nameLen, kind, category, flags, apparent, allocated, mtime);
    sumA += apparent;
    sumB += allocated;
    if (kind === KIND.dir) {
      sumD++;
      tokens.set(token, idx);
    } else {
      sumF++;
      if (kind === KIND.symlink) counters.symlinks++;
      // Most files have one link and no inode recorded: test the two halves before making BigInts.
      if (u32[i * 16 + 14] !== 0 || u32[i * 16 + 15] !== 0) tree.linkKeys.set(idx, [u64[i * 8 + 6], u64[i * 8 + 7]]);
      if (flags & FLAG.hardLinkSeen) counters.hardLinksSkipped++;
      if (kind === KIND.file) {
        if (flags & FLAG.byContent) counters.byContent++;
        else counters.byExtension++;
      }
    }
  }
  flush();
  for (const [token, name, message] of r.errors) {
    counters.errors++;
    target.onError(tokens.get(token), name, message);
  }
  if (r.currentPath.length) counters.currentPath = r.currentPath.toString();
}
