import { lstatSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { FileActivity } from '../../../contract/disk';

/**
 * Recursive watching without the native addon: one fs.watch (inotify underneath) per folder,
 * because fs.watch's own `recursive` is unreliable on Linux in Node 20. Coarser than the native
 * watcher: Node reports only "rename" and "change", so a rename shows as delete + create, and
 * close-write and attrib are not told apart from modify.
 */
export class FolderWatchFallback {
  private readonly watchers = new Map<string, FSWatcher>();
  private pending: FileActivity[] = [];
  folders = 0;
  /** false when counting stopped early (watching "/" must not walk the whole disk): `folders` is a lower bound. */
  foldersCounted = true;
  limitReason: string | null = null;

  constructor(
    root: string,
    private readonly maxWatches: number,
  ) {
    if (!lstatSync(root).isDirectory()) throw Object.assign(new Error(`${root} is not a folder`), { code: 'ENOTDIR' });
    this.addTree(root, false);
  }

  get watches(): number {
    return this.watchers.size;
  }

  private addTree(dir: string, report: boolean): void {
    const queue = [dir];
    const start = Date.now();
    while (queue.length) {
      if (this.watchers.size >= this.maxWatches && (this.folders >= this.maxWatches + 100_000 || Date.now() - start > 300)) {
        this.foldersCounted = false;
        return;
      }
      const cur = queue.shift() as string;
      this.folders++;
      if (this.watchers.size < this.maxWatches && !this.watchers.has(cur)) {
        try {
          const w = watch(cur, { persistent: false }, (type, name) => this.onEvent(cur, type, name));
          w.on('error', () => this.drop(cur));
          this.watchers.set(cur, w);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
            this.limitReason = "the kernel's inotify watch limit was reached (/proc/sys/fs/inotify/max_user_watches)";
          }
        }
      }
      let entries;
      try {
        entries = readdirSync(cur, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const path = join(cur, e.name);
        if (report) this.pending.push({ ts: Date.now(), path, kind: 'create', isDir: e.isDirectory() });
        if (e.isDirectory()) queue.push(path);
      }
    }
  }

  private drop(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }

  private onEvent(dir: string, type: string, name: string | Buffer | null): void {
    if (name === null) return;
    const path = join(dir, name.toString());
    if (type === 'change') {
      this.pending.push({ ts: Date.now(), path, kind: 'modify', isDir: false });
      return;
    }
    let isDir = false;
    let exists = true;
    try {
      isDir = lstatSync(path).isDirectory();
    } catch {
      exists = false;
    }
    this.pending.push({ ts: Date.now(), path, kind: exists ? 'create' : 'delete', isDir });
    if (exists && isDir) this.addTree(path, true);
    if (!exists) for (const d of [...this.watchers.keys()]) if (d === path || d.startsWith(`${path}/`)) this.drop(d);
  }

  read(): FileActivity[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
