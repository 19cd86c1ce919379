import type { DiskNode } from '@contract/disk';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { formatBytes, formatDateTime } from '../../components/format';
import { categoryColor } from './colors';
import { formatGrowth, growthOf, type NodeNavigation, type SortKey } from './model';

interface Props extends NodeNavigation {
  parent: DiskNode;
  rows: DiskNode[];
  sort: { key: SortKey; descending: boolean };
  onSort: (key: SortKey) => void;
}

const COLUMNS: { key: SortKey; label: string; num: boolean }[] = [
  { key: 'name', label: 'Name', num: false },
  { key: 'allocated', label: 'Allocated', num: true },
  { key: 'apparent', label: 'Apparent', num: true },
  { key: 'files', label: 'Files', num: true },
  { key: 'mtime', label: 'Modified', num: false },
  { key: 'growth', label: 'Growth', num: true },
];

/** The ncdu-like list of the shown folder's children; shares selection and cursor with the treemap. */
export function FolderList({ parent, rows, size, sort, onSort, selected, cursor, hasPrevious, onCursor, onZoom, onUp }: Props) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const total = Math.max(1, size === 'allocated' ? parent.allocatedBytes : parent.apparentBytes);
  const shown = rows.reduce((a, r) => a + (size === 'allocated' ? r.allocatedBytes : r.apparentBytes), 0);
  const rest = Math.max(0, parent.childCount - rows.length);

  useEffect(() => {
    if (cursor === null) return;
    bodyRef.current?.querySelector(`tr[data-node-id="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  const onKey = (e: KeyboardEvent) => {
    const i = rows.findIndex((r) => r.id === cursor);
    const move = (to: number) => {
      e.preventDefault();
      const r = rows[Math.max(0, Math.min(rows.length - 1, to))];
      if (r) onCursor(r.id, e.shiftKey ? 'range' : 'only');
    };
    if (e.key === 'ArrowDown' && !e.altKey) move(i + 1);
    else if (e.key === 'ArrowUp' && !e.altKey) move(i < 0 ? 0 : i - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(rows.length - 1);
    else if (e.key === 'PageDown') move(i + 15);
    else if (e.key === 'PageUp') move(i - 15);
    else if (e.key === ' ' && cursor !== null) {
      e.preventDefault();
      onCursor(cursor, 'toggle');
    } else if ((e.key === 'Enter' || e.key === 'ArrowRight') && cursor !== null) {
      if (rows[i]?.kind === 'dir') {
        e.preventDefault();
        onZoom(cursor);
      }
    } else if (e.key === 'Backspace' || e.key === 'ArrowLeft' || (e.altKey && e.key === 'ArrowUp')) {
      e.preventDefault();
      onUp();
    } else if (e.key.length === 1 && e.key !== ' ' && !e.ctrlKey && !e.altKey && !e.metaKey) {
      // Type-ahead: a letter jumps to the next name starting with it, as in file managers.
      const k = e.key.toLowerCase();
      const n = rows.length;
      for (let step = 1; step <= n; step++) {
        const r = rows[(Math.max(i, 0) + step) % n];
        if (r.name.toLowerCase().startsWith(k)) {
          e.preventDefault();
          onCursor(r.id, 'only');
          break;
        }
      }
    }
  };

  return (
    <div className="disk-list-wrap">
      <table className="plain disk-list" data-testid="disk-list">
        <colgroup>
          <col />
          <col style={{ width: 78 }} />
          <col style={{ width: 78 }} />
          <col style={{ width: 64 }} />
          <col style={{ width: 86 }} />
          <col style={{ width: 72 }} />
        </colgroup>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} className={c.num ? 'num' : undefined} aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                <button className="disk-linkish disk-sort" onClick={() => onSort(c.key)}>
                  {c.label}
                  {sort.key === c.key ? (sort.descending ? ' ▾' : ' ▴') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody ref={bodyRef} tabIndex={0} onKeyDown={onKey} aria-label="Folder contents: arrows move, Space selects, Enter opens, Backspace goes up" data-testid="disk-list-body">
          {rows.map((r) => {
            const bytes = size === 'allocated' ? r.allocatedBytes : r.apparentBytes;
            const g = growthOf(r);
            return (
              <tr
                key={r.id}
                data-node-id={r.id}
                data-name={r.name}
                data-allocated={r.allocatedBytes}
                aria-selected={selected.has(r.id)}
                className={`${selected.has(r.id) ? 'selected' : ''} ${cursor === r.id ? 'cursor' : ''}`}
                onClick={(e) => {
                  onCursor(r.id, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'only');
                  bodyRef.current?.focus();
                }}
                onDoubleClick={() => r.kind === 'dir' && onZoom(r.id)}
              >
                <td className="disk-name">
                  <span className="disk-swatch" style={{ background: categoryColor(r.category) }} title={r.category} />
                  <span className={r.kind === 'dir' ? 'disk-dir' : undefined}>
                    {r.name}
                    {r.kind === 'dir' ? '/' : r.kind === 'symlink' ? ' →' : ''}
                  </span>
                  {r.nameHex && (
                    <span className="disk-hex" title={`Name is not valid UTF-8; raw bytes: ${r.nameHex}`} aria-label={`raw name bytes ${r.nameHex}`}>
                      hex
                    </span>
                  )}
                  {r.error && (
                    <span className="disk-err" title={r.error}>
                      !
                    </span>
                  )}
                  <div className="bar disk-bar" aria-hidden>
                    <div style={{ width: `${Math.min(100, (bytes / total) * 100)}%`, background: categoryColor(r.category) }} />
                  </div>
                </td>
                <td className="num">{formatBytes(r.allocatedBytes)}</td>
                <td className="num">{formatBytes(r.apparentBytes)}</td>
                <td className="num">{r.kind === 'dir' ? r.files.toLocaleString() : ''}</td>
                <td className="dim">{r.mtimeMs ? formatDateTime(r.mtimeMs) : ''}</td>
                <td className={`num ${g !== null && g > 0 ? 'disk-grew' : g !== null && g < 0 ? 'disk-shrank' : 'dim'}`}>{formatGrowth(r, hasPrevious)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rest > 0 && (
        <p className="dim disk-rest">
          {rest.toLocaleString()} smaller items not listed ({formatBytes(Math.max(0, total - shown))} together).
        </p>
      )}
      {rows.length === 0 && <p className="dim">This folder is empty.</p>}
    </div>
  );
}
