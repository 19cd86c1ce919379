import type { DiskNode, FileAction } from '@contract/disk';
import { formatBytes, formatDuration } from '../../components/format';
import type { SizeMode } from './treemap';

/** Bytes grown since the previous scan of the same root; null when the path is new or unknown. */
export function growthOf(n: Pick<DiskNode, 'allocatedBytes' | 'previousAllocatedBytes'>): number | null {
  return n.previousAllocatedBytes === null ? null : n.allocatedBytes - n.previousAllocatedBytes;
}

/**
 * "+1.5 MiB", "−200 B", "=" or "new" (a folder the previous scan did not have). The previous
 * scan keeps folder totals only, so files have no growth of their own.
 */
export function formatGrowth(n: Pick<DiskNode, 'kind' | 'allocatedBytes' | 'previousAllocatedBytes'>, hasPrevious: boolean): string {
  const g = growthOf(n);
  if (g === null) return hasPrevious && n.kind === 'dir' ? 'new' : '';
  if (g === 0) return '=';
  return g > 0 ? `+${formatBytes(g)}` : `−${formatBytes(-g)}`;
}

export type SortKey = 'name' | 'allocated' | 'apparent' | 'files' | 'mtime' | 'growth';

/** The folder list's order; ties fall back to the name so the order is stable. */
export function sortNodes<T extends DiskNode>(nodes: T[], key: SortKey, descending: boolean): T[] {
  const value = (n: T): number | string => {
    switch (key) {
      case 'name':
        return n.name.toLowerCase();
      case 'allocated':
        return n.allocatedBytes;
      case 'apparent':
        return n.apparentBytes;
      case 'files':
        return n.files;
      case 'mtime':
        return n.mtimeMs;
      case 'growth':
        return growthOf(n) ?? Number.NEGATIVE_INFINITY;
    }
  };
  const dir = descending ? -1 : 1;
  return [...nodes].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va < vb) return -dir;
    if (va > vb) return dir;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** What the treemap and the folder list share: one selection, one cursor, one way to move. */
export interface NodeNavigation {
  size: SizeMode;
  selected: Set<number>;
  cursor: number | null;
  hasPrevious: boolean;
  onCursor: (id: number, mode: 'only' | 'toggle' | 'range') => void;
  onZoom: (id: number) => void;
  onUp: () => void;
}

export function sizeIn(n: Pick<DiskNode, 'allocatedBytes' | 'apparentBytes'>, mode: SizeMode): number {
  return mode === 'allocated' ? n.allocatedBytes : n.apparentBytes;
}

/** Most recent first, no duplicates, at most `max`. */
export function pushRecent(list: string[], root: string, max = 8): string[] {
  return [root, ...list.filter((r) => r !== root)].slice(0, max);
}

/** "/a/b/" → "/a/b"; keeps "/"; rejects relative paths with a message. */
export function normaliseRoot(input: string): { ok: true; root: string } | { ok: false; message: string } {
  const t = input.trim();
  if (!t.startsWith('/')) return { ok: false, message: 'Give an absolute path, starting with /' };
  const root = t.length > 1 ? t.replace(/\/+$/, '') || '/' : t;
  return { ok: true, root };
}

/** Excludes typed as one per line or comma-separated. */
export function parseExcludes(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** What happened to one item, in words; a conflict says the file changed since it was looked at. */
export function outcomeText(a: FileAction): string {
  if (!a.outcome) return '';
  const msg = a.message ?? '';
  if (a.outcome === 'done') return msg ? `done: ${msg}` : 'done';
  if (/CONFLICT|changed/i.test(msg)) return `${a.outcome}: changed since the search — ${msg.replace(/^CONFLICT:?\s*/, '')}`;
  return msg ? `${a.outcome}: ${msg}` : a.outcome;
}

/**
 * The selection after a click or key with modifiers, over the list's visible order:
 * plain = only this one; toggle (Ctrl/Space) = add or remove; range (Shift) = from the anchor.
 */
export function nextSelection(order: number[], selected: Set<number>, anchor: number | null, id: number, mode: 'only' | 'toggle' | 'range'): Set<number> {
  if (mode === 'only') return new Set([id]);
  if (mode === 'toggle') {
    const s = new Set(selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    return s;
  }
  const from = anchor === null ? -1 : order.indexOf(anchor);
  const to = order.indexOf(id);
  if (from < 0 || to < 0) return new Set([id]);
  const [lo, hi] = from < to ? [from, to] : [to, from];
  return new Set([...selected, ...order.slice(lo, hi + 1)]);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** "1.5M" / "100 KiB" / "4096" → bytes (binary units); null when it is not a size. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = SIZE_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  return Math.round(Number(m[1]) * unit);
}

/** The folder holding a path ("/a/b/c" → "/a/b", "/a" → "/"). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** "1 group", "3 groups". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/**
 * A copy of a tree where every folder whose children were cut at the server's limit gets one
 * more child standing for the rest ("12 smaller items"), with their summed bytes, so the treemap
 * shows that space instead of leaving a hole. Its id is negative: it cannot be selected or acted on.
 */
export function withRemainders(node: DiskNode): DiskNode {
  if (!node.children) return node;
  const children = node.children.map(withRemainders);
  const missing = node.childCount - children.length;
  if (missing > 0) {
    const apparent = node.apparentBytes - children.reduce((a, c) => a + c.apparentBytes, 0);
    const allocated = node.allocatedBytes - children.reduce((a, c) => a + c.allocatedBytes, 0);
    if (apparent > 0 || allocated > 0) {
      children.push({
        id: -1 - node.id,
        name: `${missing.toLocaleString()} smaller item${missing === 1 ? '' : 's'}`,
        nameHex: null,
        kind: 'other',
        apparentBytes: Math.max(0, apparent),
        allocatedBytes: Math.max(0, allocated),
        files: 0,
        dirs: 0,
        mtimeMs: 0,
        category: 'other',
        extension: '',
        previousAllocatedBytes: null,
        error: null,
        childCount: 0,
      });
    }
  }
  return { ...node, children };
}

export const isRemainder = (n: Pick<DiskNode, 'id'>) => n.id < 0;

/** 870 → "0.9 s", 12_300 → "12.3 s", then "2m 5s" as durations elsewhere. */
export function formatElapsed(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms / 1000);
}

/** Whether a duplicate group has a copy directly in each of the folders (a "by folder" pair). */
export function groupInFolders(files: { path: string }[], folders: string[]): boolean {
  const dirs = new Set(files.map((f) => dirname(f.path)));
  if (folders.length === 2 && folders[0] === folders[1]) return files.filter((f) => dirname(f.path) === folders[0]).length >= 2;
  return folders.every((d) => dirs.has(d));
}
