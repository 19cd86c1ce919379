import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileActivity, WatchEvent } from '../../../contract/disk';
import { HistoryStore } from '../../history/store';
import { parseMountinfo, unescapeMountField } from './mountinfo';
import { mountState } from './mounts';
import { watchFolder } from './activity';
import { createHealthService } from './service';

const ctx = { clientId: 'test', signal: new AbortController().signal };
const isRoot = process.getuid?.() === 0;
let work: string;
let history: HistoryStore;
const stops: (() => void)[] = [];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'vantage-health-'));
  history = new HistoryStore(join(work, 'history.db'));
});
afterEach(() => {
  while (stops.length) stops.pop()?.();
  history.close();
  rmSync(work, { recursive: true, force: true });
});

function service(record = false) {
  const s = createHealthService({ history, record });
  stops.push(() => s.stop());
  return s;
}

describe('mounts', () => {
  it('lists / with the numbers df reports', async () => {
    const mounts = await service().handlers.mounts({ trendSeconds: 3600 }, ctx);
    const root = mounts.find((m) => m.mountPoint === '/');
    expect(root).toBeDefined();
    const df = execFileSync('df', ['-B1', '--output=size,used,avail,itotal,iused', '/']).toString().trim().split('\n')[1];
    const [size, used, avail, itotal, iused] = df.trim().split(/\s+/).map(Number);
    expect(root?.totalBytes).toBe(size);
    // The disk is live: other processes write while the test runs.
    expect(Math.abs((root?.usedBytes ?? 0) - used)).toBeLessThan(256 * 1024 * 1024);
    expect(Math.abs((root?.availableBytes ?? 0) - avail)).toBeLessThan(256 * 1024 * 1024);
    expect(root?.inodesTotal).toBe(itotal);
    expect(Math.abs((root?.inodesUsed ?? 0) - iused)).toBeLessThan(10_000);
    expect(root?.smart.available === true || (root?.smart.reason.length ?? 0) > 0).toBe(true);
    expect(mounts.some((m) => ['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts'].includes(m.fsType))).toBe(false);
  });

  it('reports the ext4 error counter of the root file system when it is ext4', async () => {
    const mounts = await service().handlers.mounts(undefined, ctx);
    const root = mounts.find((m) => m.mountPoint === '/');
    if (root?.fsType !== 'ext4') return;
    expect(root.errorCounters.find((c) => c.name === 'errors_count')).toBeDefined();
  });

  it('records usage into history and returns it as the trend', async () => {
    const s = service(true);
    s.recordNow();
    const root = (await s.handlers.mounts({ trendSeconds: 600 }, ctx)).find((m) => m.mountPoint === '/');
    expect(root?.trend.ts.length).toBeGreaterThan(0);
    // A day's trend reads the 1-minute tier, not rolled up yet: the newest samples still show.
    const day = (await s.handlers.mounts({ trendSeconds: 86_400 }, ctx)).find((m) => m.mountPoint === '/');
    expect(day?.trend.ts.length).toBeGreaterThan(0);
    expect(day?.trend.usedBytes.length).toBe(day?.trend.ts.length);
    expect(root?.trend.usedBytes[0]).toBeGreaterThan(0);
    expect(root?.trend.inodesUsed[0]).toBeGreaterThan(0);
  });

  it.skipIf(!isRoot)('shows a read-only tmpfs as read-only and a full one as full', async () => {
    const ro = join(work, 'ro');
    const full = join(work, 'full');
    mkdirSync(ro);
    mkdirSync(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', ro]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', full]);
    try {
      spawnSync('dd', ['if=/dev/zero', `of=${join(full, 'fill')}`, 'bs=64k', 'count=100'], { stdio: 'ignore' });
      const mounts = await service().handlers.mounts(undefined, ctx);
      expect(mounts.find((m) => m.mountPoint === ro)?.state).toBe('read-only');
      expect(mounts.find((m) => m.mountPoint === full)?.state).toBe('full');
    } finally {
      execFileSync('umount', [ro]);
      execFileSync('umount', [full]);
    }
  });

  it('undoes the octal escapes of mountinfo and decides states by the rules', () => {
    const [m] = parseMountinfo('36 35 98:0 / /mnt/my\\040disk rw,noatime master:1 - ext4 /dev/sdb1 rw,errors=continue\n');
    expect(m.mountPoint).toBe('/mnt/my disk');
    expect(m.source).toBe('/dev/sdb1');
    expect(unescapeMountField('a\\011b\\134c')).toBe('a\tb\\c');
    const u = { totalBytes: 100, usedBytes: 50, availableBytes: 50, inodesTotal: 100, inodesUsed: 96 };
    expect(mountState(u, false, [])).toBe('full');
    expect(mountState(u, true, [])).toBe('read-only');
    expect(mountState(u, true, [{ name: 'errors_count', value: 2 }])).toBe('errors');
    expect(mountState({ ...u, inodesUsed: 1 }, false, [{ name: 'last_error_time', value: 5 }])).toBe('ok');
  });
});

