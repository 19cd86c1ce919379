import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diskAddon, nativeEngine, nodeEngine, type DupEngine, type HashOutput } from './engine';
import { createDupesService } from './service';
import { hasTool, inodeGroups, jdupesGroups, makeDupeTree, ourGroups, searchAndWait } from './testing';

const ctx = { clientId: 'test', signal: new AbortController().signal };
const addon = diskAddon();
const engines: [string, DupEngine | null][] = [
  ['native', addon.ok ? nativeEngine(addon.addon) : null],
  ['node fallback', nodeEngine()],
];
const isRoot = process.getuid?.() === 0;

let work: string;
let data: string;
let savedXdg: string | undefined;
const services: { stop(): void }[] = [];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'vantage-dupes-'));
  data = mkdtempSync(join(tmpdir(), 'vantage-dupes-data-'));
  savedXdg = process.env.XDG_DATA_HOME;
  process.env.XDG_DATA_HOME = join(data, 'xdg');
});
afterEach(() => {
  while (services.length) services.pop()?.stop();
  if (savedXdg === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = savedXdg;
  rmSync(work, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

function service(engine?: DupEngine, cache = true) {
  const s = createDupesService({ dataDir: data, engine, cache });
  services.push(s);
  return s;
}

it('the native engine is built (the fallback is tested too, but the app should not need it)', () => {
  expect(addon.ok ? 'built' : addon.reason).toBe('built');
});

describe.each(engines)('duplicate search with the %s engine', (_name, engine) => {
  it.skipIf(!engine || !hasTool('jdupes'))('finds the same groups as jdupes -r', async () => {
    makeDupeTree(work);
    const { result } = await searchAndWait(service(engine ?? undefined).handlers, { roots: [work] });
    expect(result.complete).toBe(true);
    expect(inodeGroups(ourGroups(result))).toEqual(inodeGroups(jdupesGroups([work])));
    expect(result.groups.length).toBe(4);
  });

  it.skipIf(!engine)('lists hard links once, never as duplicates of themselves; ignores symlinks and empty files', async () => {
    makeDupeTree(work);
    const { result } = await searchAndWait(service(engine ?? undefined).handlers, { roots: [work] });
    const linked = result.groups.find((g) => g.files.some((f) => f.path.endsWith('/linked-copy')));
    expect(linked?.files.length).toBe(2);
    const inode = linked?.files.find((f) => !f.path.endsWith('linked-copy'));
    expect([inode?.path, ...(inode?.hardLinks ?? [])].sort()).toEqual(
      [join(work, 'a/linked'), join(work, 'b/linked-2'), join(work, 'c/linked-3')].sort(),
    );
    const all = result.groups.flatMap((g) => g.files.flatMap((f) => [f.path, ...f.hardLinks]));
    expect(all.some((p) => p.includes('alone'))).toBe(false);
    expect(all.some((p) => p.includes('link-to'))).toBe(false);
    expect(all.some((p) => p.includes('empty'))).toBe(false);
    expect(all.some((p) => p.includes('differs'))).toBe(false);
    expect(all.some((p) => p.includes('unique-'))).toBe(false);
  });

  it.skipIf(!engine)('sorts groups by wasted bytes, aggregates folder pairs and keeps odd names', async () => {
    makeDupeTree(work);
    const { result, events } = await searchAndWait(service(engine ?? undefined).handlers, { roots: [work] });
    expect(result.groups[0].size).toBe(300_000);
    expect(result.groups[0].wastedBytes).toBe(600_000);
    expect(result.groups.map((g) => g.id)).toEqual([0, 1, 2, 3]);
    const wasted = result.groups.map((g) => g.wastedBytes);
    expect([...wasted].sort((a, b) => b - a)).toEqual(wasted);
    expect(result.wastedBytes).toBe(wasted.reduce((a, b) => a + b, 0));
    expect(result.byFolder[0].folders).toEqual([join(work, 'a'), join(work, 'b')]);
    const small = result.groups.find((g) => g.size === 5000);
    const odd = small?.files.find((f) => f.nameHex !== null);
    expect(Buffer.from(odd?.nameHex ?? '', 'hex').equals(Buffer.from(`${work}/odd/bad-\xff\xfe.txt`, 'latin1'))).toBe(true);
    expect(small?.files.some((f) => f.path.endsWith('small\nwith newline.txt'))).toBe(true);
    expect(result.stats.filesSeen).toBe(23); // every regular file of makeDupeTree, empty ones included
    expect(result.stats.fullHashed).toBeGreaterThan(0);
    expect(events.at(-1)?.type).toBe('done');
  });

  it.skipIf(!engine || !hasTool('jdupes'))('with minSize 0 counts empty files as duplicates, like jdupes -z', async () => {
    makeDupeTree(work);
    const { result } = await searchAndWait(service(engine ?? undefined).handlers, { roots: [work], minSize: 0 });
    expect(inodeGroups(ourGroups(result))).toEqual(inodeGroups(jdupesGroups([work], ['-z'])));
    expect(result.groups.some((g) => g.size === 0)).toBe(true);
  });

  it.skipIf(!engine)('reads a folder given twice (or inside another root) once', async () => {
    makeDupeTree(work);
    const h = service(engine ?? undefined).handlers;
    const once = await searchAndWait(h, { roots: [work] });
    const twice = await searchAndWait(h, { roots: [work, join(work, 'a'), work] });
    expect(inodeGroups(ourGroups(twice.result))).toEqual(inodeGroups(ourGroups(once.result)));
    expect(twice.result.stats.filesSeen).toBe(once.result.stats.filesSeen);
  });

  it.skipIf(!engine || !isRoot)('with oneFileSystem stays off a file system mounted inside the root', async () => {
    makeDupeTree(work);
    const mnt = join(work, 'mounted');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    try {
      writeFileSync(join(mnt, 'big.bin'), readFileSync(join(work, 'a/big.bin')));
      const h = service(engine ?? undefined).handlers;
      const all = await searchAndWait(h, { roots: [work] });
      expect(all.result.groups[0].files.some((f) => f.path === join(mnt, 'big.bin'))).toBe(true);
      const one = await searchAndWait(h, { roots: [work], oneFileSystem: true });
      expect(one.result.groups.flatMap((g) => g.files).some((f) => f.path.startsWith(mnt))).toBe(false);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it.skipIf(!engine)('follows a root given as a symlink (and no symlink below it)', async () => {
    makeDupeTree(work);
    execFileSync('ln', ['-s', work, join(data, 'link-to-tree')]);
    const { result } = await searchAndWait(service(engine ?? undefined).handlers, { roots: [join(data, 'link-to-tree')] });
    expect(result.groups.length).toBe(4);
  });

  it.skipIf(!engine)('honours minSize and excludes', async () => {
    makeDupeTree(work);
    const h = service(engine ?? undefined).handlers;
    const { result } = await searchAndWait(h, { roots: [work], minSize: 10_000 });
    expect(result.groups.map((g) => g.size).sort((a, b) => a - b)).toEqual([20_000, 300_000]);
    const ex = await searchAndWait(h, { roots: [work], excludes: ['deep', '*.txt'] });
    const paths = ex.result.groups.flatMap((g) => g.files.map((f) => f.path));
    expect(paths.some((p) => p.includes('/deep/') || p.endsWith('.txt'))).toBe(false);
    expect(ex.result.groups.find((g) => g.size === 300_000)?.files.length).toBe(2);
  });
});

describe('the hash cache', () => {
  it('serves a second search of the same files from the cache, with the same groups', async () => {
    makeDupeTree(work);
    const first = await searchAndWait(service().handlers, { roots: [work] });
    expect(first.result.stats.cacheHits).toBe(0);
    const second = await searchAndWait(service().handlers, { roots: [work] });
    expect(second.result.stats.cacheHits).toBeGreaterThan(0);
    expect(second.result.stats.fullHashed).toBe(0);
    expect(inodeGroups(ourGroups(second.result))).toEqual(inodeGroups(ourGroups(first.result)));
    expect(existsSync(join(data, 'disk', 'hashcache.db'))).toBe(true);
  });

  it('does not trust a cached hash once the file changed', async () => {
    makeDupeTree(work);
    await searchAndWait(service().handlers, { roots: [work] });
    const victim = join(work, 'c/deep/er/big.bin');
    const buf = readFileSync(victim);
    buf[1000] ^= 1;
    writeFileSync(victim, buf);
    const { result } = await searchAndWait(service().handlers, { roots: [work] });
    expect(result.groups[0].files.map((f) => f.path).sort()).toEqual([join(work, 'a/big.bin'), join(work, 'b/big copy.bin')]);
  });
});

describe('cancelling', () => {
  it('keeps the groups confirmed before the cancel: cancelled while the full-hash stage is stuck', async () => {
    makeDupeTree(work);
    const base = addon.ok ? nativeEngine(addon.addon) : nodeEngine();
    let fullStarted = () => undefined as void;
    const started = new Promise<void>((r) => (fullStarted = r));
    // The full-hash stage stands for a slow disk: it finishes nothing until it is cancelled.
    const engine: DupEngine = {
      ...base,
      hash: (batch) => {
        if (batch.mode === 'partial') return base.hash(batch);
        let cancel = () => undefined as void;
        const n = batch.ends.length;
        const done = new Promise<HashOutput>((resolve) => {
          cancel = () =>
            resolve({ status: new Uint8Array(n), partial: [], full: [], errors: [], done: 0, bytesHashed: 0, cancelled: true });
        });
        fullStarted();
        return { done, poll: () => ({ done: 0, bytesHashed: 0 }), cancel };
      },
    };
    const s = service(engine, false);
    const { jobId } = await s.handlers.dupes({ roots: [work], minSize: 1, oneFileSystem: false, excludes: [] }, ctx);
    await started;
    const r = await s.handlers.cancelDupes({ jobId }, ctx);
    expect(r?.complete).toBe(false);
    // Files up to 8 KiB are read whole in the partial stage, so their groups were already confirmed.
    expect(r?.groups.map((g) => g.size).sort((a, b) => a - b)).toEqual([1, 5000]);
  });

  it('stops a search and returns what was confirmed (complete: false)', async () => {
    for (let i = 0; i < 100; i++) {
      mkdirSync(join(work, `d${i}`));
      for (let j = 0; j < 10; j++) writeFileSync(join(work, `d${i}`, `f${j}`), `content ${j}`);
    }
    const s = service();
    const { jobId } = await s.handlers.dupes({ roots: [work], minSize: 1, oneFileSystem: false, excludes: [] }, ctx);
    const r = await s.handlers.cancelDupes({ jobId }, ctx);
    expect(r?.complete).toBe(false);
    for (const g of r?.groups ?? []) expect(g.files.length).toBeGreaterThanOrEqual(2);
    expect(await s.handlers.cancelDupes({ jobId: 'dnope' }, ctx)).toBeNull();
  });
});

describe('acting on duplicates', () => {
  async function found() {
    makeDupeTree(work);
    const s = service();
    const { result } = await searchAndWait(s.handlers, { roots: [work] });
    const big = result.groups.find((g) => g.size === 300_000);
    if (!big) throw new Error('no big group');
    return { s, result, big };
  }

  it('dry run says exactly which paths go and how many bytes, and touches nothing', async () => {
    const { s, result, big } = await found();
    const r = await s.handlers.dupesAct(
      { jobId: result.jobId, groupIds: [big.id], action: 'trash', keep: 'shortest-path', dryRun: true },
      ctx,
    );
    expect(r.items[0].keep).toBe(join(work, 'a/big.bin'));
    expect(r.items[0].act.map((a) => a.path).sort()).toEqual([join(work, 'b/big copy.bin'), join(work, 'c/deep/er/big.bin')]);
    expect(r.bytesFreed).toBe(600_000);
    expect(existsSync(join(work, 'b/big copy.bin'))).toBe(true);
    expect(existsSync(join(data, 'xdg', 'Trash'))).toBe(false);
  });

  it('trash: moves the other copies to the trash with their .trashinfo, keeps one', async () => {
    const { s, result, big } = await found();
    const r = await s.handlers.dupesAct(
      { jobId: result.jobId, groupIds: [big.id], action: 'trash', keep: 'in-folder', keepFolder: join(work, 'c'), dryRun: false },
      ctx,
    );
    expect(r.items[0].keep).toBe(join(work, 'c/deep/er/big.bin'));
    expect(r.items[0].act.every((a) => a.outcome === 'done')).toBe(true);
    expect(r.bytesFreed).toBe(600_000);
    expect(existsSync(join(work, 'c/deep/er/big.bin'))).toBe(true);
    expect(existsSync(join(work, 'a/big.bin'))).toBe(false);
    const trash = join(data, 'xdg', 'Trash');
    expect(readdirSync(join(trash, 'files')).sort()).toEqual(['big copy.bin', 'big.bin']);
    expect(readFileSync(join(trash, 'info', 'big.bin.trashinfo'), 'utf8')).toContain(`Path=${join(work, 'a/big.bin')}`);
  });

  it('hardlink: the copies become the same inode as the kept file', async () => {
    const { s, result, big } = await found();
    const r = await s.handlers.dupesAct(
      { jobId: result.jobId, groupIds: [big.id], action: 'hardlink', keep: 'oldest', dryRun: false },
      ctx,
    );
    const inodes = new Set(['a/big.bin', 'b/big copy.bin', 'c/deep/er/big.bin'].map((p) => lstatSync(join(work, p)).ino));
    expect(inodes.size).toBe(1);
    expect(r.items[0].act.every((a) => a.outcome === 'done')).toBe(true);
    expect(readdirSync(join(work, 'b')).some((n) => n.startsWith('.vantage-dedupe-'))).toBe(false);
  });

  it('a file modified between search and action is skipped with CONFLICT, and nothing is lost', async () => {
    const { s, result, big } = await found();
    writeFileSync(join(work, 'b/big copy.bin'), Buffer.alloc(300_000, 7));
    const r = await s.handlers.dupesAct(
      { jobId: result.jobId, groupIds: [big.id], action: 'trash', keep: 'shortest-path', dryRun: false },
      ctx,
    );
    const copy = r.items[0].act.find((a) => a.path.endsWith('big copy.bin'));
    expect(copy?.outcome).toBe('skipped');
    expect(copy?.message).toMatch(/^CONFLICT/);
    expect(readFileSync(join(work, 'b/big copy.bin'))[0]).toBe(7);
    expect(existsSync(join(work, 'a/big.bin'))).toBe(true);
  });

  it('a kept copy changed since the search skips its whole group', async () => {
    const { s, result, big } = await found();
    const t = new Date(Date.now() - 3600_000);
    utimesSync(join(work, 'a/big.bin'), t, t);
    const r = await s.handlers.dupesAct(
      { jobId: result.jobId, groupIds: [big.id], action: 'trash', keep: 'shortest-path', dryRun: false },
      ctx,
    );
    expect(r.items[0].act.every((a) => a.outcome === 'skipped' && a.message?.startsWith('CONFLICT'))).toBe(true);
    expect(r.bytesFreed).toBe(0);
    for (const p of ['a/big.bin', 'b/big copy.bin', 'c/deep/er/big.bin']) expect(existsSync(join(work, p))).toBe(true);
  });

  it('keep rules: newest keeps the most recent copy', async () => {
    const { s, result, big } = await found();
    const r = await s.handlers.dupesAct(
      { jobId: result.jobId, groupIds: [big.id], action: 'trash', keep: 'newest', dryRun: true },
      ctx,
    );
    const newest = [...big.files].sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
    expect(r.items[0].keep).toBe(newest.path);
  });

  it('in-folder without a copy there skips the group and says why', async () => {
    const { s, result, big } = await found();
    const r = await s.handlers.dupesAct(
      { jobId: result.jobId, groupIds: [big.id], action: 'trash', keep: 'in-folder', keepFolder: '/nowhere', dryRun: false },
      ctx,
    );
    expect(r.items[0].act.every((a) => a.outcome === 'skipped' && a.message?.includes('/nowhere'))).toBe(true);
  });

  it('reflink on a file system without reflinks: a clear per-item message, files untouched', async () => {
    const { s, result, big } = await found();
    const fsType = execFileSync('stat', ['-f', '-c', '%T', work]).toString().trim();
    const r = await s.handlers.dupesAct(
      { jobId: result.jobId, groupIds: [big.id], action: 'reflink', keep: 'shortest-path', dryRun: false },
      ctx,
    );
    if (['xfs', 'btrfs'].includes(fsType)) return; // reflinks may work here; the loop-image test covers them
    for (const a of r.items[0].act) {
      expect(a.outcome).toBe('skipped');
      expect(a.message).toMatch(/^UNAVAILABLE: reflinks are not supported on this file system/);
    }
    expect(readFileSync(join(work, 'b/big copy.bin')).length).toBe(300_000);
    expect(readdirSync(join(work, 'b')).some((n) => n.startsWith('.vantage-dedupe-'))).toBe(false);
  });

  it.skipIf(!addon.ok)('cloneFile and dedupeRange name the errno on a file system without reflinks', () => {
    if (!addon.ok) return;
    writeFileSync(join(work, 'x'), 'same');
    writeFileSync(join(work, 'y'), 'same');
    const fsType = execFileSync('stat', ['-f', '-c', '%T', work]).toString().trim();
    if (['xfs', 'btrfs'].includes(fsType)) return;
    const clone = addon.addon.cloneFile(join(work, 'x'), join(work, 'z'));
    expect(clone.ok).toBe(false);
    expect(['EOPNOTSUPP', 'EINVAL', 'EXDEV', 'ENOTTY']).toContain(clone.errno);
    expect(existsSync(join(work, 'z'))).toBe(false);
    const dd = addon.addon.dedupeRange(join(work, 'x'), join(work, 'y'));
    expect(dd.ok).toBe(false);
    expect(addon.addon.cloneFile(join(work, 'x'), join(work, 'y'))).toMatchObject({ ok: false, errno: 'EEXIST' });
  });

  it.skipIf(!isRoot)('hardlink across file systems is skipped with EXDEV, both copies kept (tmpfs mounted as root)', async () => {
    const mnt = join(data, 'other-fs');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    try {
      writeFileSync(join(work, 'here.bin'), Buffer.alloc(50_000, 5));
      writeFileSync(join(mnt, 'there.bin'), Buffer.alloc(50_000, 5));
      const s = service();
      const { result } = await searchAndWait(s.handlers, { roots: [work, mnt] });
      expect(result.groups.length).toBe(1);
      const r = await s.handlers.dupesAct(
        { jobId: result.jobId, groupIds: [0], action: 'hardlink', keep: 'in-folder', keepFolder: work, dryRun: false },
        ctx,
      );
      expect(r.items[0].act[0]).toMatchObject({ path: join(mnt, 'there.bin'), outcome: 'skipped' });
      expect(r.items[0].act[0].message).toMatch(/^EXDEV/);
      expect(r.bytesFreed).toBe(0);
      expect(existsSync(join(mnt, 'there.bin'))).toBe(true);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('unknown group ids are NOT_FOUND', async () => {
    const { s, result } = await found();
    await expect(
      s.handlers.dupesAct({ jobId: result.jobId, groupIds: [999], action: 'trash', keep: 'newest', dryRun: true }, ctx),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe.skipIf(!isRoot || !hasTool('mkfs.xfs') || !addon.ok)(
  'reflink on an XFS loop image (needs root and xfsprogs; skipped otherwise)',
  () => {
    it('clones the kept copy over the victim, keeping the victim mode and times', async () => {
      const img = join(data, 'xfs.img');
      const mnt = join(data, 'mnt');
      mkdirSync(mnt);
      execFileSync('truncate', ['-s', '300M', img]);
      execFileSync('mkfs.xfs', ['-q', '-m', 'reflink=1', img]);
      execFileSync('mount', ['-o', 'loop', img, mnt]);
      try {
        writeFileSync(join(mnt, 'a'), Buffer.alloc(200_000, 3));
        writeFileSync(join(mnt, 'bb'), Buffer.alloc(200_000, 3), { mode: 0o640 });
        const old = new Date('2020-01-02T03:04:05Z');
        utimesSync(join(mnt, 'bb'), old, old);
        const s = service();
        const { result } = await searchAndWait(s.handlers, { roots: [mnt] });
        const r = await s.handlers.dupesAct(
          { jobId: result.jobId, groupIds: [0], action: 'reflink', keep: 'shortest-path', dryRun: false },
          ctx,
        );
        expect(r.items[0].act[0].outcome).toBe('done');
        expect(lstatSync(join(mnt, 'bb')).mode & 0o777).toBe(0o640);
        expect(lstatSync(join(mnt, 'bb')).ino).not.toBe(lstatSync(join(mnt, 'a')).ino);
        expect(lstatSync(join(mnt, 'bb')).mtimeMs).toBe(old.getTime());
        expect(readFileSync(join(mnt, 'bb')).equals(Buffer.alloc(200_000, 3))).toBe(true);
        if (hasTool('filefrag')) expect(execFileSync('filefrag', ['-v', join(mnt, 'bb')]).toString()).toContain('shared');
        // FIDEDUPERANGE: equal files share extents; different ones are refused with DIFFERS.
        writeFileSync(join(mnt, 'c1'), Buffer.alloc(100_000, 9));
        writeFileSync(join(mnt, 'c2'), Buffer.alloc(100_000, 9));
        writeFileSync(join(mnt, 'c3'), Buffer.alloc(100_000, 8));
        if (!addon.ok) throw new Error(addon.reason);
        expect(addon.addon.dedupeRange(join(mnt, 'c1'), join(mnt, 'c2'))).toMatchObject({ ok: true, bytesDeduped: 100_000 });
        expect(addon.addon.dedupeRange(join(mnt, 'c1'), join(mnt, 'c3'))).toMatchObject({ ok: false, errno: 'DIFFERS' });
      } finally {
        execFileSync('umount', [mnt]);
      }
    });
  },
);
