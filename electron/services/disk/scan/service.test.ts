import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiskNode, ScanEvent, ScanSummary } from '../../../contract/disk';
import type { CallContext } from '../../../rpc/handlers';
import { loadWalker } from './native-walker';
import { createScanService } from './service';
import { duBytes, findCounts, makeTestTree } from './test-tree';

/** Root in CI can mount a tmpfs; elsewhere the one-file-system case is skipped. */
const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'vantage-mount-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();
const ctx: CallContext = { clientId: 't', signal: new AbortController().signal };
const native = loadWalker();

let root: string;
let dataDir: string;
const made: string[] = [];

beforeAll(() => {
  root = makeTestTree();
  dataDir = mkdtempSync(join(tmpdir(), 'vantage-data-'));
  made.push(root, dataDir);
});
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

type Service = ReturnType<typeof createScanService>;

function waitDone(svc: Service, scanId: string): Promise<ScanSummary> {
  return new Promise((resolve, reject) => {
    let stop: (() => void) | undefined;
    let early: ScanEvent | undefined;
    const onEvent = (e: ScanEvent) => {
      if (e.type === 'progress') return;
      if (!stop) {
        early = e;
        return;
      }
      stop();
      if (e.type === 'done') resolve(e.summary);
      else reject(new Error(`${e.code}: ${e.message}`));
    };
    void Promise.resolve(svc.handlers.scanProgress({ scanId, intervalMs: 50 }, onEvent, ctx)).then((s) => {
      stop = s;
      if (early) onEvent(early);
    });
  });
}

async function scanOf(svc: Service, path: string, excludes: string[] = []) {
  const { scanId } = await svc.handlers.scan({ root: path, oneFileSystem: false, excludes }, ctx);
  return { scanId, summary: await waitDone(svc, scanId) };
}

const tree = (svc: Service, scanId: string, nodeId?: number, depth = 1) =>
  svc.handlers.tree({ scanId, nodeId, depth, limit: 5000, sort: 'allocated' }, ctx);

async function childNamed(svc: Service, scanId: string, parent: number | undefined, name: string): Promise<DiskNode> {
  const t = await tree(svc, scanId, parent);
  const c = t.node.children?.find((n) => n.name === name);
  if (!c) throw new Error(`no ${name} in ${t.path}`);
  return c;
}

