import type { DiskNode } from '@contract/disk';
import { describe, expect, it } from 'vitest';
import { dirname, formatElapsed, formatGrowth, groupInFolders, growthOf, isRemainder, nextSelection, normaliseRoot, outcomeText, parseExcludes, parseSize, plural, pushRecent, sortNodes, withRemainders } from './model';

function node(id: number, name: string, allocated: number, extra: Partial<DiskNode> = {}): DiskNode {
  return {
    id,
    name,
    nameHex: null,
    kind: 'dir',
    apparentBytes: allocated,
    allocatedBytes: allocated,
    files: 0,
    dirs: 0,
    mtimeMs: 0,
    category: 'other',
    extension: '',
    previousAllocatedBytes: null,
    error: null,
    childCount: 0,
    ...extra,
  };
}

describe('growth since the previous scan', () => {
  it('is the difference in allocated bytes, null for paths the previous scan did not have', () => {
    expect(growthOf(node(1, 'a', 5000, { previousAllocatedBytes: 1000 }))).toBe(4000);
    expect(growthOf(node(1, 'a', 5000))).toBeNull();
  });
  it('reads as signed sizes, "=" when unchanged, "new" only for folders when there was a previous scan', () => {
    expect(formatGrowth(node(1, 'a', 3072, { previousAllocatedBytes: 1024 }), true)).toBe('+2.0 KiB');
    expect(formatGrowth(node(1, 'a', 1024, { previousAllocatedBytes: 3072 }), true)).toBe('−2.0 KiB');
    expect(formatGrowth(node(1, 'a', 1024, { previousAllocatedBytes: 1024 }), true)).toBe('=');
    expect(formatGrowth(node(1, 'a', 1024), true)).toBe('new');
    expect(formatGrowth(node(1, 'a', 1024), false)).toBe('');
    expect(formatGrowth(node(1, 'a', 1024, { kind: 'file' }), true)).toBe('');
  });
});

describe('folder list order', () => {
  const rows = [node(1, 'b', 10, { files: 3, mtimeMs: 5 }), node(2, 'A', 30, { files: 1, mtimeMs: 9, previousAllocatedBytes: 0 }), node(3, 'c', 20, { files: 2, mtimeMs: 1 })];
  it('sorts by each column both ways, names case-insensitively', () => {
    expect(sortNodes(rows, 'allocated', true).map((n) => n.id)).toEqual([2, 3, 1]);
    expect(sortNodes(rows, 'allocated', false).map((n) => n.id)).toEqual([1, 3, 2]);
    expect(sortNodes(rows, 'name', false).map((n) => n.id)).toEqual([2, 1, 3]);
    expect(sortNodes(rows, 'files', true).map((n) => n.id)).toEqual([1, 3, 2]);
    expect(sortNodes(rows, 'mtime', true).map((n) => n.id)).toEqual([2, 1, 3]);
  });
  it('puts unknown growth last when sorting by growth, largest growth first', () => {
    expect(sortNodes(rows, 'growth', true)[0].id).toBe(2);
  });
  it('does not change the input', () => {
    const copy = rows.map((r) => r.id);
    sortNodes(rows, 'name', true);
    expect(rows.map((r) => r.id)).toEqual(copy);
  });
});

describe('root picker', () => {
  it('keeps recent roots most recent first without duplicates', () => {
    expect(pushRecent(['/a', '/b', '/c'], '/b')).toEqual(['/b', '/a', '/c']);
    expect(pushRecent(['/1', '/2', '/3'], '/4', 3)).toEqual(['/4', '/1', '/2']);
  });
  it('accepts absolute paths, trims trailing slashes, refuses relative ones', () => {
    expect(normaliseRoot(' /home/me/ ')).toEqual({ ok: true, root: '/home/me' });
    expect(normaliseRoot('/')).toEqual({ ok: true, root: '/' });
    expect(normaliseRoot('//')).toEqual({ ok: true, root: '/' });
    expect(normaliseRoot('home').ok).toBe(false);
  });
  it('reads excludes one per line or separated by commas', () => {
    expect(parseExcludes('node_modules, .git\n\n  *.iso ')).toEqual(['node_modules', '.git', '*.iso']);
  });
});

