/**
 * Squarified treemap layout (Bruls, Huizing & van Wijk, 2000), nesting, hit-testing and
 * keyboard neighbours. Pure: no DOM, so it is tested alone and drawn by TreemapCanvas.
 */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Weighted<T> {
  item: T;
  value: number;
}

export interface Placed<T> extends Rect {
  item: T;
  value: number;
}

/** The worst aspect ratio of a row of areas laid along a side of the given length. */
function worst(sum: number, min: number, max: number, side: number): number {
  const s2 = sum * sum;
  const w2 = side * side;
  return Math.max((w2 * max) / s2, s2 / (w2 * min));
}

/**
 * Lays items (largest first works best) into rect with areas proportional to their values.
 * Rows are filled along the shorter side while adding an item does not worsen the row's
 * worst aspect ratio — the squarified rule.
 */
export function squarify<T>(items: Weighted<T>[], rect: Rect): Placed<T>[] {
  const list = items.filter((i) => i.value > 0 && Number.isFinite(i.value));
  const total = list.reduce((a, i) => a + i.value, 0);
  const out: Placed<T>[] = [];
  if (total <= 0 || rect.w <= 0 || rect.h <= 0) return out;
  const scale = (rect.w * rect.h) / total;
  let { x, y, w, h } = rect;
  let i = 0;
  while (i < list.length) {
    const side = Math.min(w, h);
    let sum = 0;
    let min = Infinity;
    let max = 0;
    let j = i;
    let best = Infinity;
    while (j < list.length) {
      const a = list[j].value * scale;
      const nSum = sum + a;
      const nMin = Math.min(min, a);
      const nMax = Math.max(max, a);
      const ratio = worst(nSum, nMin, nMax, side);
      if (j > i && ratio > best) break;
      best = ratio;
      sum = nSum;
      min = nMin;
      max = nMax;
      j++;
    }
    // The row takes a strip of thickness sum/side across the shorter side.
    const thick = side > 0 ? sum / side : 0;
    let offset = 0;
    const last = j === list.length;
    for (let k = i; k < j; k++) {
      const a = list[k].value * scale;
      const len = thick > 0 ? a / thick : 0;
      if (w >= h) {
        // Shorter side is vertical: the strip is a column at the left.
        out.push({ item: list[k].item, value: list[k].value, x, y: y + offset, w: last ? w : thick, h: k === j - 1 ? h - offset : len });
      } else {
        out.push({ item: list[k].item, value: list[k].value, x: x + offset, y, w: k === j - 1 ? w - offset : len, h: last ? h : thick });
      }
      offset += len;
    }
    if (w >= h) {
      x += thick;
      w = Math.max(0, w - thick);
    } else {
      y += thick;
      h = Math.max(0, h - thick);
    }
    i = j;
  }
  return out;
}

/** The few fields of a folder tree the layout needs (DiskNode satisfies it). */
export interface TreeLike {
  id: number;
  kind: string;
  apparentBytes: number;
  allocatedBytes: number;
  children?: TreeLike[];
}

export type SizeMode = 'allocated' | 'apparent';

export interface Cell<T extends TreeLike> extends Rect {
  node: T;
  /** 0 for the children of the shown folder. */
  depth: number;
  /** The shown folder's child this cell lies in (itself at depth 0). */
  topId: number;
  /** Whether a header strip with the folder name was reserved at the top. */
  header: boolean;
}