describe.each([
  ['native', true],
  ['fs fallback', false],
])('a scan with the %s walker', (_label, useNative) => {
  const make = () => createScanService({ dataDir, log: () => {}, engine: useNative ? 'native' : 'fs' });

  it.skipIf(useNative && !native.ok)('totals equal du -sb and du -sB1, counts equal find', async () => {
    const svc = make();
    const { summary } = await scanOf(svc, root);
    expect(summary.complete).toBe(true);
    expect(summary.apparentBytes).toBe(duBytes(root, 'apparent'));
    expect(summary.allocatedBytes).toBe(duBytes(root, 'allocated'));
    expect({ dirs: summary.dirs, files: summary.files }).toEqual(findCounts(root));
    expect(summary.errors).toBe(0);
    // Three names of one inode: counted once.
    expect(summary.hardLinksSkipped).toBe(2);
    expect(summary.symlinks).toBe(3);
    expect(summary.bytesPerEntry).toBeGreaterThan(0);
    expect(summary.bytesPerEntry).toBeLessThan(100);
    svc.stop();
  });

  it.skipIf(useNative && !native.ok)('folder totals equal du of each folder; symlinks are not followed', async () => {
    const svc = make();
    const { scanId } = await scanOf(svc, root);
    const t = await tree(svc, scanId, undefined, 3);
    for (const name of ['a', 'b', 'media', 'links', 'empty']) {
      const n = t.node.children!.find((c) => c.name === name)!;
      expect(n.kind).toBe('dir');
      // du counts a hard-linked inode under the first name it meets; compare the folders whose
      // links are all inside themselves, and the sum elsewhere.
      if (name !== 'a' && name !== 'b') expect(n.apparentBytes).toBe(duBytes(join(root, name), 'apparent'));
    }
    const links = t.node.children!.find((c) => c.name === 'links')!;
    expect(links.children!.map((c) => c.kind)).toEqual(['symlink', 'symlink', 'symlink']);
    expect(links.children!.every((c) => c.childCount === 0)).toBe(true);
    const sparse = t.node.children!.find((c) => c.name === 'sparse.img')!;
    expect(sparse.apparentBytes).toBe(100 * 1024 * 1024);
    expect(sparse.allocatedBytes).toBeLessThan(1024 * 1024);
    const empty = t.node.children!.find((c) => c.name === 'empty')!;
    expect(empty).toMatchObject({ files: 0, dirs: 0, childCount: 0 });
    expect(t.breadcrumbs).toEqual([{ id: 0, name: root }]);
    svc.stop();
  });

  it.skipIf(useNative && !native.ok)('keeps names byte for byte: newlines and invalid UTF-8', async () => {
    const svc = make();
    const { scanId } = await scanOf(svc, root);
    const kids = (await tree(svc, scanId)).node.children!;
    expect(kids.find((c) => c.name === 'name\nwith newline.txt')).toMatchObject({ apparentBytes: 321, nameHex: null });
    const bad = kids.find((c) => c.nameHex !== null)!;
    expect(bad.nameHex).toBe(Buffer.from('bad-\xff\xfe.txt', 'latin1').toString('hex'));
    expect(bad.name).toBe('bad-\ufffd\ufffd.txt');
    expect(bad.apparentBytes).toBe(777);
    svc.stop();
  });

  it.skipIf((useNative && !native.ok) || !canMount)('one-file-system skips mount points like du -x', async () => {
    const dir = makeTestTree();
    made.push(dir);
    mkdirSync(join(dir, 'mnt'));
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(dir, 'mnt')]);
    try {
      writeFileSync(join(dir, 'mnt/inside'), Buffer.alloc(100_000, 1));
      const svc = make();
      const { scanId } = await svc.handlers.scan({ root: dir, oneFileSystem: true, excludes: [] }, ctx);
      const summary = await waitDone(svc, scanId);
      expect(summary.apparentBytes).toBe(duBytes(dir, 'apparent', ['-x']));
      expect((await tree(svc, scanId)).node.children!.some((c) => c.name === 'mnt')).toBe(false);
      const all = await scanOf(svc, dir);
      expect(all.summary.apparentBytes).toBe(duBytes(dir, 'apparent'));
      svc.stop();
    } finally {
      execFileSync('umount', [join(dir, 'mnt')]);
    }
  });

  it.skipIf(useNative && !native.ok)('a refresh still counts hard-linked inodes once', async () => {
    const svc = make();
    const { scanId, summary } = await scanOf(svc, root);
    for (const name of ['a', 'b', 'a', 'links']) {
      const node = await childNamed(svc, scanId, undefined, name);
      await svc.handlers.refresh({ scanId, nodeId: node.id }, ctx);
      const after = await waitDone(svc, scanId);
      expect([name, after.apparentBytes, after.allocatedBytes, after.hardLinksSkipped]).toEqual([
        name,
        summary.apparentBytes,
        summary.allocatedBytes,
        2,
      ]);
    }
    svc.stop();
  });

  it.skipIf(useNative && !native.ok)('excludes match names like du --exclude', async () => {
    const svc = make();
    const { summary } = await scanOf(svc, root, ['*.log', 'media']);
    expect(summary.apparentBytes).toBe(duBytes(root, 'apparent', ['--exclude=*.log', '--exclude=media']));
    svc.stop();
  });
});

