import { lstatSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectedEntries, Scan } from './scan';

describe('room reserved before a walk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-reserve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the inodes in use on the file system: all of them for its top, at most 256k for a folder in it', () => {
    const rule = (path: string, cap: number) => {
      const fs = statfsSync(path);
      const used = fs.files - fs.ffree;
      return used > 0 ? Math.max(1024, Math.min(used, cap)) : 1024; // btrfs and some FUSE report no inode counts
    };
    expect(expectedEntries('/', lstatSync('/'))).toBe(rule('/', 1 << 22));
    // A fresh folder lives on the file system of the folder it was made in.
    expect(lstatSync(dirname(dir)).dev).toBe(lstatSync(dir).dev);
    expect(expectedEntries(dir, lstatSync(dir))).toBe(rule(dir, 1 << 18));
  });

  it('is handed back right after the walk ends: the tree keeps what it holds, not what was reserved', async () => {
    const scan = new Scan('sb', dir, { classifyMinSize: -1 });
    await scan.whenDone();
    expect(scan.tree.size).toBe(1);
    // Trimmed once the listeners have had the result, not before they hear of it.
    expect(scan.tree.parent.length).toBeGreaterThan(1);
    await new Promise((r) => setImmediate(r));
    expect(scan.tree.parent.length).toBe(1);
    // A summary taken before that already reports (and holds) the trimmed tree.
    const early = new Scan('sb', dir, { classifyMinSize: -1 });
    await early.whenDone();
    const perEntry = early.summary().bytesPerEntry;
    expect(early.tree.parent.length).toBe(1);
    expect(perEntry).toBe(Math.round(early.tree.bytesPerEntry() * 10) / 10);
  });
});