describe('action outcomes', () => {
  it('explains a conflict as a change since the search', () => {
    expect(outcomeText({ path: '/x', bytes: 1, kind: 'file', outcome: 'skipped', message: 'CONFLICT: content differs' })).toBe('skipped: changed since the search — content differs');
    expect(outcomeText({ path: '/x', bytes: 1, kind: 'file', outcome: 'done' })).toBe('done');
    expect(outcomeText({ path: '/x', bytes: 1, kind: 'file', outcome: 'failed', message: 'EACCES: permission denied' })).toBe('failed: EACCES: permission denied');
    expect(outcomeText({ path: '/x', bytes: 1, kind: 'file' })).toBe('');
  });
});

describe('multi-selection', () => {
  const order = [10, 11, 12, 13, 14];
  it('selects only the clicked row by default', () => {
    expect([...nextSelection(order, new Set([10, 11]), 10, 12, 'only')]).toEqual([12]);
  });
  it('toggles with Space or Ctrl', () => {
    expect([...nextSelection(order, new Set([10]), 10, 12, 'toggle')].sort()).toEqual([10, 12]);
    expect([...nextSelection(order, new Set([10, 12]), 10, 12, 'toggle')]).toEqual([10]);
  });
  it('extends from the anchor with Shift, either direction', () => {
    expect([...nextSelection(order, new Set([11]), 11, 13, 'range')].sort()).toEqual([11, 12, 13]);
    expect([...nextSelection(order, new Set([13]), 13, 11, 'range')].sort()).toEqual([11, 12, 13]);
  });
});

describe('sizes typed by hand', () => {
  it('reads plain bytes and binary units', () => {
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('1k')).toBe(1024);
    expect(parseSize('1.5 MiB')).toBe(1572864);
    expect(parseSize('2G')).toBe(2 * 1024 ** 3);
  });
  it('refuses what is not a size', () => {
    expect(parseSize('lots')).toBeNull();
    expect(parseSize('-5')).toBeNull();
    expect(parseSize('3 parsecs')).toBeNull();
  });
});

describe('dirname', () => {
  it('gives the containing folder', () => {
    expect(dirname('/a/b/c')).toBe('/a/b');
    expect(dirname('/a')).toBe('/');
  });
});

describe('plural', () => {
  it('says 1 group and 2 groups', () => {
    expect(plural(1, 'group')).toBe('1 group');
    expect(plural(2, 'group')).toBe('2 groups');
    expect(plural(2, 'copy', 'copies')).toBe('2 copies');
  });
});

describe('remainders of cut folders', () => {
  it('adds one child holding the bytes of the children the server left out', () => {
    const tree = node(1, 'root', 1000, { childCount: 5, apparentBytes: 900, children: [node(2, 'a', 600, { apparentBytes: 500 }), node(3, 'b', 300, { apparentBytes: 300 })] });
    const out = withRemainders(tree);
    expect(out.children).toHaveLength(3);
    const rest = out.children![2];
    expect(rest.name).toBe('3 smaller items');
    expect(rest.allocatedBytes).toBe(100);
    expect(rest.apparentBytes).toBe(100);
    expect(isRemainder(rest)).toBe(true);
    expect(isRemainder(out.children![0])).toBe(false);
  });
  it('adds nothing when every child is there, and does not change the input', () => {
    const tree = node(1, 'root', 900, { childCount: 2, children: [node(2, 'a', 600), node(3, 'b', 300)] });
    expect(withRemainders(tree).children).toHaveLength(2);
    const cut = node(1, 'root', 1000, { childCount: 3, children: [node(2, 'a', 600)] });
    withRemainders(cut);
    expect(cut.children).toHaveLength(1);
  });
});

describe('elapsed time', () => {
  it('shows tenths of a second under a minute, then minutes and seconds', () => {
    expect(formatElapsed(870)).toBe('0.9 s');
    expect(formatElapsed(12_300)).toBe('12.3 s');
    expect(formatElapsed(125_000)).toBe('2m 5s');
  });
});

describe('duplicate groups of a folder pair', () => {
  const files = [{ path: '/a/x' }, { path: '/b/x' }, { path: '/b/y' }];
  it('needs a copy in each folder of the pair', () => {
    expect(groupInFolders(files, ['/a', '/b'])).toBe(true);
    expect(groupInFolders(files, ['/a', '/c'])).toBe(false);
  });
  it('for a folder paired with itself, needs two copies inside it', () => {
    expect(groupInFolders(files, ['/b', '/b'])).toBe(true);
    expect(groupInFolders(files, ['/a', '/a'])).toBe(false);
    expect(groupInFolders(files, ['/b'])).toBe(true);
  });
});
