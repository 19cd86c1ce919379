import { describe, expect, it } from 'vitest';
import { COLUMN_BY_ID, DEFAULT_COLUMNS, commandParts, compactBytes, formatCpuTime, loadColumns, saveColumns, toggleColumn } from './columns';
import { buildRows, findSelection, withExited } from './rows';
import { nextSort, sortIndices } from './sort';
import { tableOf } from './test-table';
import { buildTree, processKey } from './tree';

const pidsOf = (t: { pid: number[] }, order: ArrayLike<number>) => Array.from(order, (i) => t.pid[i]);

describe('sorting columnar rows', () => {
  const t = tableOf([
    { pid: 30, cpu: 5, user: 'bob', comm: 'zsh' },
    { pid: 10, cpu: 50, user: 'Alice', comm: 'Xorg' },
    { pid: 20, cpu: 5, user: 'carol', comm: 'bash' },
    { pid: 40, cpu: 0, user: 'alice', comm: 'node', read: null },
  ]);

  it('orders by a numeric column, largest first when descending, ties by pid', () => {
    expect(pidsOf(t, sortIndices(t, { column: COLUMN_BY_ID.cpu, desc: true }))).toEqual([10, 20, 30, 40]);
    expect(pidsOf(t, sortIndices(t, { column: COLUMN_BY_ID.cpu, desc: false }))).toEqual([40, 20, 30, 10]);
  });

  it('orders text without regard to case', () => {
    expect(pidsOf(t, sortIndices(t, { column: COLUMN_BY_ID.user, desc: false }))).toEqual([10, 40, 30, 20]);
    expect(pidsOf(t, sortIndices(t, { column: COLUMN_BY_ID.command, desc: false }))).toEqual([20, 40, 10, 30]);
  });

  it('puts unreadable I/O rates below zero', () => {
    expect(pidsOf(t, sortIndices(t, { column: COLUMN_BY_ID.read, desc: true })).at(-1)).toBe(40);
  });

  it('sorts only the given subset', () => {
    expect(pidsOf(t, sortIndices(t, { column: COLUMN_BY_ID.pid, desc: false }, [0, 2]))).toEqual([20, 30]);
  });

  it('flips direction on the same column and starts quantities descending', () => {
    const s = { column: COLUMN_BY_ID.pid, desc: false };
    expect(nextSort(s, COLUMN_BY_ID.pid).desc).toBe(true);
    expect(nextSort(s, COLUMN_BY_ID.rss)).toEqual({ column: COLUMN_BY_ID.rss, desc: true });
    expect(nextSort(s, COLUMN_BY_ID.user).desc).toBe(false);
  });
});

describe('process tree', () => {
  const t = tableOf([
    { pid: 1, ppid: 0, cpu: 1, rss: 100 },
    { pid: 50, ppid: 1, cpu: 2, rss: 10 },
    { pid: 51, ppid: 50, cpu: 3, rss: 1 },
    { pid: 60, ppid: 1, cpu: 10, rss: 5 },
    { pid: 2, ppid: 0, kernel: true },
    { pid: 70, ppid: 999 },
  ]);
  const byPid = sortIndices(t, { column: COLUMN_BY_ID.pid, desc: false });

  it('puts children under their parent, siblings in sort order, orphans as roots', () => {
    const tree = buildTree(t, byPid, new Set());
    expect(pidsOf(t, tree.order)).toEqual([1, 50, 51, 60, 2, 70]);
    expect(Array.from(tree.depth)).toEqual([0, 1, 2, 1, 0, 0]);
    expect(Array.from(tree.hasChildren)).toEqual([1, 1, 0, 0, 0, 0]);
    const byCpu = sortIndices(t, { column: COLUMN_BY_ID.cpu, desc: true });
    expect(pidsOf(t, buildTree(t, byCpu, new Set()).order).slice(0, 4)).toEqual([1, 60, 50, 51]);
  });

  it('hides the descendants of a collapsed process and totals its subtree', () => {
    const tree = buildTree(t, byPid, new Set([processKey(t, 1)]));
    expect(pidsOf(t, tree.order)).toEqual([1, 50, 60, 2, 70]);
    expect(tree.subtreeCpu[1]).toBe(5);
    expect(tree.subtreeRss[0]).toBe(116);
  });

  it('keeps the ancestors of a match as context', () => {
    const tree = buildTree(t, byPid, new Set(), (i) => t.pid[i] === 51);
    expect(pidsOf(t, tree.order)).toEqual([1, 50, 51]);
    expect(Array.from(tree.context)).toEqual([1, 1, 0]);
  });

  it('survives a parent cycle from a racy read', () => {
    const c = tableOf([
      { pid: 5, ppid: 6 },
      { pid: 6, ppid: 5 },
    ]);
    const tree = buildTree(c, [0, 1], new Set());
    expect(tree.order.length).toBe(2);
  });
});

