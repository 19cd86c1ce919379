import type { ProcessTable } from '@contract/processes';

/** A process for good: the pid plus its start time, since pids are reused. */
export function processKey(t: ProcessTable, i: number): string {
  return `${t.pid[i]}:${t.startTicks[i]}`;
}

export interface TreeRows {
  /** Row indices into the table, depth-first, children under their parent. */
  order: Int32Array;
  /** Indentation level of each row of `order`. */
  depth: Int16Array;
  /** Whether each row has children (shown or collapsed). */
  hasChildren: Uint8Array;
  /** Whether the row is shown only as the ancestor of a match (the filter did not select it). */
  context: Uint8Array;
  /** CPU% and RSS of each row's whole subtree (itself included), for collapsed rows. */
  subtreeCpu: Float64Array;
  subtreeRss: Float64Array;
}

/**
 * Parent-chain tree over the table. Siblings keep the order of `sorted` (the current sort), a
 * collapsed process hides its descendants, and when `matches` is given a process is kept if it
 * matches or one of its descendants does (then it is marked `context`).
 */
export function buildTree(table: ProcessTable, sorted: ArrayLike<number>, collapsed: ReadonlySet<string>, matches?: (i: number) => boolean): TreeRows {
  const n = table.count;
  const byPid = new Map<number, number>();
  for (let i = 0; i < n; i++) byPid.set(table.pid[i], i);
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = byPid.get(table.ppid[i]);
    // A pid that is its own parent (pid 0 quirks) or a missing parent makes a root.
    if (p !== undefined && p !== i) parent[i] = p;
  }
  // Guard against cycles from a racy read (a reused pid as someone's parent): break them.
  for (let i = 0; i < n; i++) {
    let slow = i;
    let fast = i;
    for (;;) {
      fast = parent[fast] < 0 ? -1 : parent[parent[fast]];
      slow = parent[slow];
      if (fast < 0 || slow < 0) break;
      if (fast === slow) {
        parent[i] = -1;
        break;
      }
    }
  }
  const children: number[][] = Array.from({ length: n }, () => []);
  const roots: number[] = [];
  for (let k = 0; k < sorted.length; k++) {
    const i = sorted[k];
    if (parent[i] >= 0) children[parent[i]].push(i);
    else roots.push(i);
  }
  const subtreeCpu = new Float64Array(n);
  const subtreeRss = new Float64Array(n);
  const keep = new Uint8Array(n);
  const selfMatch = new Uint8Array(n);
  const post = (root: number) => {
    // Iterative post-order: deep chains (shells in shells) must not overflow the stack.
    const stack: [number, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [i, c] = top;
      if (c < children[i].length) {
        top[1]++;
        stack.push([children[i][c], 0]);
        continue;
      }
      stack.pop();
      let cpu = table.cpuPercent[i];
      let rss = table.rssBytes[i];
      const m = matches ? matches(i) : true;
      selfMatch[i] = m ? 1 : 0;
      let k = m ? 1 : 0;
      for (const ch of children[i]) {
        cpu += subtreeCpu[ch];
        rss += subtreeRss[ch];
        if (keep[ch]) k = 1;
      }
      subtreeCpu[i] = cpu;
      subtreeRss[i] = rss;
      keep[i] = k;
    }
  };
  for (const r of roots) post(r);

  const order: number[] = [];
  const depth: number[] = [];
  const hasKids: number[] = [];
  const context: number[] = [];
  const walk = (root: number) => {
    const stack: [number, number][] = [[root, 0]];
    while (stack.length) {
      const [i, d] = stack.pop()!;
      if (!keep[i]) continue;
      order.push(i);
      depth.push(d);
      const kids = children[i].filter((c) => keep[c]);
      hasKids.push(kids.length ? 1 : 0);
      context.push(selfMatch[i] ? 0 : 1);
      if (collapsed.has(processKey(table, i))) continue;
      for (let c = kids.length - 1; c >= 0; c--) stack.push([kids[c], d + 1]);
    }
  };
  for (const r of roots) walk(r);

  const rowCpu = new Float64Array(order.length);
  const rowRss = new Float64Array(order.length);
  for (let k = 0; k < order.length; k++) {
    rowCpu[k] = subtreeCpu[order[k]];
    rowRss[k] = subtreeRss[order[k]];
  }
  return {
    order: Int32Array.from(order),
    depth: Int16Array.from(depth),
    hasChildren: Uint8Array.from(hasKids),
    context: Uint8Array.from(context),
    subtreeCpu: rowCpu,
    subtreeRss: rowRss,
  };
}
