import type { FileActivity, WatchEvent } from '../../../contract/disk';
import type { Emit } from '../../../rpc/handlers';
import { diskAddon, type NativeWatchEvent } from '../dupes/engine';
import { FolderWatchFallback } from './watch-fallback';

/** Events are delivered in batches this often; at most MAX_BATCH per batch (then an overflow marker). */
export const BATCH_MS = 200;
const MAX_BATCH = 5000;

function toActivity(e: NativeWatchEvent | FileActivity): FileActivity {
  if (typeof e.path === 'string') return e as FileActivity;
  const n = e as NativeWatchEvent;
  const a: FileActivity = { ts: n.ts, path: n.path.toString('utf8'), kind: e.kind as FileActivity['kind'], isDir: e.isDir ?? false };
  if (e.pid !== undefined) {
    a.pid = e.pid;
    a.comm = e.comm ?? '';
  }
  return a;
}

function batcher(read: () => (NativeWatchEvent | FileActivity)[], emit: Emit<WatchEvent>, close: () => void): () => void {
  const timer = setInterval(() => {
    let events: (NativeWatchEvent | FileActivity)[];
    try {
      events = read();
    } catch (err) {
      clearInterval(timer);
      emit({ type: 'failed', code: 'INTERNAL', message: (err as Error).message });
      return;
    }
    if (!events.length) return;
    const out = events.slice(0, MAX_BATCH).map(toActivity);
    if (events.length > MAX_BATCH) out.push({ ts: Date.now(), path: '', kind: 'overflow', isDir: false });
    emit({ type: 'activity', events: out });
  }, BATCH_MS);
  return () => {
    clearInterval(timer);
    close();
  };
}

function limitText(watches: number, folders: number, reason: string | null, counted = true): string | null {
  if (folders <= watches && !reason) return null;
  return (
    `watching the first ${watches} folders of ${counted ? '' : 'more than '}${folders}` +
    (reason ? `: ${reason}` : ` (raise maxWatches; the kernel's own limit is /proc/sys/fs/inotify/max_user_watches)`)
  );
}

function failedOpen(err: unknown, emit: Emit<WatchEvent>): () => void {
  const message = (err as Error).message;
  const code = /ENOENT/.test(message) ? 'NOT_FOUND' : /EACCES|EPERM/.test(message) ? 'EPERM' : 'INVALID_INPUT';
  queueMicrotask(() => emit({ type: 'failed', code, message }));
  return () => undefined;
}

/** Changes under a folder: recursive inotify (native; fs.watch per folder without the addon), batched. */
export function watchFolder(
  path: string,
  maxWatches: number,
  emit: Emit<WatchEvent>,
  opts: { native?: boolean } = {},
): () => void {
  const addon = diskAddon();
  if (!addon.ok || opts.native === false) {
    let fb: FolderWatchFallback;
    try {
      fb = new FolderWatchFallback(path, maxWatches);
    } catch (err) {
      return failedOpen(err, emit);
    }
    queueMicrotask(() => emit({ type: 'ready', watches: fb.watches, limited: limitText(fb.watches, fb.folders, fb.limitReason, fb.foldersCounted) }));
    return batcher(() => fb.read(), emit, () => fb.close());
  }
  let w;
  try {
    w = addon.addon.inotifyOpen({ root: path, maxWatches });
  } catch (err) {
    return failedOpen(err, emit);
  }
  const watcher = w;
  const limited = limitText(watcher.watches, watcher.folders, watcher.limitReason, watcher.foldersCounted);
  queueMicrotask(() => emit({ type: 'ready', watches: watcher.watches, limited }));
  return batcher(() => watcher.read(), emit, () => watcher.close());
}

/** Which process opened or wrote which file, system-wide on the mount of path (fanotify; CAP_SYS_ADMIN). */
export function watchAccess(path: string, emit: Emit<WatchEvent>): () => void {
  const addon = diskAddon();
  if (!addon.ok) {
    queueMicrotask(() => emit({ type: 'failed', code: 'UNAVAILABLE', message: addon.reason }));
    return () => undefined;
  }
  let f;
  try {
    f = addon.addon.fanotifyOpen(path);
  } catch (err) {
    const e = err as Error & { code?: string };
    const needs = e.code === 'EPERM' || e.code === 'EACCES';
    const message = needs
      ? 'watching file access system-wide needs CAP_SYS_ADMIN (fanotify): run Vantage as root, or grant the helper ' +
        `(its "fanotify" verb is not available yet). ${e.message}`
      : e.message;
    const code = needs ? 'NEEDS_PRIVILEGE' : e.code === 'ENOENT' ? 'NOT_FOUND' : 'UNAVAILABLE';
    queueMicrotask(() => emit({ type: 'failed', code, message }));
    return () => undefined;
  }
  const fan = f;
  queueMicrotask(() => emit({ type: 'ready', watches: 1, limited: null }));
  return batcher(() => fan.read(), emit, () => fan.close());
}
