import { lstatSync, statfsSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ScanError, ScanProgress, ScanSummary } from '../../../contract/disk';
import { ServiceError } from '../../../contract/errors';
import { fsWalk } from './fs-walker';
import { loadWalker, nativeWalk } from './native-walker';
import { loadPrevious, savePrevious, type PreviousScan } from './previous';
import { FLAG, KIND, ScanTree, decodeName } from './tree';
import { CLASSIFY_MIN_SIZE, newCounters, type RunningWalk, type WalkCounters, type WalkOptions } from './walk';

export interface ScanOptions {
  oneFileSystem?: boolean;
  excludes?: string[];
  classifyMinSize?: number;
  /** Where previous totals are kept (`<dataDir>/disk/`); none: no "what grew". */
  dataDir?: string;
  /** Use the fs walker even when the addon loads (tests compare the two). */
  engine?: 'native' | 'fs';
  /** See WalkOptions.keptFds. */
  keptFds?: number;
  /** Told once why the fs fallback walker is used. */
  log?: (message: string) => void;
}

const MAX_ERRORS = 200;

/**
 * One scan: walks a root into a ScanTree in the background, keeps counts and errors, and can
 * rescan one folder of itself. The same engine serves the service and `vantage du`.
 */
export class Scan {
  readonly tree: ScanTree;
  readonly root: string;
  counters: WalkCounters = newCounters();
  firstErrors: ScanError[] = [];
  /** Entries that could not be read, per folder (unreadable folders are in tree.errors). */
  entryErrors = new Map<number, number>();
  state: 'running' | 'done' | 'failed' = 'running';
  complete = false;
  failure: { code: string; message: string } | null = null;
  startedAt = Date.now();
  finishedAt = 0;
  readonly previous: PreviousScan | null;
  readonly engine: 'native' | 'fs';
  private walk: RunningWalk | null = null;
  private cancelled = false;
  private listeners = new Set<() => void>();
  private readonly walkOptions: WalkOptions;

  constructor(
    readonly id: string,
    root: string,
    private readonly options: ScanOptions = {},
  ) {
    this.root = resolve(root);
    let st;
    try {
      st = lstatSync(this.root);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new ServiceError('NOT_FOUND', `${this.root} does not exist`);
      if (code === 'EACCES') throw new ServiceError('EPERM', `${this.root} cannot be read: permission denied`);
      throw err;
    }
    if (!st.isDirectory()) throw new ServiceError('INVALID_INPUT', `${this.root} is not a folder`);
    this.tree = new ScanTree(Buffer.from(this.root), expectedEntries(this.root, st));
    this.previous = options.dataDir ? loadPrevious(options.dataDir, this.tree.rootPath) : null;
    this.walkOptions = {
      oneFileSystem: options.oneFileSystem ?? false,
      excludes: options.excludes ?? [],
      classifyMinSize: options.classifyMinSize ?? CLASSIFY_MIN_SIZE,
      keptFds: options.keptFds,
    };
    const addon = loadWalker();
    // VANTAGE_DISK_ENGINE=fs forces the fallback walker (to compare, or to work around the addon).
    const forced = process.env.VANTAGE_DISK_ENGINE === 'fs' ? 'fs' : undefined;
    this.engine = options.engine ?? forced ?? (addon.ok ? 'native' : 'fs');
    if (!addon.ok && this.engine === 'fs') options.log?.(`disk scan: using the fs walker: ${addon.reason}`);
    this.run(this.tree.rootPath, -1);
  }

  private run(path: Buffer, attach: number, knownLinks?: BigUint64Array) {
    this.state = 'running';
    this.complete = false;
    this.cancelled = false;
    this.startedAt = Date.now();
    this.finishedAt = 0;
    const target = {
      tree: this.tree,
      attach,
      counters: this.counters,
      onError: (node: number, name: Buffer | null, message: string) => {
        if (name === null) this.tree.errors.set(node, message);
        else this.entryErrors.set(node, (this.entryErrors.get(node) ?? 0) + 1);
        if (this.firstErrors.length < MAX_ERRORS) {
          const folder = this.tree.path(node);
          const path = name === null ? folder : `${folder === '/' ? '' : folder}/${decodeName(name).name}`;
          this.firstErrors.push({ path, error: message });
        }
      },
    };
    const addon = loadWalker();
    this.walk =
      this.engine === 'native' && addon.ok
        ? nativeWalk(addon.addon, path, { ...this.walkOptions, knownLinks }, target)
        : fsWalk(path, { ...this.walkOptions, knownLinks }, target);
    this.walk.done.then(
      () => this.finish(attach),
      (err: Error) => this.fail(err),
    );
  }

  private finish(attach: number) {
    this.walk = null;
    this.tree.invalidateFolderCategories();
    if (attach >= 0) this.recount();
    this.complete = !this.cancelled;
    this.state = 'done';
    this.finishedAt = Date.now();
    if (this.complete && attach < 0 && this.options.dataDir) {
      try {
        savePrevious(this.options.dataDir, this.tree, this.finishedAt);
      } catch (err) {
        this.options.log?.(`disk scan: could not save totals for next time: ${(err as Error).message}`);
      }
    }
    this.notify();
    // Spare capacity goes back once the listeners have the result: trimming copies every column
    // (1-5 ms for /usr's 140k entries) and nobody waits for it. A refresh started meanwhile
    // still needs the room.
    setImmediate(() => {
      if (this.state !== 'running') this.tree.trim();
    });
  }

  private fail(err: Error) {
    this.walk = null;
    this.state = 'failed';
    this.finishedAt = Date.now();
    const code = err instanceof ServiceError ? err.code : 'INTERNAL';
    this.failure = { code, message: err.message };
    this.notify();
  }