describe('updates between snapshots', () => {
  const prev = tableOf([{ pid: 1 }, { pid: 2, cpu: 90 }, { pid: 3 }]);
  // pid 3 was recycled: same number, new start time.
  const cur = tableOf([{ pid: 1 }, { pid: 3, startTicks: 999 }, { pid: 4 }]);

  it('keeps exited processes for one tick after the live ones and marks newcomers', () => {
    const d = withExited(cur, prev);
    expect(d.live).toBe(3);
    expect(d.table.pid).toEqual([1, 3, 4, 2, 3]);
    expect(d.table.cpuPercent[3]).toBe(90);
    expect(Array.from(d.fresh)).toEqual([0, 1, 1, 0, 0]);
    expect(withExited(cur, null).table).toBe(cur);
  });

  it('counts matches among live processes only', () => {
    const d = withExited(cur, prev);
    const rows = buildRows({ display: d, sort: { column: COLUMN_BY_ID.pid, desc: false }, match: (t, i) => t.pid[i] !== 4, tree: false, collapsed: new Set() });
    expect(rows.matched).toBe(2);
    expect(rows.total).toBe(3);
    expect(pidsOf(d.table, rows.order)).toEqual([1, 2, 3, 3]);
  });

  it('keeps the selection on the same process, else at the same place', () => {
    const order = [0, 1, 2];
    expect(findSelection(cur, order, '4:40', 0)).toBe(2);
    expect(findSelection(cur, order, '3:30', 1)).toBe(1);
    expect(findSelection(cur, order, '3:30', 7)).toBe(2);
    expect(findSelection(cur, [], '1:10', 0)).toBe(-1);
  });
});

describe('columns', () => {
  it('persists the chosen columns and falls back on bad data', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadColumns(storage)).toEqual(DEFAULT_COLUMNS);
    saveColumns(storage, toggleColumn(DEFAULT_COLUMNS, 'wchan'));
    expect(loadColumns(storage)).toContain('wchan');
    store.set('vantage.processes.columns', '{"not":"a list"}');
    expect(loadColumns(storage)).toEqual(DEFAULT_COLUMNS);
    store.set('vantage.processes.columns', '["pid","bogus"]');
    expect(loadColumns(storage)).toEqual(['pid', 'command']);
  });

  it('never hides the command column and keeps table order', () => {
    expect(toggleColumn(['pid', 'command'], 'command')).toEqual(['pid', 'command']);
    expect(toggleColumn(['pid', 'command'], 'user')).toEqual(['pid', 'user', 'command']);
  });

  it('splits the command into a bold name and dimmed arguments', () => {
    const t = tableOf([
      { pid: 1, comm: 'python3', cmdline: '/usr/bin/python3 -m http.server' },
      { pid: 2, comm: 'kworker/0:1', kernel: true },
      { pid: 3, comm: 'sshd', cmdline: 'sshd: alice@pts/0' },
    ]);
    expect(commandParts(t, 0)).toEqual({ name: 'python3', args: '-m http.server' });
    expect(commandParts(t, 1)).toEqual({ name: '[kworker/0:1]', args: '' });
    expect(commandParts(t, 2)).toEqual({ name: 'sshd:', args: 'alice@pts/0' });
  });

  it('keeps byte cells narrow', () => {
    expect(compactBytes(129_433)).toBe('126 KiB');
    expect(compactBytes(43_800_000)).toBe('41.8 MiB');
    expect(compactBytes(512)).toBe('512 B');
  });

  it('formats CPU time like top', () => {
    expect(formatCpuTime(62_340)).toBe('1:02.34');
    expect(formatCpuTime(5 * 3600_000)).toBe('5h 0m');
  });
});
