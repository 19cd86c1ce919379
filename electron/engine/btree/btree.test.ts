import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openMemoryPager } from '../pager/memory-pager';
import { compare, plainKey, Real, type Value } from '../record/values';
import { NodeStore } from './node';
import { COL_INT, ColumnBuf, compareRecord, decodeRecord, decodeSome, probeOf, readColumn, RecordWriter } from './record';
import { BTree, compareKeys } from './tree';

function setup(pageSize = 512, capacity = 16) {
  const pager = openMemoryPager({ pageSize });
  const store = new NodeStore(pager, capacity);
  pager.begin();
  return { pager, store };
}

function check(store: NodeStore, tree: BTree): string[] {
  const problems: string[] = [];
  tree.check(new Map(), 't', problems);
  void store;
  return problems;
}

const rowOf = (k: number, text: string): Value[] => [k * 2, text, k];

describe('record format', () => {
  it('round-trips every storage class and keeps INTEGER apart from REAL', () => {
    const w = new RecordWriter();
    const vals: Value[] = [null, 0, 1, -5, 300, -70000, 2 ** 40, 2.5, new Real(3), '', 'héllo', 'x'.repeat(300), new Uint8Array([1, 2]), new Uint8Array(400)];
    const len = w.record(vals, vals.length);
    const back = decodeRecord(w.buf.subarray(0, len), 0, 0);
    expect(back).toEqual(vals);
    expect(back[8]).toBeInstanceOf(Real);
  });

  it('reads integers at the edges of every size the same way through each decoder', () => {
    const edges = [2, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1].flatMap((x) => [x, -x, x - 1, 1 - x]);
    const w = new RecordWriter();
    const len = w.record(edges, edges.length);
    const rec = Buffer.from(w.buf.subarray(0, len));
    const view = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    expect(decodeRecord(rec, 0, 0)).toEqual(edges);
    const some = new Array<Value>(edges.length).fill('unset');
    decodeSome(rec, 0, Int32Array.from(edges, (_, i) => (i % 2 ? i : -1)), some, view);
    expect(some).toEqual(edges.map((x, i) => (i % 2 ? x : 'unset')));
    const col = new ColumnBuf();
    edges.forEach((x, i) => {
      readColumn(rec, view, [0], 0, 0, 0, 1, i, col);
      expect([col.kinds[0], col.nums[0]]).toEqual([COL_INT, x]);
      const one = Buffer.from(w.buf.subarray(0, w.record([x], 1)));
      const oneView = new DataView(one.buffer, one.byteOffset, one.byteLength);
      expect(compareRecord(one, 0, probeOf([x], plainKey([x]))!, true, oneView)).toBe(0);
      expect(Math.sign(compareRecord(one, 0, probeOf([x + 1], plainKey([x + 1]))!, true, oneView))).toBe(-1);
    });
  });
});

/** Values of every storage class and size, texts with characters past the BMP among them. */
const anyValue: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.constantFrom(0, 1, -1, 127, -128, 300, -32769, 2 ** 31, -(2 ** 40)),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -2.25, 1e300),
  fc.constantFrom(new Real(1), new Real(-3)),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('a', 'ab', 'b', '\u00e9', '\uffff', '\u{1f600}', 'x'.repeat(300)),
  fc.uint8Array({ maxLength: 4 }),
);

