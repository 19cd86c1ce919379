import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hitTest, layoutTree, neighbour, squarify, type Rect, type TreeLike } from './treemap';

const area = (r: Rect) => r.w * r.h;
const aspect = (r: Rect) => Math.max(r.w / r.h, r.h / r.w);
const inside = (r: Rect, box: Rect) => r.x >= box.x - 1e-6 && r.y >= box.y - 1e-6 && r.x + r.w <= box.x + box.w + 1e-6 && r.y + r.h <= box.y + box.h + 1e-6;
const disjoint = (a: Rect, b: Rect) => a.x + a.w <= b.x + 1e-6 || b.x + b.w <= a.x + 1e-6 || a.y + a.h <= b.y + 1e-6 || b.y + b.h <= a.y + 1e-6;

describe('squarify', () => {
  const box: Rect = { x: 10, y: 20, w: 600, h: 400 };

  it('gives each item an area proportional to its value, filling the rectangle exactly', () => {
    const values = [6, 6, 4, 3, 2, 2, 1];
    const placed = squarify(values.map((v, i) => ({ item: i, value: v })), box);
    expect(placed).toHaveLength(values.length);
    const total = values.reduce((a, v) => a + v, 0);
    for (const p of placed) expect(area(p)).toBeCloseTo((area(box) * p.value) / total, 6);
    expect(placed.reduce((a, p) => a + area(p), 0)).toBeCloseTo(area(box), 6);
  });

  it('keeps rectangles inside the box and never overlapping, for any sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 60 }), (raw) => {
        const values = [...raw].sort((a, b) => b - a);
        const placed = squarify(values.map((v, i) => ({ item: i, value: v })), box);
        const total = values.reduce((a, v) => a + v, 0);
        for (const p of placed) {
          expect(inside(p, box)).toBe(true);
          expect(area(p) / area(box)).toBeCloseTo(p.value / total, 6);
        }
        for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) expect(disjoint(placed[i], placed[j])).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('makes squarish rectangles: the paper example stays under aspect 3, equal items near 1', () => {
    // Bruls et al.'s example: 6,6,4,3,2,2,1 in a 6×4 rectangle.
    const paper = squarify([6, 6, 4, 3, 2, 2, 1].map((v) => ({ item: v, value: v })), { x: 0, y: 0, w: 6, h: 4 });
    for (const p of paper) expect(aspect(p)).toBeLessThan(3);
    const equal = squarify(Array.from({ length: 16 }, (_, i) => ({ item: i, value: 1 })), { x: 0, y: 0, w: 400, h: 400 });
    for (const p of equal) expect(aspect(p)).toBeLessThan(1.6);
  });

  it('is far squarer than slicing in strips', () => {
    const values = Array.from({ length: 30 }, (_, i) => 30 - i);
    const placed = squarify(values.map((v) => ({ item: v, value: v })), box);
    const mean = placed.reduce((a, p) => a + aspect(p), 0) / placed.length;
    expect(mean).toBeLessThan(2.5);
  });

  it('skips zero, negative and non-finite values', () => {
    const placed = squarify(
      [
        { item: 'a', value: 5 },
        { item: 'b', value: 0 },
        { item: 'c', value: -3 },
        { item: 'd', value: NaN },
      ],
      box,
    );
    expect(placed.map((p) => p.item)).toEqual(['a']);
    expect(area(placed[0])).toBeCloseTo(area(box));
  });
});

function dir(id: number, bytes: number, children: TreeLike[] = []): TreeLike {
  return { id, kind: 'dir', allocatedBytes: bytes, apparentBytes: bytes / 2, children };
}
function file(id: number, bytes: number): TreeLike {
  return { id, kind: 'file', allocatedBytes: bytes, apparentBytes: bytes };
}

