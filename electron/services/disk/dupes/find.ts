import type { DupesStats } from '../../../contract/disk';
import type { CachedHash, FileKey, HashCache } from './cache';
import { HASH_OK, type DupEngine, type HashOutput, type Task, type WalkOptions } from './engine';

/**
 * Duplicate search, stage by stage: walk (only sizes shared by two inodes or more come back) →
 * partial hash (first and last 4 KiB) → full hash of files whose (size, partial) is shared →
 * groups of equal (size, full hash). Hard links of one inode are one file (its other names are
 * kept as `names`), never a duplicate of itself — the way `jdupes -r` counts them. Equal 128-bit
 * hashes are taken as equal content; actions byte-compare again before touching anything.
 */

export type Stage = 'walk' | 'size' | 'partial' | 'full';

/** One inode found, with every name it has under the roots (sorted; the first is shown). */
export interface FoundFile extends FileKey {
  names: Buffer[];
}

export interface FoundGroup {
  size: number;
  hash: string;
  files: FoundFile[];
}

export interface FindOutcome {
  groups: FoundGroup[];
  complete: boolean;
  stats: DupesStats;
  walkErrors: number;
}

export interface FindOptions extends WalkOptions {
  hashThreads: number;
}

export class DupeSearch {
  stage: Stage = 'walk';
  readonly stats: DupesStats = {
    filesSeen: 0,
    sizeGroups: 0,
    partialHashed: 0,
    fullHashed: 0,
    bytesHashed: 0,
    cacheHits: 0,
    elapsedMs: 0,
  };
  private cancelled = false;
  private current: Task<unknown> | null = null;
  private readonly started = Date.now();
  private hashThreads = 4;
  private bytesBefore = 0;

  constructor(
    private readonly engine: DupEngine,
    private readonly cache: HashCache | null,
  ) {}