describe('scan lifecycle', () => {
  it('reports progress then done; a late subscriber gets done at once', async () => {
    const svc = createScanService({ dataDir });
    const { scanId } = await svc.handlers.scan({ root, oneFileSystem: false, excludes: [] }, ctx);
    expect(scanId).toMatch(/^s[0-9a-z]+$/);
    const first = await waitDone(svc, scanId);
    const events: ScanEvent[] = [];
    const stop = await svc.handlers.scanProgress({ scanId, intervalMs: 50 }, (e) => events.push(e), ctx);
    stop();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'done', summary: { scanId, complete: true, apparentBytes: first.apparentBytes } });
    const list = await svc.handlers.scans(undefined, ctx);
    expect(list.map((s) => s.scanId)).toContain(scanId);
    svc.stop();
  });

  it('says NOT_FOUND for a missing path or scan, INVALID_INPUT for a file', async () => {
    const svc = createScanService({ dataDir });
    const call = (root: string) => svc.handlers.scan({ root, oneFileSystem: false, excludes: [] }, ctx);
    expect(() => call(join(root, 'nope'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => call(join(root, 'a/one.txt'))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => svc.handlers.tree({ scanId: 'szz', depth: 1, limit: 10, sort: 'name' }, ctx)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    svc.stop();
  });

  it('keeps at most 4 scans, dropping the oldest finished', async () => {
    const svc = createScanService({ dataDir });
    const ids: string[] = [];
    for (let k = 0; k < 5; k++) ids.push((await scanOf(svc, join(root, 'a'))).scanId);
    const held = (await svc.handlers.scans(undefined, ctx)).map((s) => s.scanId);
    expect(held).toEqual(ids.slice(1));
    svc.stop();
  });

  it('cancel keeps what was read, consistent up the tree', async () => {
    const big = mkdtempSync(join(tmpdir(), 'vantage-big-'));
    made.push(big);
    for (let d = 0; d < 400; d++) {
      mkdirSync(join(big, `d${d}`, 'x', 'y'), { recursive: true });
      for (let f = 0; f < 10; f++) writeFileSync(join(big, `d${d}`, 'x', `f${f}`), 'z'.repeat(f * 100));
    }
    const svc = createScanService({ dataDir });
    const { scanId } = await svc.handlers.scan({ root: big, oneFileSystem: false, excludes: [] }, ctx);
    const summary = await svc.handlers.cancelScan({ scanId }, ctx);
    expect(summary).not.toBeNull();
    const full = duBytes(big, 'apparent');
    expect(summary!.apparentBytes).toBeLessThanOrEqual(full);
    expect(summary!.complete || summary!.apparentBytes < full).toBe(true);
    // Whatever was read adds up: the root's totals are its children's plus its own size.
    const t = await svc.handlers.tree({ scanId, depth: 1, limit: 5000, sort: 'allocated' }, ctx);
    const sum = t.node.children!.reduce((s, c) => s + c.apparentBytes, 0);
    expect(t.node.apparentBytes - sum).toBe(duBytes(big, 'apparent', ['-S']));
    svc.stop();
  });

  it('remembers folder totals of the last scan of a root ("what grew")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vantage-grow-'));
    made.push(dir);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub/f'), Buffer.alloc(10_000, 1));
    const svc = createScanService({ dataDir });
    const first = await scanOf(svc, dir);
    expect(first.summary.previous).toBeNull();
    const subBefore = (await childNamed(svc, first.scanId, undefined, 'sub')).allocatedBytes;
    writeFileSync(join(dir, 'sub/g'), Buffer.alloc(50_000, 1));
    const second = await scanOf(svc, dir);
    expect(second.summary.previous).toMatchObject({ allocatedBytes: first.summary.allocatedBytes });
    const sub = await childNamed(svc, second.scanId, undefined, 'sub');
    expect(sub.previousAllocatedBytes).toBe(subBefore);
    expect(sub.allocatedBytes).toBeGreaterThan(subBefore);
    const growth = await svc.handlers.tree({ scanId: second.scanId, depth: 1, limit: 10, sort: 'growth' }, ctx);
    expect(growth.node.children![0].name).toBe('sub');
    svc.stop();
  });

  it('refresh rescans one folder and the totals above it follow', async () => {
    const dir = makeTestTree();
    made.push(dir);
    const svc = createScanService({ dataDir });
    const { scanId } = await scanOf(svc, dir);
    const deep = await childNamed(svc, scanId, (await childNamed(svc, scanId, undefined, 'a')).id, 'deep');
    writeFileSync(join(dir, 'a/deep/new.bin'), Buffer.alloc(123_456, 3));
    mkdirSync(join(dir, 'a/deep/newdir'));
    await svc.handlers.refresh({ scanId, nodeId: deep.id }, ctx);
    const summary = await waitDone(svc, scanId);
    expect(summary.apparentBytes).toBe(duBytes(dir, 'apparent'));
    expect(summary.allocatedBytes).toBe(duBytes(dir, 'allocated'));
    expect({ dirs: summary.dirs, files: summary.files }).toEqual(findCounts(dir));
    const after = await tree(svc, scanId, deep.id);
    expect(after.node.children!.map((c) => c.name).sort()).toEqual(['er', 'new.bin', 'newdir', 'two.bin']);
    expect(after.breadcrumbs.map((b) => b.name)).toEqual([dir, 'a', 'deep']);
    svc.stop();
  });
});

