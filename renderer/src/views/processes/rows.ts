import type { ProcessTable } from '@contract/processes';
import { sortIndices, type SortSpec } from './sort';
import { buildTree, processKey } from './tree';

const COLUMN_KEYS = [
  'pid', 'ppid', 'uid', 'user', 'state', 'threads', 'nice', 'priority', 'rssBytes', 'vszBytes', 'swapBytes', 'cpuPercent', 'memPercent',
  'cpuTimeMs', 'readBytesPerSec', 'writeBytesPerSec', 'ctxSwitchesPerSec', 'startTicks', 'startedAt', 'comm', 'cmdline', 'cgroup', 'wchan', 'tty', 'kernel',
] as const satisfies readonly (keyof ProcessTable)[];

export interface DisplayTable {
  /** The current table, followed by the processes that exited since the previous one. */
  table: ProcessTable;
  /** How many rows are live (the rest exited this tick and fade out). */
  live: number;
  /** Rows that appeared since the previous snapshot (none on the first one). */
  fresh: Uint8Array;
}

/**
 * Appends the rows of processes that were in `prev` but are gone from `cur`, so they can fade out
 * for one tick where they stood (with their last values, so the sort keeps them in place), and
 * marks the newcomers. Identity is pid + start time.
 */
export function withExited(cur: ProcessTable, prev: ProcessTable | null): DisplayTable {
  const fresh = new Uint8Array(cur.count);
  if (!prev) return { table: cur, live: cur.count, fresh };
  const now = new Set<string>();
  for (let i = 0; i < cur.count; i++) now.add(processKey(cur, i));
  const before = new Set<string>();
  const gone: number[] = [];
  for (let i = 0; i < prev.count; i++) {
    const k = processKey(prev, i);
    before.add(k);
    if (!now.has(k)) gone.push(i);
  }
  for (let i = 0; i < cur.count; i++) if (!before.has(processKey(cur, i))) fresh[i] = 1;
  if (gone.length === 0) return { table: cur, live: cur.count, fresh };
  const table = { ts: cur.ts, count: cur.count + gone.length } as ProcessTable;
  const target = table as unknown as Record<string, unknown[]>;
  for (const key of COLUMN_KEYS) {
    const from = prev[key] as unknown[];
    const col = (cur[key] as unknown[]).slice();
    for (const i of gone) col.push(from[i]);
    target[key] = col;
  }
  const all = new Uint8Array(table.count);
  all.set(fresh);
  return { table, live: cur.count, fresh: all };
}

export interface RowsInput {
  display: DisplayTable;
  sort: SortSpec;
  match: ((t: ProcessTable, i: number) => boolean) | null;
  tree: boolean;
  collapsed: ReadonlySet<string>;
}

export interface Rows {
  /** Indices into display.table, in display order. */
  order: Int32Array;
  /** Tree indentation per row (all 0 in list mode). */
  depth: Int16Array | null;
  hasChildren: Uint8Array | null;
  context: Uint8Array | null;
  subtreeCpu: Float64Array | null;
  subtreeRss: Float64Array | null;
  /** Live processes the filter selects, and all live processes. */
  matched: number;
  total: number;
}

/** Filter, then sort (list) or arrange under parents (tree). Pure: same input, same rows. */
export function buildRows({ display, sort, match, tree, collapsed }: RowsInput): Rows {
  const t = display.table;
  let matched = 0;
  const selected: number[] = [];
  const hit = new Uint8Array(t.count);
  for (let i = 0; i < t.count; i++) {
    if (!match || match(t, i)) {
      hit[i] = 1;
      selected.push(i);
      if (i < display.live) matched++;
    }
  }
  if (!tree) {
    return { order: sortIndices(t, sort, selected), depth: null, hasChildren: null, context: null, subtreeCpu: null, subtreeRss: null, matched, total: display.live };
  }
  const all = sortIndices(t, sort);
  const rows = buildTree(t, all, collapsed, match ? (i) => hit[i] === 1 : undefined);
  return { ...rows, matched, total: display.live };
}

/** Where the selection lands after an update: the same process if still shown, else the same place. */
export function findSelection(t: ProcessTable, order: ArrayLike<number>, key: string | null, lastIndex: number): number {
  if (order.length === 0) return -1;
  if (key !== null) {
    const [pidText, ticksText] = key.split(':');
    const pid = Number(pidText);
    const ticks = Number(ticksText);
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      if (t.pid[i] === pid && t.startTicks[i] === ticks) return k;
    }
  }
  return lastIndex < 0 ? -1 : Math.min(lastIndex, order.length - 1);
}