  private notify() {
    for (const l of [...this.listeners]) l();
  }

  /** Calls back when the scan (or a refresh) is over; returns the unsubscribe. */
  onDone(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Resolves when the walk now running is over. */
  whenDone(): Promise<void> {
    if (this.state !== 'running') return Promise.resolve();
    return new Promise((res) => {
      const off = this.onDone(() => {
        off();
        res();
      });
    });
  }

  cancel() {
    if (this.state !== 'running' || !this.walk) return;
    this.cancelled = true;
    this.walk.cancel();
  }

  /** Rescans folder `node` and splices the result in place; totals above it follow. */
  refresh(node: number) {
    if (this.state === 'running') throw new ServiceError('CONFLICT', `scan ${this.id} is still running`);
    if (!this.tree.isLive(node)) throw new ServiceError('NOT_FOUND', `scan ${this.id} has no node ${node}`);
    if (this.tree.kind[node] !== KIND.dir) throw new ServiceError('INVALID_INPUT', `${this.tree.path(node)} is not a folder`);
    const path = this.tree.pathBytes(node);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      throw new ServiceError('NOT_FOUND', `${this.tree.path(node)} no longer exists`);
    }
    if (!st.isDirectory()) throw new ServiceError('CONFLICT', `${this.tree.path(node)} is no longer a folder`);
    const prefix = this.tree.path(node);
    this.firstErrors = this.firstErrors.filter((e) => e.path !== prefix && !e.path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
    const knownLinks = this.linksCountedOutside(node);
    this.tree.clearFolder(node);
    this.run(path, node, knownLinks);
  }

  /** Inodes whose bytes are counted under a name outside folder `node` (and drops dead entries). */
  private linksCountedOutside(node: number): BigUint64Array {
    const t = this.tree;
    const pairs: bigint[] = [];
    for (const [i, [dev, ino]] of t.linkKeys) {
      if (!t.isLive(i)) {
        t.linkKeys.delete(i);
        continue;
      }
      if (t.flags[i] & FLAG.hardLinkSeen) continue;
      let inside = false;
      for (let p = i; p >= 0 && !inside; p = t.parent[p]) inside = p === node;
      if (!inside) pairs.push(dev, ino);
    }
    return BigUint64Array.from(pairs);
  }

  /** Counts from the live tree, after a refresh or removal changed it. */
  recount() {
    const t = this.tree;
    const dead = t.deadMask();
    const c = newCounters();
    for (let i = 0; i < t.size; i++) {
      if (dead[i]) continue;
      const k = t.kind[i];
      if (k === KIND.symlink) c.symlinks++;
      if (k !== KIND.dir && t.flags[i] & FLAG.hardLinkSeen) c.hardLinksSkipped++;
      if (k === KIND.file) {
        if (t.flags[i] & FLAG.byContent) c.byContent++;
        else c.byExtension++;
      }
      if (t.errors.has(i)) c.errors++;
      c.errors += this.entryErrors.get(i) ?? 0;
    }
    c.currentPath = this.counters.currentPath;
    this.counters = c;
  }

  progress(): ScanProgress {
    const t = this.tree;
    const has = t.size > 0;
    return {
      scanId: this.id,
      root: this.root,
      files: has ? t.files[0] : 0,
      // The root counts as a folder, as in `find ROOT -type d`.
      dirs: has ? t.dirs[0] + 1 : 0,
      apparentBytes: has ? t.apparent[0] : 0,
      allocatedBytes: has ? t.allocated[0] : 0,
      errors: this.counters.errors,
      elapsedMs: (this.finishedAt || Date.now()) - this.startedAt,
      currentPath: this.state === 'running' ? this.counters.currentPath : '',
    };
  }

  summary(): ScanSummary {
    const p = this.previous;
    // The memory figure is the finished tree's, trimmed (finish() trims it right after notifying).
    if (this.state !== 'running') this.tree.trim();
    return {
      ...this.progress(),
      complete: this.complete,
      symlinks: this.counters.symlinks,
      hardLinksSkipped: this.counters.hardLinksSkipped,
      bytesPerEntry: Math.round(this.tree.bytesPerEntry() * 10) / 10,
      firstErrors: this.firstErrors,
      previous: p ? { scannedAt: p.scannedAt, apparentBytes: p.apparentBytes, allocatedBytes: p.allocatedBytes } : null,
      finishedAt: this.finishedAt,
    };
  }
}

/** Most entries reserved for a folder below the top of its file system (72 bytes each: 18 MiB). */
const FOLDER_RESERVE = 1 << 18;
/** Most entries reserved for a whole file system. */
const DISK_RESERVE = 1 << 22;

/**
 * How many entries to make room for before a walk: the inodes in use on the root's file system,
 * at most FOLDER_RESERVE when the root is a folder inside it (it holds a part of them). Growing the
 * tree's arrays from a small start allocates and copies about three times their final size over a
 * walk, and the garbage collector runs for it; reserving once allocates it once, and trim() hands
 * back what is left over when the walk ends.
 */
export function expectedEntries(root: string, st: Stats): number {
  try {
    const fs = statfsSync(root);
    const used = fs.files > fs.ffree ? fs.files - fs.ffree : 0;
    if (used === 0) return 1024; // file systems without inode counts (btrfs, some FUSE) say 0
    const top = root === '/' || lstatSync(dirname(root)).dev !== st.dev;
    return Math.max(1024, Math.min(used, top ? DISK_RESERVE : FOLDER_RESERVE));
  } catch {
    return 1024;
  }
}