function collect(start: (emit: (e: WatchEvent) => void) => () => void) {
  const events: WatchEvent[] = [];
  let wake: (() => void) | null = null;
  const stop = start((e) => {
    events.push(e);
    wake?.();
  });
  stops.push(stop);
  const activity = () => events.flatMap((e) => (e.type === 'activity' ? e.events : []));
  const until = async (pred: (a: FileActivity[]) => boolean, what: string) => {
    for (let i = 0; i < 100 && !pred(activity()); i++) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
    if (!pred(activity())) throw new Error(`not seen: ${what}; got ${JSON.stringify(activity().slice(0, 40))}`);
  };
  return { events, activity, until };
}

describe('watch (recursive inotify)', () => {
  it('sees create, modify, rename and delete, also in a folder made after the watch started', async () => {
    mkdirSync(join(work, 'tree', 'old'), { recursive: true });
    const h = service().handlers;
    const w = collect((emit) => h.watch({ path: join(work, 'tree'), maxWatches: 100 }, emit, ctx) as () => void);
    await w.until(() => w.events.some((e) => e.type === 'ready'), 'ready');
    expect(w.events[0]).toEqual({ type: 'ready', watches: 2, limited: null });
    const f = join(work, 'tree', 'old', 'a.txt');
    writeFileSync(f, 'one');
    appendFileSync(f, 'two');
    renameSync(f, join(work, 'tree', 'old', 'b.txt'));
    unlinkSync(join(work, 'tree', 'old', 'b.txt'));
    await w.until((a) => a.some((e) => e.kind === 'delete' && e.path.endsWith('/old/b.txt')), 'delete b.txt');
    const kinds = (p: string) => w.activity().filter((e) => e.path === p).map((e) => e.kind);
    expect(kinds(f)).toEqual(expect.arrayContaining(['create', 'modify', 'close-write', 'move-from']));
    expect(kinds(join(work, 'tree', 'old', 'b.txt'))).toEqual(expect.arrayContaining(['move-to', 'delete']));

    mkdirSync(join(work, 'tree', 'new', 'deeper'), { recursive: true });
    writeFileSync(join(work, 'tree', 'new', 'deeper', 'c.txt'), 'x');
    await w.until((a) => a.some((e) => e.path.endsWith('/new/deeper/c.txt')), 'c.txt in a new folder');
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(join(work, 'tree', 'new', 'deeper', 'd.txt'), 'x');
    await w.until((a) => a.some((e) => e.kind === 'close-write' && e.path.endsWith('/new/deeper/d.txt')), 'd.txt written');
    renameSync(join(work, 'tree', 'new'), join(work, 'tree', 'renamed'));
    writeFileSync(join(work, 'tree', 'renamed', 'deeper', 'e.txt'), 'x');
    await w.until((a) => a.some((e) => e.path === join(work, 'tree', 'renamed', 'deeper', 'e.txt')), 'e.txt under the renamed folder');
  });

  it('says when it watches only the first N folders', async () => {
    for (let i = 0; i < 5; i++) mkdirSync(join(work, 'many', `d${i}`), { recursive: true });
    const h = service().handlers;
    const w = collect((emit) => h.watch({ path: join(work, 'many'), maxWatches: 3 }, emit, ctx) as () => void);
    await w.until(() => w.events.length > 0, 'ready');
    const ready = w.events[0];
    expect(ready.type).toBe('ready');
    if (ready.type === 'ready') {
      expect(ready.watches).toBe(3);
      expect(ready.limited).toMatch(/first 3 folders of 6/);
      expect(ready.limited).toMatch(/max_user_watches/);
    }
  });

  it('watching / with a small limit answers at once, counting only a bounded part of the disk', async () => {
    const h = service().handlers;
    const w = collect((emit) => h.watch({ path: '/', maxWatches: 10 }, emit, ctx) as () => void);
    await w.until(() => w.events.length > 0, 'ready');
    const ready = w.events[0];
    expect(ready.type).toBe('ready');
    if (ready.type === 'ready') {
      expect(ready.watches).toBe(10);
      expect(ready.limited).toMatch(/^watching the first 10 folders of (more than )?\d+/);
    }
  });

  it.skipIf(!isRoot)('reports an overflow when the kernel queue drops events (queue shrunk for the test, as root)', async () => {
    const knob = '/proc/sys/fs/inotify/max_queued_events';
    const saved = readFileSync(knob, 'utf8').trim();
    mkdirSync(join(work, 'busy'));
    writeFileSync(knob, '32');
    let w;
    try {
      const h = service().handlers;
      w = collect((emit) => h.watch({ path: join(work, 'busy'), maxWatches: 10 }, emit, ctx) as () => void);
    } finally {
      writeFileSync(knob, saved); // the limit is taken when the watcher is created
    }
    const watch = w;
    await watch.until(() => watch.events.length > 0, 'ready');
    for (let i = 0; i < 300; i++) writeFileSync(join(work, 'busy', `f${i}`), 'x');
    await watch.until((a) => a.some((e) => e.kind === 'overflow'), 'overflow');
  });

  it('fails with NOT_FOUND for a missing folder', async () => {
    const h = service().handlers;
    const w = collect((emit) => h.watch({ path: join(work, 'missing'), maxWatches: 10 }, emit, ctx) as () => void);
    await w.until(() => w.events.length > 0, 'failed');
    expect(w.events[0]).toMatchObject({ type: 'failed', code: 'NOT_FOUND' });
  });
});

