import type { DupFile, DupFolderPair, DupGroup, DupesResult, DupesStats } from '../../../contract/disk';
import type { FoundFile, FoundGroup } from './find';

/** A path for display: UTF-8 text, plus the raw bytes in hex when they are not valid UTF-8. */
export function showPath(bytes: Buffer): { path: string; nameHex: string | null } {
  const path = bytes.toString('utf8');
  return { path, nameHex: Buffer.from(path).equals(bytes) ? null : bytes.toString('hex') };
}

export function dupFile(f: FoundFile): DupFile {
  const { path, nameHex } = showPath(f.names[0]);
  return {
    path,
    nameHex,
    dev: f.dev,
    ino: f.ino,
    mtimeMs: f.mtimeSec * 1000 + Math.floor(f.mtimeNsec / 1e6),
    hardLinks: f.names.slice(1).map((n) => n.toString('utf8')),
  };
}

/** Groups, largest waste first (then by size and first path, so the order is stable); ids follow that order. */
export function sortGroups(found: FoundGroup[]): FoundGroup[] {
  for (const g of found) g.files.sort((a, b) => Buffer.compare(a.names[0], b.names[0]));
  return found.sort(
    (a, b) =>
      b.size * (b.files.length - 1) - a.size * (a.files.length - 1) ||
      b.size - a.size ||
      Buffer.compare(a.files[0].names[0], b.files[0].names[0]),
  );
}

function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Folder pairs sharing duplicates: each group adds its size once to every pair of folders it spans. */
export function folderPairs(groups: DupGroup[], limit = 200): DupFolderPair[] {
  const pairs = new Map<string, DupFolderPair>();
  for (const g of groups) {
    const folders = g.files.slice(0, 64).map((f) => folderOf(f.path)).sort();
    const seen = new Set<string>();
    for (let i = 0; i < folders.length; i++) {
      for (let j = i + 1; j < folders.length; j++) {
        const key = `${folders[i]}\0${folders[j]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const p = pairs.get(key) ?? { folders: [folders[i], folders[j]], groups: 0, wastedBytes: 0 };
        p.groups++;
        p.wastedBytes += g.size;
        pairs.set(key, p);
      }
    }
  }
  return [...pairs.values()].sort((a, b) => b.wastedBytes - a.wastedBytes || b.groups - a.groups).slice(0, limit);
}

export function buildResult(
  jobId: string,
  roots: string[],
  sorted: FoundGroup[],
  complete: boolean,
  stats: DupesStats,
): DupesResult {
  const groups: DupGroup[] = sorted.map((g, id) => ({
    id,
    size: g.size,
    hash: g.hash,
    files: g.files.map(dupFile),
    wastedBytes: g.size * (g.files.length - 1),
  }));
  return {
    jobId,
    roots,
    complete,
    groups,
    byFolder: folderPairs(groups),
    wastedBytes: groups.reduce((s, g) => s + g.wastedBytes, 0),
    stats,
  };
}