describe('types', () => {
  it('classifies large files by content and small ones by extension', async () => {
    const svc = createScanService({ dataDir });
    const { scanId } = await scanOf(svc, root);
    const media = await childNamed(svc, scanId, undefined, 'media');
    expect(media.category).toBe('image');
    const kids = (await tree(svc, scanId, media.id)).node.children!;
    expect(kids.find((c) => c.name === 'photo.dat')).toMatchObject({ category: 'image', extension: 'dat' });
    expect(kids.find((c) => c.name === 'song.mp3')).toMatchObject({ category: 'audio' });
    expect(kids.find((c) => c.name === 'clip.mkv')).toMatchObject({ category: 'video' });
    const types = await svc.handlers.types({ scanId, nodeId: media.id }, ctx);
    expect(types.classifiedBy).toEqual({ content: 1, extension: 2 });
    expect(types.categories.map((c) => c.category)).toEqual(['image', 'audio', 'video']);
    expect(types.extensions[0]).toMatchObject({ extension: 'dat', category: 'image', files: 1, apparentBytes: 70_000 });
    const all = await svc.handlers.types({ scanId }, ctx);
    const files = all.categories.reduce((s, c) => s + c.files, 0);
    expect(files).toBe(all.classifiedBy.content + all.classifiedBy.extension);
    svc.stop();
  });
});

