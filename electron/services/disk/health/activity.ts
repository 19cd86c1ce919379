import type { ErrorCode } from '../../../contract/core';
import type { FileActivity, WatchEvent } from '../../../contract/disk';
import type { PrivilegeStatus } from '../../../contract/processes';
import type { Emit } from '../../../rpc/handlers';
import { diskAddon, type NativeWatchEvent } from '../dupes/engine';
import { privilegeStatus, spawnHelper } from '../../processes/control/privilege';
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

/** Why fileAccess cannot run here; the privilege path's own explanation says how to get one. */
function needsPrivilegeText(detail: string): string {
  return (
    'watching file access system-wide needs CAP_SYS_ADMIN (fanotify): run Vantage as root, or install vantage-helper ' +
    `and pkexec so Vantage can ask for it. ${detail}`
  );
}

/**
 * Which process opened or wrote which file, system-wide on the mount of path (fanotify; CAP_SYS_ADMIN).
 * As root: the addon, in-process. Otherwise: vantage-helper's "fanotify" verb through the privilege
 * path (pkexec). VANTAGE_FANOTIFY=helper forces the helper even as root.
 */
export function watchAccess(
  path: string,
  emit: Emit<WatchEvent>,
  opts: { uid?: number; helper?: boolean; status?: PrivilegeStatus } = {},
): () => void {
  const uid = opts.uid ?? process.getuid?.() ?? -1;
  const forced = opts.helper ?? process.env.VANTAGE_FANOTIFY === 'helper';
  if (forced || uid !== 0) {
    const status = opts.status ?? privilegeStatus();
    // Without a path to the helper, the addon still works for a process given CAP_SYS_ADMIN otherwise.
    if (forced || status.mode !== 'none') return watchAccessViaHelper(path, emit, status);
  }
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
    const message = needs ? needsPrivilegeText(e.message) : e.message;
    const code = needs ? 'NEEDS_PRIVILEGE' : e.code === 'ENOENT' ? 'NOT_FOUND' : 'UNAVAILABLE';
    queueMicrotask(() => emit({ type: 'failed', code, message }));
    return () => undefined;
  }
  const fan = f;
  queueMicrotask(() => emit({ type: 'ready', watches: 1, limited: null }));
  return batcher(() => fan.read(), emit, () => fan.close());
}

/** One line of `vantage-helper fanotify PATH`. */
interface HelperLine {
  ok?: boolean;
  ready?: boolean;
  code?: string;
  message?: string;
  ts?: number;
  pid?: number;
  comm?: string;
  kind?: string;
  path?: string;
}

const HELPER_FAILURE: Record<string, ErrorCode> = { EPERM: 'NEEDS_PRIVILEGE', EACCES: 'EPERM', ENOENT: 'NOT_FOUND', EINVAL: 'INVALID_INPUT' };
const HELPER_KINDS = new Set<string>(['open', 'modify', 'close-write']);

/** fileAccess through the helper: its JSON lines, batched like the addon's events. */
export function watchAccessViaHelper(path: string, emit: Emit<WatchEvent>, status: PrivilegeStatus = privilegeStatus()): () => void {
  let spawned;
  try {
    spawned = spawnHelper(['fanotify', path], status);
  } catch (err) {
    spawned = { child: null, reason: (err as Error).message };
  }
  if (!spawned.child) {
    const reason = spawned.reason;
    queueMicrotask(() => emit({ type: 'failed', code: 'NEEDS_PRIVILEGE', message: needsPrivilegeText(reason) }));
    return () => undefined;
  }
  const { child, mode } = spawned;
  let pending: FileActivity[] = [];
  let ready = false;
  let done = false;
  let stopBatcher: (() => void) | null = null;
  let rest = '';
  let stderr = '';

  const fail = (code: ErrorCode, message: string) => {
    if (done) return;
    done = true;
    stopBatcher?.();
    stopBatcher = null;
    emit({ type: 'failed', code, message });
  };
  const onLine = (line: string) => {
    if (!line || done) return;
    let m: HelperLine;
    try {
      m = JSON.parse(line) as HelperLine;
    } catch {
      return;
    }
    if (m.ok === false) {
      const code = HELPER_FAILURE[m.code ?? ''] ?? 'UNAVAILABLE';
      fail(code, code === 'NEEDS_PRIVILEGE' ? needsPrivilegeText(m.message ?? '') : (m.message ?? 'vantage-helper failed'));
      return;
    }
    if (m.ready) {
      if (!ready && !done) {
        ready = true;
        emit({ type: 'ready', watches: 1, limited: null });
      }
      return;
    }
    if (typeof m.ts !== 'number' || typeof m.kind !== 'string') return;
    if (m.kind === 'overflow') {
      pending.push({ ts: m.ts, path: '', kind: 'overflow', isDir: false });
    } else if (HELPER_KINDS.has(m.kind) && typeof m.path === 'string') {
      // Beyond one batch, the batcher reports an overflow: nothing more is kept until it drains.
      if (pending.length > MAX_BATCH) return;
      pending.push({ ts: m.ts, path: m.path, kind: m.kind as FileActivity['kind'], isDir: false, pid: m.pid ?? 0, comm: m.comm ?? '' });
    }
  };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  // The helper ends when its stdin closes: an EPIPE here just means it is already gone.
  child.stdin?.on('error', () => undefined);
  child.on('error', (err) => fail('UNAVAILABLE', `cannot start vantage-helper: ${err.message}`));
  child.on('close', (exit, signal) => {
    if (done) return;
    if (rest) onLine(rest);
    if (done) return;
    const how = signal ? `signal ${signal}` : `exit ${exit}`;
    if (mode === 'pkexec' && !ready && (exit === 126 || exit === 127)) {
      fail('NEEDS_PRIVILEGE', needsPrivilegeText('authorisation was refused or cancelled (pkexec needs a polkit authentication agent in your session to ask for the password)'));
    } else {
      fail('INTERNAL', `vantage-helper fanotify stopped (${how})${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    }
  });
  stopBatcher = batcher(
    () => {
      const out = pending;
      pending = [];
      return out;
    },
    emit,
    () => undefined,
  );

  return () => {
    if (done) return;
    done = true;
    stopBatcher?.();
    stopBatcher = null;
    child.stdin?.end();
    // A helper that does not notice (pkexec in between, a stuck read) is told plainly after a moment.
    const t = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }, 2000);
    t.unref();
    child.once('close', () => clearTimeout(t));
  };
}