describe('record format', () => {
  it('compares stored records with a probe as compareKeys compares the decoded keys', () => {
    const w = new RecordWriter();
    fc.assert(
      fc.property(fc.array(anyValue, { maxLength: 4 }), fc.array(anyValue, { maxLength: 4 }), fc.boolean(), (a, b, full) => {
        const probe = probeOf(b, plainKey(b));
        fc.pre(probe !== null);
        const len = w.record(a, a.length);
        const rec = Buffer.from(w.buf.subarray(0, len));
        const got = compareRecord(rec, 0, probe!, full, new DataView(rec.buffer, rec.byteOffset, rec.byteLength));
        const want = compareKeys(a, b) || (full ? a.length - b.length : 0);
        expect(Math.sign(got)).toBe(Math.sign(want));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('table B+tree', () => {
  it('matches a sorted map through random inserts, replaces and deletes, with splits, merges and overflow', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -200, max: 2000 }), fc.nat(900)), { maxLength: 600 }), (ops) => {
        const { pager, store } = setup();
        const tree = BTree.create(store, false);
        const model = new Map<number, Value[]>();
        for (const [ins, k, len] of ops) {
          if (ins) {
            const row = rowOf(k, 'v'.repeat(len));
            tree.insert(k, row);
            model.set(k, row);
          } else {
            expect(tree.delete(k)).toEqual(model.get(k));
            model.delete(k);
          }
        }
        expect(check(store, tree)).toEqual([]);
        const keys = [...model.keys()].sort((a, b) => a - b);
        expect([...tree.chunks()].flat().map((r) => r[r.length - 1])).toEqual(keys);
        expect(tree.count).toBe(keys.length);
        expect(tree.maxKey()).toBe(keys.length ? keys[keys.length - 1] : 0);
        // Written to pages and decoded again, the tree is the same.
        store.flush();
        pager.commit();
        store.reset();
        expect(check(store, tree)).toEqual([]);
        for (const k of keys) expect(tree.get(k)).toEqual(model.get(k));
        const lo = keys[Math.floor(keys.length / 3)] ?? 0;
        const hi = keys[Math.floor((2 * keys.length) / 3)] ?? 0;
        expect([...tree.chunks(lo, hi)].flat().map((r) => r[r.length - 1])).toEqual(keys.filter((k) => k >= lo && k <= hi));
      }),
      { numRuns: 60 },
    );
  });

  it('matches a sorted map when rows are mostly appended, with deletes at the right edge and a tiny cache', () => {
    // Appends take a path without a descent while the rightmost leaf stays the same cached node;
    // deletes near the end merge and free that leaf, and a 4-node cache evicts it between calls.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(9), fc.nat(6), fc.nat(300)), { maxLength: 800 }), (ops) => {
        const { store } = setup(512, 4);
        const tree = BTree.create(store, false);
        const model = new Map<number, Value[]>();
        let max = 0;
        for (const [what, back, len] of ops) {
          if (what < 7) {
            max += 1 + (back % 3);
            const row = rowOf(max, 'a'.repeat(len));
            tree.insert(max, row);
            model.set(max, row);
          } else {
            const k = max - back;
            expect(tree.delete(k)).toEqual(model.get(k));
            model.delete(k);
          }
        }
        expect(check(store, tree)).toEqual([]);
        const keys = [...model.keys()].sort((a, b) => a - b);
        expect([...tree.chunks()].flat().map((r) => r[r.length - 1])).toEqual(keys);
        for (const k of keys) expect(tree.get(k)).toEqual(model.get(k));
        expect(tree.count).toBe(keys.length);
      }),
      { numRuns: 80 },
    );
  });

  it('appends after the rightmost leaf left the cache go to the page, not to the evicted node', () => {
    const { pager, store } = setup(512, 64);
    const tree = BTree.create(store, false);
    for (let k = 1; k <= 40; k++) tree.insert(k, rowOf(k, 'x'.repeat(20)));
    store.capacity = 0; // the next call's trim() writes every node back and evicts it
    for (let k = 41; k <= 45; k++) tree.insert(k, rowOf(k, 'x'.repeat(20)));
    store.capacity = 64;
    store.flush();
    pager.commit();
    store.reset(); // decode everything again from the pages
    expect([...tree.chunks()].flat().map((r) => r[r.length - 1])).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(check(store, tree)).toEqual([]);
  });

  it('keeps its root page through root splits and frees pages when emptied', () => {
    const { pager, store } = setup();
    const tree = BTree.create(store, false);
    const root = tree.root;
    for (let i = 1; i <= 2000; i++) tree.insert(i, rowOf(i, `row ${i}`));
    expect(tree.root).toBe(root);
    const used = tree.pages().length;
    expect(used).toBeGreaterThan(50);
    for (let i = 1; i <= 2000; i++) tree.delete(i);
    expect(tree.pages()).toEqual([root]);
    expect(new Set(store.pendingFree).size).toBe(used - 1);
    expect(check(store, tree)).toEqual([]);
    store.flush();
    pager.commit();
    expect(pager.freeCount).toBeGreaterThanOrEqual(used - 1);
  });

  it('finds rows by position in leaves without gaps and by search in the others, cached or read from pages', () => {
    const { pager, store } = setup(512, 64);
    const tree = BTree.create(store, false);
    const model = new Map<number, Value[]>();
    for (let k = 1; k <= 3000; k++) {
      tree.insert(k, rowOf(k, 'r'));
      model.set(k, rowOf(k, 'r'));
    }
    // Gaps in some leaves, a row far past the end, rows before the first: the leaves they land in
    // are no longer dense, and a rowid inside a dense leaf's span may still be missing elsewhere.
    for (const k of [7, 8, 500, 1201, 1202, 1203, 2999]) {
      tree.delete(k);
      model.delete(k);
    }
    // Runs without gaps across 2^30 and past 2^40, where a leaf is searched rather than indexed by distance.
    const big = [...Array.from({ length: 60 }, (_, i) => 2 ** 30 - 30 + i), ...Array.from({ length: 40 }, (_, i) => 2 ** 40 + i)];
    for (const k of [10_000, -5, 0, ...big]) {
      tree.insert(k, rowOf(k, 'x'));
      model.set(k, rowOf(k, 'x'));
    }
    const probes = [...Array.from({ length: 3020 }, (_, i) => i - 10), 9_999, 10_000, 10_001, 5.5, 1200.5, -4.5, ...big, 2 ** 30 - 31, 2 ** 30 + 30, 2 ** 40 - 1, 2 ** 40 + 40, 2 ** 30 + 0.5];
    const want = new Int32Array([-1, 1, -1]);
    const expectAll = () => {
      // Reads of some columns first: a read of whole rows gives the leaf its cell arrays.
      for (const k of probes) expect(tree.get(k, want), `rowid ${k}`).toEqual(model.has(k) ? [null, model.get(k)![1], null, k] : undefined);
      for (const k of probes) expect(tree.get(k), `rowid ${k}`).toEqual(model.get(k));
    };
    expectAll(); // leaves with their cell arrays
    store.flush();
    pager.commit();
    store.reset(); // decode everything again: leaves read where they lie in their pages
    expectAll();
    // Leaves read from their pages change (a gap, a row replaced, rows appended), are found through
    // their cell arrays, and are found again once written back and read from their pages.
    pager.begin();
    for (const k of [100, 101, 1500, 2 ** 30 - 1]) {
      tree.delete(k);
      model.delete(k);
    }
    for (const k of [102, 3001, 3002]) {
      tree.insert(k, rowOf(k, 'y'));
      model.set(k, rowOf(k, 'y'));
    }
    probes.push(3001, 3002, 3003);
    expectAll();
    store.flush();
    expectAll();
    pager.commit();
    store.reset();
    expectAll();
    expect(check(store, tree)).toEqual([]);
  });

  it('finds rows in leaves without gaps read from their pages by their distance from the first', () => {
    const { pager, store } = setup(512, 64);
    const tree = BTree.create(store, false);
    for (let k = 1; k <= 2000; k++) tree.insert(k, rowOf(k, 'r' + k));
    store.flush();
    pager.commit();
    store.reset();
    // Reads of some columns leave a leaf without cell arrays, so every probe goes the dense way.
    const want = new Int32Array([-1, 1, -1]);
    for (let k = -2; k <= 2003; k += 0.5) expect(tree.get(k, want), `rowid ${k}`).toEqual(Number.isInteger(k) && k >= 1 && k <= 2000 ? [null, 'r' + k, null, k] : undefined);
  });

  it('caches nodes of pages far past the by-page array in the map alone', () => {
    const { pager, store } = setup(512, 64);
    const tree = BTree.create(store, false);
    for (let k = 1; k <= 5; k++) tree.insert(k, rowOf(k, 'r'));
    store.flush();
    pager.commit();
    const page = pager.read(tree.root);
    const far = 50_000_000;
    store.adopt(far, page);
    const n = store.get(far);
    expect(n.pgno).toBe(far);
    expect(store.row(n, 2)).toEqual(rowOf(3, 'r'));
    expect(store.get(far)).toBe(n);
    // The array by page number stays as long as the small pages need, not 50M slots.
    expect((store as unknown as { byPage: unknown[] }).byPage.length).toBeLessThan(100);
  });

  it('packs pages full when rows arrive in rowid order', () => {
    const { pager, store } = setup(4096, 1000);
    const tree = BTree.create(store, false);
    for (let i = 1; i <= 10000; i++) tree.insert(i, [i, 'name-' + i, i / 3, i]);
    const bytes = (10000 * 40) / 4088;
    expect(tree.pages().length).toBeLessThan(bytes * 1.3);
    // The leaves the append left behind were written back; they change again from their pages.
    for (let i = 5; i <= 400; i++) expect(tree.delete(i)).toEqual([i, 'name-' + i, i / 3, i]);
    tree.insert(3, [3, 'three', 1, 3]);
    expect(tree.get(3)).toEqual([3, 'three', 1, 3]);
    expect(tree.get(401)).toEqual([401, 'name-401', 401 / 3, 401]);
    expect(tree.get(200)).toBeUndefined();
    expect(tree.count).toBe(10000 - 396);
    expect(check(store, tree)).toEqual([]);
    // Read back from the pages: the last leaf holds rowids up to 10000 without a gap, and no more.
    store.flush();
    pager.commit();
    store.reset();
    // (Reads of some columns: a read of whole rows gives the leaf its cell arrays.)
    const want = new Int32Array([-1, 1, -1, -1]);
    expect(tree.get(10001, want)).toBeUndefined();
    expect(tree.get(9000.5, want)).toBeUndefined();
    expect(tree.get(10000, want)).toEqual([null, 'name-10000', null, null, 10000]);
    expect(tree.get(9000, want)).toEqual([null, 'name-9000', null, null, 9000]);
  });
});