export interface LayoutOptions {
  size: SizeMode;
  /** Levels drawn below the shown folder (1 = its children only). */
  maxDepth: number;
  /** Header height for folders big enough to carry one. */
  header: number;
  /** Inner padding of nested folders. */
  padding: number;
  /** Folders smaller than this (px²) are not subdivided. */
  minNestArea: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { size: 'allocated', maxDepth: 3, header: 16, padding: 2, minNestArea: 1600 };

export function sizeOf(n: TreeLike, mode: SizeMode): number {
  return mode === 'allocated' ? n.allocatedBytes : n.apparentBytes;
}

/**
 * Nested layout of a folder's children. Children the server summed into the parent (beyond
 * its per-folder limit) keep their share as empty space, so every area stays proportional to
 * its bytes. Cells come parents first, so drawing in order paints children on top.
 */
export function layoutTree<T extends TreeLike>(root: T, rect: Rect, opts: LayoutOptions = DEFAULT_LAYOUT): Cell<T>[] {
  const cells: Cell<T>[] = [];
  const place = (parent: T, area: Rect, depth: number, topId: number | null) => {
    const kids = (parent.children ?? []) as T[];
    const parentSize = sizeOf(parent, opts.size);
    const known = kids.reduce((a, c) => a + Math.max(0, sizeOf(c, opts.size)), 0);
    const items: Weighted<T | null>[] = kids.map((c) => ({ item: c, value: sizeOf(c, opts.size) }));
    items.sort((a, b) => b.value - a.value);
    if (parentSize > known) items.push({ item: null, value: parentSize - known });
    for (const p of squarify(items, area)) {
      if (!p.item) continue;
      const node = p.item;
      const top = topId ?? node.id;
      const nest = node.kind === 'dir' && depth + 1 < opts.maxDepth && (node.children?.length ?? 0) > 0 && p.w * p.h >= opts.minNestArea;
      const header = nest && p.h > opts.header * 2.5 && p.w > 40;
      cells.push({ node, x: p.x, y: p.y, w: p.w, h: p.h, depth, topId: top, header });
      if (nest) {
        const pad = opts.padding;
        const inner: Rect = { x: p.x + pad, y: p.y + (header ? opts.header : pad), w: p.w - 2 * pad, h: p.h - pad - (header ? opts.header : pad) };
        if (inner.w > 2 && inner.h > 2) place(node, inner, depth + 1, top);
      }
    }
  };
  place(root, rect, 0, null);
  return cells;
}

/** The deepest cell under a point, or null. */
export function hitTest<T extends TreeLike>(cells: Cell<T>[], px: number, py: number): Cell<T> | null {
  for (let i = cells.length - 1; i >= 0; i--) {
    const c = cells[i];
    if (px >= c.x && px < c.x + c.w && py >= c.y && py < c.y + c.h) return c;
  }
  return null;
}

/** The deepest folder cell under a point (what a double click zooms into), or null. */
export function folderAt<T extends TreeLike>(cells: Cell<T>[], px: number, py: number): Cell<T> | null {
  for (let i = cells.length - 1; i >= 0; i--) {
    const c = cells[i];
    if (c.node.kind === 'dir' && px >= c.x && px < c.x + c.w && py >= c.y && py < c.y + c.h) return c;
  }
  return null;
}

export type Direction = 'left' | 'right' | 'up' | 'down';

const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/**
 * The rectangle an arrow key moves to: among those lying in that direction, the one sharing the
 * most edge with the current one, then the nearest. Null at the edge of the map.
 */
export function neighbour<R extends Rect>(rects: R[], current: R, dir: Direction): R | null {
  const eps = 0.5;
  let best: R | null = null;
  let bestKey: [number, number, number] | null = null;
  for (const r of rects) {
    if (r === current) continue;
    let gap: number;
    let shared: number;
    let perp: number;
    if (dir === 'right' || dir === 'left') {
      gap = dir === 'right' ? r.x - (current.x + current.w) : current.x - (r.x + r.w);
      shared = overlap(r.y, r.y + r.h, current.y, current.y + current.h);
      perp = Math.abs(r.y + r.h / 2 - (current.y + current.h / 2));
    } else {
      gap = dir === 'down' ? r.y - (current.y + current.h) : current.y - (r.y + r.h);
      shared = overlap(r.x, r.x + r.w, current.x, current.x + current.w);
      perp = Math.abs(r.x + r.w / 2 - (current.x + current.w / 2));
    }
    if (gap < -eps) continue;
    // Touching rectangles sharing an edge first; then nearest; then most centred.
    const key: [number, number, number] = [shared > eps ? 0 : 1, Math.max(0, gap), perp];
    if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] - eps || (Math.abs(key[1] - bestKey[1]) <= eps && key[2] < bestKey[2])))) {
      best = r;
      bestKey = key;
    }
  }
  return best;
}
