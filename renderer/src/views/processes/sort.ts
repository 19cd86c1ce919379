import type { ProcessTable } from '@contract/processes';
import { COLUMN_BY_ID, type Column, type ColumnId } from './columns';

export interface SortSpec {
  column: Column;
  desc: boolean;
}

/**
 * Row indices of the table in sort order, read straight from the columns (no row objects).
 * Ties fall back to the pid, so equal rows keep their place from one update to the next.
 */
export function sortIndices(table: ProcessTable, sort: SortSpec, only?: ArrayLike<number>): Int32Array {
  const n = only ? only.length : table.count;
  const idx = new Int32Array(n);
  for (let k = 0; k < n; k++) idx[k] = only ? only[k] : k;
  if (n === 0) return idx;
  const sign = sort.desc ? -1 : 1;
  const pid = table.pid;
  const first = sort.column.key(table, idx[0]);
  if (typeof first === 'number') {
    const keys = new Float64Array(table.count);
    for (let k = 0; k < n; k++) keys[idx[k]] = sort.column.key(table, idx[k]) as number;
    idx.sort((a, b) => (keys[a] - keys[b]) * sign || pid[a] - pid[b]);
  } else {
    const keys: string[] = new Array<string>(table.count);
    for (let k = 0; k < n; k++) keys[idx[k]] = String(sort.column.key(table, idx[k])).toLowerCase();
    idx.sort((a, b) => (keys[a] < keys[b] ? -sign : keys[a] > keys[b] ? sign : pid[a] - pid[b]));
  }
  return idx;
}

/** Clicking a header: a new column starts in its natural direction; the same column flips. */
export function nextSort(current: SortSpec, column: Column): SortSpec {
  if (current.column.id === column.id) return { column, desc: !current.desc };
  return { column, desc: column.firstDesc };
}

const SORT_KEY = 'vantage.processes.sort';

/** The last sort chosen (CPU, busiest first, until one is). */
export function loadSort(storage: Pick<Storage, 'getItem'> | null): SortSpec {
  try {
    const raw: unknown = JSON.parse(storage?.getItem(SORT_KEY) ?? 'null');
    if (raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string' && raw.id in COLUMN_BY_ID) {
      return { column: COLUMN_BY_ID[raw.id as ColumnId], desc: 'desc' in raw && raw.desc === true };
    }
  } catch {
    // Unreadable: fall through to the default.
  }
  return { column: COLUMN_BY_ID.cpu, desc: true };
}

export function saveSort(storage: Pick<Storage, 'setItem'> | null, sort: SortSpec): void {
  try {
    storage?.setItem(SORT_KEY, JSON.stringify({ id: sort.column.id, desc: sort.desc }));
  } catch {
    // Storage disabled: the sort lasts for this session.
  }
}