describe('index B+tree', () => {
  it('orders keys like SQLite and finds prefixes', () => {
    const { store } = setup();
    const tree = BTree.create(store, true);
    const vals: Value[] = [null, 3, 2.5, new Real(1), 'b', 'a', new Uint8Array([0]), -7, 'a'];
    vals.forEach((v, rowid) => tree.insertKey([v, rowid]));
    const all: Value[][] = [];
    tree.scanKeys([], (k) => (all.push(k), true));
    expect(all.map((k) => k[1])).toEqual([0, 7, 3, 2, 1, 5, 8, 4, 6]);
    const a: number[] = [];
    tree.scanKeys(['a'], (k) => compare(k[0], 'a') === 0 && (a.push(k[1] as number), true));
    expect(a).toEqual([5, 8]);
  });

  it('bulk-loads sorted keys into a valid tree of any size', () => {
    for (const n of [0, 1, 30, 2000]) {
      const { store } = setup(512, 8);
      const tree = BTree.create(store, true);
      const keys: Value[][] = Array.from({ length: n }, (_, i) => [i % 7 === 0 ? 'long'.repeat(80) + i : `k${String(i).padStart(5, '0')}`, i]).sort(compareKeys);
      tree.bulkLoad(keys);
      expect(check(store, tree)).toEqual([]);
      const got: Value[][] = [];
      tree.scanKeys([], (k) => (got.push(k), true));
      expect(got).toEqual(keys);
      tree.insertKey(['k00005', -1]);
      expect(tree.deleteKey(keys[0] ?? ['k00005', -1])).toBe(true);
      expect(check(store, tree)).toEqual([]);
    }
  });

  it('finds every key by prefix in leaves read back from their pages', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.array(anyValue, { minLength: 1, maxLength: 2 }), { maxLength: 300, selector: (k) => JSON.stringify(k) }), (raw) => {
        const { store } = setup(512, 4);
        const tree = BTree.create(store, true);
        const keys = raw.map((k, rowid) => [...k, rowid]);
        for (const k of keys) tree.insertKey(k);
        store.flush();
        store.reset(); // every leaf is decoded again, with its cells left in the page
        for (const k of keys) {
          const prefix = k.slice(0, -1);
          const want = keys.filter((x) => compareKeys(x, prefix) === 0 && x.length - 1 === prefix.length).sort((x, y) => compareKeys(x, y));
          const got: Value[][] = [];
          tree.scanKeys(prefix, (x) => compareKeys(x, prefix) === 0 && (got.push(x), true));
          expect(got.filter((x) => x.length - 1 === prefix.length)).toEqual(want);
        }
        expect(check(store, tree)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the leaves a bulk load packed in the node cache, so the first lookups read no page', () => {
    const { pager, store } = setup(512, 4096);
    const tree = BTree.create(store, true);
    const keys: Value[][] = Array.from({ length: 3000 }, (_, i) => [`key-${String(i).padStart(5, '0')}`, i]);
    tree.bulkLoad(keys);
    let reads = 0;
    const read = pager.read.bind(pager);
    pager.read = (pgno: number) => (reads++, read(pgno));
    for (const k of keys) {
      let found: Value[] | null = null;
      tree.scanKeys([k[0]], (x) => ((found = x), false));
      expect(found).toEqual(k);
    }
    expect(reads).toBe(0);
    expect(check(store, tree)).toEqual([]);
  });

  it('matches a sorted model through random multi-column inserts and deletes', () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: -5, max: 5 }), fc.constantFrom('x', 'y', 'long'.repeat(60)), fc.constantFrom(0.5, 2.25));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), value, value, fc.nat(300)), { maxLength: 500 }), (ops) => {
        const { store } = setup(512, 8);
        const tree = BTree.create(store, true);
        const model = new Map<string, Value[]>();
        for (const [ins, a, b, rowid] of ops) {
          const key = [a, b, rowid];
          const id = JSON.stringify(key);
          if (ins) {
            tree.insertKey(key);
            model.set(id, key);
          } else {
            expect(tree.deleteKey(key)).toBe(model.has(id));
            model.delete(id);
          }
        }
        expect(check(store, tree)).toEqual([]);
        const want = [...model.values()].sort((x, y) => compareKeys(x, y));
        const got: Value[][] = [];
        tree.scanKeys([], (k) => (got.push(k), true));
        expect(got).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });
});