describe('watch without the native addon (fs.watch per folder)', () => {
  it('sees files created, changed and deleted, also in a new subfolder', async () => {
    mkdirSync(join(work, 'fb'));
    const w = collect((emit) => watchFolder(join(work, 'fb'), 100, emit, { native: false }));
    await w.until(() => w.events.some((e) => e.type === 'ready'), 'ready');
    expect(w.events[0]).toEqual({ type: 'ready', watches: 1, limited: null });
    writeFileSync(join(work, 'fb', 'a.txt'), 'one');
    await w.until((a) => a.some((e) => e.kind === 'create' && e.path.endsWith('/fb/a.txt')), 'create a.txt');
    appendFileSync(join(work, 'fb', 'a.txt'), 'two');
    await w.until((a) => a.some((e) => e.kind === 'modify' && e.path.endsWith('/fb/a.txt')), 'modify a.txt');
    mkdirSync(join(work, 'fb', 'sub'));
    await w.until((a) => a.some((e) => e.kind === 'create' && e.isDir && e.path.endsWith('/fb/sub')), 'create sub');
    writeFileSync(join(work, 'fb', 'sub', 'b.txt'), 'x');
    await w.until((a) => a.some((e) => e.path.endsWith('/fb/sub/b.txt')), 'b.txt in the new folder');
    unlinkSync(join(work, 'fb', 'a.txt'));
    await w.until((a) => a.some((e) => e.kind === 'delete' && e.path.endsWith('/fb/a.txt')), 'delete a.txt');
  });
});

describe('fileAccess (fanotify)', () => {
  it.skipIf(!isRoot)('shows which process wrote which file, with its pid and name', async () => {
    const h = service().handlers;
    const w = collect((emit) => h.fileAccess({ path: work }, emit, ctx) as () => void);
    await w.until(() => w.events.length > 0, 'ready');
    expect(w.events[0].type).toBe('ready');
    const target = join(work, 'written-by-child.txt');
    // The writer lives on briefly after writing, as real writers do: its name is read from /proc.
    const child = spawnSync('sh', ['-c', `echo hi > '${target}'; sleep 0.3`]);
    expect(child.status).toBe(0);
    await w.until((a) => a.some((e) => e.path === target && e.kind === 'close-write'), 'close-write by sh');
    const ev = w.activity().find((e) => e.path === target && e.kind === 'close-write');
    expect(ev?.comm).toBe('sh');
    expect(ev?.pid).toBe(child.pid);
  });

  it.skipIf(!isRoot || spawnSync('id', ['-u', 'nobody']).status !== 0)(
    'without CAP_SYS_ADMIN it fails with NEEDS_PRIVILEGE (checked in a child running as nobody)',
    () => {
      const script = `
        import { createHealthService } from './electron/services/disk/health/service.ts';
        const s = createHealthService({ history: { record() {}, query() { return { series: [] }; } } });
        s.handlers.fileAccess({ path: '/tmp' }, (e) => { console.log(JSON.stringify(e)); process.exit(0); });`;
      // A copy of the addon the unprivileged child can load even while someone rebuilds build/.
      const native = join(work, 'native');
      mkdirSync(native);
      copyFileSync(join(process.cwd(), 'build/Release/vantage_disk.node'), join(native, 'vantage_disk.node'));
      chmodSync(work, 0o755);
      const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', 'node', '--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: process.cwd(),
        env: { ...process.env, VANTAGE_NATIVE_DIR: native },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      expect(JSON.parse(line)).toMatchObject({ type: 'failed', code: 'NEEDS_PRIVILEGE' });
    },
  );
});
