import { FILE_CATEGORIES, type DiskNode, type DiskTree, type ExtensionTotals, type TypeReport, type TypeTotals } from '../../../contract/disk';
import { ServiceError } from '../../../contract/errors';
import { hashOfNode } from './previous';
import type { Scan } from './scan';
import { FLAG, KIND, KIND_NAMES } from './tree';

export type TreeSort = 'allocated' | 'apparent' | 'name' | 'files' | 'mtime' | 'growth';

export function liveNode(scan: Scan, nodeId: number | undefined): number {
  const i = nodeId ?? 0;
  if (!scan.tree.isLive(i)) throw new ServiceError('NOT_FOUND', `scan ${scan.id} has no node ${i}`);
  return i;
}

function previousOf(scan: Scan, i: number): number | null {
  if (!scan.previous || scan.tree.kind[i] !== KIND.dir) return null;
  return scan.previous.folders.get(hashOfNode(scan.tree, i)) ?? null;
}

function sortChildren(scan: Scan, kids: number[], sort: TreeSort): number[] {
  const t = scan.tree;
  const by = (key: (i: number) => number) => kids.sort((a, b) => key(b) - key(a) || a - b);
  switch (sort) {
    case 'allocated':
      return by((i) => t.allocated[i]);
    case 'apparent':
      return by((i) => t.apparent[i]);
    case 'files':
      return by((i) => (t.kind[i] === KIND.dir ? t.files[i] : 0));
    case 'mtime':
      return by((i) => t.mtime[i]);
    case 'growth':
      return by((i) => t.allocated[i] - (previousOf(scan, i) ?? 0));
    case 'name': {
      const names = new Map(kids.map((i) => [i, t.displayName(i).name]));
      return kids.sort((a, b) => (names.get(a)! < names.get(b)! ? -1 : names.get(a)! > names.get(b)! ? 1 : a - b));
    }
  }
}

export function diskNode(scan: Scan, i: number, depth: number, limit: number, sort: TreeSort): DiskNode {
  const t = scan.tree;
  const isDir = t.kind[i] === KIND.dir;
  const { name, nameHex } = t.displayName(i);
  const kids = isDir ? t.children(i) : [];
  const node: DiskNode = {
    id: i,
    name,
    nameHex,
    kind: KIND_NAMES[t.kind[i]],
    apparentBytes: t.apparent[i],
    allocatedBytes: t.allocated[i],
    files: isDir ? t.files[i] : 0,
    dirs: isDir ? t.dirs[i] : 0,
    mtimeMs: t.mtime[i],
    category: t.categoryName(i),
    extension: t.extension(i),
    previousAllocatedBytes: previousOf(scan, i),
    error: t.errors.get(i) ?? null,
    childCount: kids.length,
  };
  if (isDir && depth > 0) {
    node.children = sortChildren(scan, kids, sort)
      .slice(0, limit)
      .map((c) => diskNode(scan, c, depth - 1, limit, sort));
  }
  return node;
}

export function treeOf(scan: Scan, nodeId: number | undefined, depth: number, limit: number, sort: TreeSort): DiskTree {
  const i = liveNode(scan, nodeId);
  const t = scan.tree;
  return {
    scanId: scan.id,
    node: diskNode(scan, i, depth, limit, sort),
    path: t.path(i),
    breadcrumbs: t.chain(i).map((n) => ({ id: n, name: t.displayName(n).name })),
  };
}

/** Totals by category and by extension of the regular files under a node. */
export function typesOf(scan: Scan, nodeId: number | undefined): TypeReport {
  const start = liveNode(scan, nodeId);
  const t = scan.tree;
  const K = FILE_CATEGORIES.length;
  const cats = FILE_CATEGORIES.map((category): TypeTotals => ({ category, files: 0, apparentBytes: 0, allocatedBytes: 0 }));
  const exts = new Map<string, { totals: ExtensionTotals; byCat: Float64Array }>();
  let content = 0;
  let extension = 0;
  const visit = (i: number) => {
    if (t.kind[i] !== KIND.file) return;
    const c = t.category[i];
    const cat = cats[c];
    cat.files++;
    cat.apparentBytes += t.apparent[i];
    cat.allocatedBytes += t.allocated[i];
    if (t.flags[i] & FLAG.byContent) content++;
    else extension++;
    const ext = t.extension(i);
    let e = exts.get(ext);
    if (!e) {
      e = { totals: { extension: ext, category: cat.category, files: 0, apparentBytes: 0, allocatedBytes: 0 }, byCat: new Float64Array(K) };
      exts.set(ext, e);
    }
    e.totals.files++;
    e.totals.apparentBytes += t.apparent[i];
    e.totals.allocatedBytes += t.allocated[i];
    e.byCat[c] += t.allocated[i] + 1;
  };
  const stack = [start];
  while (stack.length) {
    const i = stack.pop()!;
    visit(i);
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) stack.push(c);
  }
  const extensions = [...exts.values()]
    .map(({ totals, byCat }) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (byCat[k] > byCat[best]) best = k;
      return { ...totals, category: FILE_CATEGORIES[best] };
    })
    .sort((a, b) => b.allocatedBytes - a.allocatedBytes || b.apparentBytes - a.apparentBytes)
    .slice(0, 100);
  return {
    scanId: scan.id,
    nodeId: start,
    categories: cats.filter((c) => c.files > 0).sort((a, b) => b.allocatedBytes - a.allocatedBytes || b.apparentBytes - a.apparentBytes),
    extensions,
    classifiedBy: { content, extension },
  };
}