describe('actions', () => {
  it('a dry run lists exactly what and how much, and changes nothing', async () => {
    const dir = makeTestTree();
    made.push(dir);
    const svc = createScanService({ dataDir });
    const { scanId, summary } = await scanOf(svc, dir);
    const a = await childNamed(svc, scanId, undefined, 'a');
    const one = await childNamed(svc, scanId, a.id, 'one.txt');
    const report = await svc.handlers.delete({ scanId, nodeIds: [a.id, one.id], dryRun: true }, ctx);
    // one.txt is inside a: listed once, with a.
    expect(report).toEqual({ dryRun: true, action: 'delete', items: [{ path: join(dir, 'a'), bytes: a.allocatedBytes, kind: 'dir' }], totalBytes: a.allocatedBytes });
    expect(existsSync(join(dir, 'a/one.txt'))).toBe(true);
    expect((await svc.handlers.scans(undefined, ctx)).find((s) => s.scanId === scanId)!.allocatedBytes).toBe(summary.allocatedBytes);
    svc.stop();
  });

  it('delete removes from disk and from the tree; totals equal du again', async () => {
    const dir = makeTestTree();
    made.push(dir);
    const svc = createScanService({ dataDir });
    const { scanId } = await scanOf(svc, dir);
    const media = await childNamed(svc, scanId, undefined, 'media');
    const bad = (await tree(svc, scanId)).node.children!.find((c) => c.nameHex !== null)!;
    const report = await svc.handlers.delete({ scanId, nodeIds: [media.id, bad.id], dryRun: false }, ctx);
    expect(report.items.map((i) => i.outcome)).toEqual(['done', 'done']);
    expect(existsSync(join(dir, 'media'))).toBe(false);
    expect(readdirSync(dir).some((n) => n.startsWith('bad-'))).toBe(false);
    const [s] = (await svc.handlers.scans(undefined, ctx)).filter((x) => x.scanId === scanId);
    expect(s.apparentBytes).toBe(duBytes(dir, 'apparent'));
    expect({ dirs: s.dirs, files: s.files }).toEqual(findCounts(dir));
    expect(() => svc.handlers.tree({ scanId, nodeId: media.id, depth: 1, limit: 10, sort: 'name' }, ctx)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    svc.stop();
  });

  it('deleting the name that held a hard-linked inode counts it under a name left elsewhere', async () => {
    for (const victim of ['b', 'a']) {
      const dir = makeTestTree();
      made.push(dir);
      const svc = createScanService({ dataDir });
      const { scanId } = await scanOf(svc, dir);
      const node = await childNamed(svc, scanId, undefined, victim);
      await svc.handlers.delete({ scanId, nodeIds: [node.id], dryRun: false }, ctx);
      const [s] = (await svc.handlers.scans(undefined, ctx)).filter((x) => x.scanId === scanId);
      expect([victim, s.apparentBytes, s.allocatedBytes]).toEqual([victim, duBytes(dir, 'apparent'), duBytes(dir, 'allocated')]);
      svc.stop();
    }
  });

  it('trash moves to the freedesktop trash and updates the tree', async () => {
    const dir = makeTestTree();
    made.push(dir);
    const xdg = join(dir, '.xdg');
    mkdirSync(xdg);
    const before = process.env.XDG_DATA_HOME;
    process.env.XDG_DATA_HOME = xdg;
    try {
      const svc = createScanService({ dataDir });
      const { scanId } = await scanOf(svc, dir);
      const b = await childNamed(svc, scanId, undefined, 'b');
      const report = await svc.handlers.trash({ scanId, nodeIds: [b.id], dryRun: false }, ctx);
      expect(report.items[0]).toMatchObject({ path: join(dir, 'b'), outcome: 'done' });
      expect(report.trashDir).toBe(join(xdg, 'Trash'));
      expect(existsSync(join(dir, 'b'))).toBe(false);
      expect(readdirSync(join(xdg, 'Trash/files'))).toEqual(['b']);
      const t = await tree(svc, scanId);
      expect(t.node.children!.some((c) => c.name === 'b')).toBe(false);
      svc.stop();
    } finally {
      if (before === undefined) delete process.env.XDG_DATA_HOME;
      else process.env.XDG_DATA_HOME = before;
    }
  });

  it('refuses the root and paths that changed kind since the scan', async () => {
    const dir = makeTestTree();
    made.push(dir);
    const svc = createScanService({ dataDir });
    const { scanId } = await scanOf(svc, dir);
    await expect(svc.handlers.delete({ scanId, nodeIds: [0], dryRun: true }, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const one = await childNamed(svc, scanId, (await childNamed(svc, scanId, undefined, 'a')).id, 'one.txt');
    rmSync(join(dir, 'a/one.txt'));
    mkdirSync(join(dir, 'a/one.txt'));
    await expect(svc.handlers.delete({ scanId, nodeIds: [one.id], dryRun: false }, ctx)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(existsSync(join(dir, 'a/one.txt'))).toBe(true);
    svc.stop();
  });

  it('reveal opens the containing folder with xdg-open, or says UNAVAILABLE without it', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'vantage-bin-'));
    made.push(bin);
    const record = join(bin, 'opened');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > ${record}\n`, { mode: 0o755 });
    const path = process.env.PATH;
    const svc = createScanService({ dataDir });
    const { scanId } = await scanOf(svc, root);
    const a = await childNamed(svc, scanId, undefined, 'a');
    const one = await childNamed(svc, scanId, a.id, 'one.txt');
    try {
      process.env.PATH = bin;
      expect(svc.handlers.reveal({ scanId, nodeId: one.id }, ctx)).toEqual({ opened: join(root, 'a') });
      await expect.poll(() => (existsSync(record) ? readFileSync(record, 'utf8') : '')).toBe(join(root, 'a'));
      process.env.PATH = join(bin, 'nothing-here');
      expect(() => svc.handlers.reveal({ scanId, nodeId: one.id }, ctx)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    } finally {
      process.env.PATH = path;
      svc.stop();
    }
  });
});