describe('layoutTree', () => {
  const box: Rect = { x: 0, y: 0, w: 800, h: 500 };
  const tree = dir(1, 1000, [dir(2, 600, [file(4, 400), dir(5, 200, [file(7, 200)])]), file(3, 300)]);

  it('nests folders inside their parent with a header, and the shown folder children are depth 0', () => {
    const cells = layoutTree(tree, box);
    const byId = new Map(cells.map((c) => [c.node.id, c]));
    expect(byId.get(2)!.depth).toBe(0);
    expect(byId.get(4)!.depth).toBe(1);
    expect(byId.get(7)!.depth).toBe(2);
    expect(byId.get(7)!.topId).toBe(2);
    expect(byId.get(2)!.header).toBe(true);
    expect(inside(byId.get(4)!, byId.get(2)!)).toBe(true);
    expect(byId.get(4)!.y).toBeGreaterThanOrEqual(byId.get(2)!.y + 16);
  });

  it('leaves the share of children the server summed into the parent empty, keeping areas proportional', () => {
    const cells = layoutTree(tree, box);
    const top = cells.filter((c) => c.depth === 0);
    // 600 + 300 of 1000: 10% of the map is the parent's own remainder.
    expect(top.reduce((a, c) => a + area(c), 0) / area(box)).toBeCloseTo(0.9, 6);
    expect(area(top.find((c) => c.node.id === 2)!) / area(box)).toBeCloseTo(0.6, 6);
  });

  it('stops at maxDepth and does not subdivide tiny folders', () => {
    expect(layoutTree(tree, box, { size: 'allocated', maxDepth: 1, header: 16, padding: 2, minNestArea: 0 }).every((c) => c.depth === 0)).toBe(true);
    const tiny = layoutTree(tree, { x: 0, y: 0, w: 20, h: 20 }, { size: 'allocated', maxDepth: 3, header: 16, padding: 2, minNestArea: 1600 });
    expect(tiny.every((c) => c.depth === 0)).toBe(true);
  });

  it('sizes by apparent bytes when asked', () => {
    const t = dir(1, 100, [{ id: 2, kind: 'file', allocatedBytes: 90, apparentBytes: 10 }, { id: 3, kind: 'file', allocatedBytes: 10, apparentBytes: 40 }]);
    t.apparentBytes = 50;
    const cells = layoutTree(t, box, { size: 'apparent', maxDepth: 1, header: 16, padding: 2, minNestArea: 0 });
    const a2 = area(cells.find((c) => c.node.id === 2)!);
    const a3 = area(cells.find((c) => c.node.id === 3)!);
    expect(a3 / a2).toBeCloseTo(4, 6);
  });

  it('hit-tests to the deepest cell under the point', () => {
    const cells = layoutTree(tree, box);
    const seven = cells.find((c) => c.node.id === 7)!;
    expect(hitTest(cells, seven.x + seven.w / 2, seven.y + seven.h / 2)!.node.id).toBe(7);
    const three = cells.find((c) => c.node.id === 3)!;
    expect(hitTest(cells, three.x + 1, three.y + 1)!.node.id).toBe(3);
    expect(hitTest(cells, -5, -5)).toBeNull();
  });
});

describe('neighbour', () => {
  //  a a b
  //  c d b
  const a = { id: 'a', x: 0, y: 0, w: 200, h: 100 };
  const b = { id: 'b', x: 200, y: 0, w: 100, h: 200 };
  const c = { id: 'c', x: 0, y: 100, w: 100, h: 100 };
  const d = { id: 'd', x: 100, y: 100, w: 100, h: 100 };
  const all = [a, b, c, d];

  it('moves to the rectangle sharing an edge in the arrow direction', () => {
    expect(neighbour(all, a, 'right')).toBe(b);
    expect(neighbour(all, c, 'right')).toBe(d);
    expect(neighbour(all, d, 'right')).toBe(b);
    expect(neighbour(all, b, 'left')!.id).toMatch(/a|d/);
    expect(neighbour(all, c, 'up')).toBe(a);
    expect(neighbour(all, d, 'up')).toBe(a);
  });

  it('returns null at the edge of the map', () => {
    expect(neighbour(all, a, 'up')).toBeNull();
    expect(neighbour(all, b, 'right')).toBeNull();
    expect(neighbour(all, c, 'down')).toBeNull();
    expect(neighbour(all, c, 'left')).toBeNull();
  });

  it('from any rectangle of a real layout, every arrow result lies in that direction', () => {
    const placed = squarify(Array.from({ length: 25 }, (_, i) => ({ item: i, value: 25 - i })), { x: 0, y: 0, w: 640, h: 400 });
    for (const p of placed) {
      const r = neighbour(placed, p, 'right');
      if (r) expect(r.x).toBeGreaterThanOrEqual(p.x + p.w - 0.5);
      const dn = neighbour(placed, p, 'down');
      if (dn) expect(dn.y).toBeGreaterThanOrEqual(p.y + p.h - 0.5);
    }
  });
});