  cancel(): void {
    this.cancelled = true;
    this.current?.cancel();
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Brings the live counters up to date from the running native task. */
  refresh(): DupesStats {
    const p = this.current?.poll();
    if (p) {
      if (this.stage === 'walk' && typeof p.filesSeen === 'number') this.stats.filesSeen = p.filesSeen;
      if (typeof p.bytesHashed === 'number') this.stats.bytesHashed = this.bytesBefore + p.bytesHashed;
      if (typeof p.done === 'number' && this.stage === 'partial') this.stats.partialHashed = p.done;
      if (typeof p.done === 'number' && this.stage === 'full') this.stats.fullHashed = p.done;
    }
    this.stats.elapsedMs = Date.now() - this.started;
    return this.stats;
  }

  private async runTask<T>(task: Task<T>): Promise<T> {
    this.current = task as Task<unknown>;
    if (this.cancelled) task.cancel();
    try {
      return await task.done;
    } finally {
      this.refresh();
      this.current = null;
    }
  }

  async run(opts: FindOptions): Promise<FindOutcome> {
    this.stage = 'walk';
    this.hashThreads = opts.hashThreads;
    const c = await this.runTask(this.engine.walk(opts));
    this.stats.filesSeen = c.filesSeen;
    this.stats.sizeGroups = c.sizeGroups;
    const done = (groups: FoundGroup[]): FindOutcome => {
      this.refresh();
      return { groups, complete: !this.cancelled, stats: { ...this.stats }, walkErrors: c.errors };
    };
    if (this.cancelled) return done([]);

    this.stage = 'size';
    const files: FoundFile[] = [];
    for (let i = 0; i < c.count; i++) {
      const name = c.paths.subarray(i === 0 ? 0 : c.ends[i - 1], c.ends[i]);
      const last = files[files.length - 1];
      if (last && last.dev === c.dev[i] && last.ino === c.ino[i]) last.names.push(name);
      else
        files.push({
          dev: c.dev[i],
          ino: c.ino[i],
          size: c.size[i],
          mtimeSec: c.mtimeSec[i],
          mtimeNsec: c.mtimeNsec[i],
          names: [name],
        });
    }
    const cached = this.cache ? this.cache.getMany(files) : new Map<number, CachedHash>();
    const partial: (string | null)[] = files.map((_, i) => cached.get(i)?.partial ?? null);
    const full: (string | null)[] = files.map((_, i) => cached.get(i)?.full ?? null);
    const fresh = new Set<number>();
    this.stats.cacheHits = cached.size;

    this.stage = 'partial';
    const needPartial = files.map((_, i) => i).filter((i) => partial[i] === null);
    const p = await this.hash(files, needPartial, 'partial');
    needPartial.forEach((fi, k) => {
      if (p.status[k] !== HASH_OK) return;
      partial[fi] = p.partial[k];
      if (p.full[k]) full[fi] = p.full[k];
      fresh.add(fi);
    });
    this.stats.partialHashed = needPartial.length === 0 ? 0 : p.status.filter((s) => s === HASH_OK).length;
    if (this.cancelled) return done(this.group(files, full, fresh, partial));

    this.stage = 'full';
    const byPartial = new Map<string, number[]>();
    files.forEach((f, i) => {
      if (partial[i] === null) return;
      const key = `${f.size}:${partial[i]}`;
      const list = byPartial.get(key);
      if (list) list.push(i);
      else byPartial.set(key, [i]);
    });
    const needFull: number[] = [];
    for (const list of byPartial.values()) {
      if (list.length < 2) continue;
      for (const i of list) if (full[i] === null) needFull.push(i);
    }
    const f = await this.hash(files, needFull, 'full');
    needFull.forEach((fi, k) => {
      if (f.status[k] !== HASH_OK) return;
      full[fi] = f.full[k];
      fresh.add(fi);
    });
    this.stats.fullHashed = f.status.filter((s) => s === HASH_OK).length;
    return done(this.group(files, full, fresh, partial));
  }

  private async hash(files: FoundFile[], which: number[], mode: 'partial' | 'full'): Promise<HashOutput> {
    if (this.cancelled || which.length === 0) {
      const n = which.length;
      const none = new Array<null>(n).fill(null);
      return { status: new Uint8Array(n), partial: none, full: none, errors: none, done: 0, bytesHashed: 0, cancelled: this.cancelled };
    }
    const names = which.map((i) => files[i].names[0]);
    const ends = new Uint32Array(which.length);
    let off = 0;
    names.forEach((n, k) => {
      off += n.length;
      ends[k] = off;
    });
    this.bytesBefore = this.stats.bytesHashed;
    const out = await this.runTask(
      this.engine.hash({
        paths: Buffer.concat(names),
        ends,
        sizes: Float64Array.from(which, (i) => files[i].size),
        inos: Float64Array.from(which, (i) => files[i].ino),
        mode,
        threads: this.hashThreads,
      }),
    );
    this.stats.bytesHashed = this.bytesBefore + out.bytesHashed;
    return out;
  }

  /** Groups of two inodes or more with equal size and full hash; stores new hashes in the cache. */
  private group(
    files: FoundFile[],
    full: (string | null)[],
    fresh: Set<number>,
    partial: (string | null)[],
  ): FoundGroup[] {
    if (this.cache) {
      const rows: { key: FileKey; hash: CachedHash }[] = [];
      for (const i of fresh) {
        const p = partial[i];
        if (p !== null) rows.push({ key: files[i], hash: { partial: p, full: full[i] } });
      }
      try {
        this.cache.putMany(rows);
      } catch {
        // A full disk or a locked cache must not lose the search's result.
      }
    }
    const groups = new Map<string, FoundGroup>();
    files.forEach((file, i) => {
      const h = full[i];
      if (h === null) return;
      const key = `${file.size}:${h}`;
      const g = groups.get(key);
      if (g) g.files.push(file);
      else groups.set(key, { size: file.size, hash: h, files: [file] });
    });
    return [...groups.values()].filter((g) => g.files.length >= 2);
  }
}
