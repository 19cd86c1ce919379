import { useVirtualizer } from '@tanstack/react-virtual';
import { forwardRef, memo, useImperativeHandle, useRef, type KeyboardEvent } from 'react';
import { Sparkline } from '../../components/Sparkline';
import { formatBytes } from '../../components/format';
import { COLUMN_BY_ID, STATE_NAMES, commandParts, type ColumnId } from './columns';
import type { DisplayTable, Rows } from './rows';
import type { SortSpec } from './sort';

export const ROW_HEIGHT = 22;
const COMMAND_MIN = 320;
const INDENT = 14;
const OVERSCAN = 8;

export interface GridHandle {
  focus(): void;
  scrollToRow(k: number): void;
  /** Rows that fit in the viewport, for PgUp/PgDn. */
  pageRows(): number;
}

interface Props {
  display: DisplayTable;
  rows: Rows;
  columns: readonly ColumnId[];
  sort: SortSpec;
  selected: number;
  /** CPU % history of the selected row, drawn small in its command cell. */
  trend: number[];
  tree: boolean;
  collapsed: ReadonlySet<string>;
  onSort(id: ColumnId): void;
  onSelect(k: number): void;
  onOpen(k: number): void;
  onToggle(k: number): void;
  onKeyDown(e: KeyboardEvent<HTMLDivElement>): void;
}

/**
 * The virtualised process table. Cells read the columnar arrays directly by row index, so an
 * update or a scroll renders only the ~40 rows in view and allocates no per-process objects.
 */
export const ProcessGrid = memo(
  forwardRef<GridHandle, Props>(function ProcessGrid({ display, rows, columns, sort, selected, trend, tree, collapsed, onSort, onSelect, onOpen, onToggle, onKeyDown }, ref) {
    const scroller = useRef<HTMLDivElement>(null);
    const virtual = useVirtualizer({
      count: rows.order.length,
      getScrollElement: () => scroller.current,
      estimateSize: () => ROW_HEIGHT,
      overscan: OVERSCAN,
    });
    useImperativeHandle(ref, () => ({
      focus: () => scroller.current?.focus(),
      scrollToRow: (k) => virtual.scrollToIndex(k, { align: 'auto' }),
      pageRows: () => Math.max(1, Math.floor(((scroller.current?.clientHeight ?? 400) - ROW_HEIGHT) / ROW_HEIGHT) - 1),
    }));
    const t = display.table;
    const fixedWidth = columns.reduce((w, id) => w + (id === 'command' ? 0 : COLUMN_BY_ID[id].width), 0);
    const width = fixedWidth + COMMAND_MIN;
    const items = virtual.getVirtualItems();
    // A fixed pool of row elements, each keyed by its slot (index mod pool) and kept in slot order:
    // a row scrolling out hands its DOM to the row scrolling in, so scrolling updates text and a
    // transform instead of removing and creating elements, and never reorders the DOM.
    const pool = Math.max(items.length, Math.ceil((scroller.current?.clientHeight ?? 900) / ROW_HEIGHT) + 2 * OVERSCAN + 2);
    const first = items.length ? items[0].index : 0;
    const end = Math.min(rows.order.length, first + pool);
    const slots: number[] = [];
    for (let s = 0; s < pool; s++) {
      const k = first + ((s - (first % pool) + pool) % pool);
      if (k < end) slots.push(k);
    }
    return (
      <div
        ref={scroller}
        className="proc-grid"
        tabIndex={0}
        role="grid"
        aria-label="Processes"
        aria-rowcount={rows.order.length}
        aria-activedescendant={selected >= 0 ? `proc-row-${selected}` : undefined}
        data-testid="proc-grid"
        onKeyDown={onKeyDown}
      >
        <div className="proc-head" role="row" style={{ minWidth: width }}>
          {columns.map((id) => {
            const c = COLUMN_BY_ID[id];
            const active = sort.column.id === id;
            return (
              <div
                key={id}
                role="columnheader"
                aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                className={`proc-cell ${c.align === 'right' ? 'num' : ''} ${id === 'command' ? 'cmd' : ''} ${active ? 'sorted' : ''}`}
                style={id === 'command' ? undefined : { width: c.width }}
                title={`${c.title} — click to sort`}
                data-col={id}
                onClick={() => onSort(id)}
              >
                {c.label}
                {active && <span className="proc-sort-arrow">{sort.desc ? '▼' : '▲'}</span>}
              </div>
            );
          })}
        </div>
        <div className="proc-body" style={{ height: virtual.getTotalSize(), minWidth: width }}>
          {slots.map((k) => {
            const i = rows.order[k];
            const folded = tree && rows.hasChildren?.[k] === 1 && collapsed.has(`${t.pid[i]}:${t.startTicks[i]}`);
            return (
              <GridRow
                key={k % pool}
                k={k}
                i={i}
                display={display}
                rows={rows}
                columns={columns}
                selected={k === selected}
                trend={k === selected ? trend : undefined}
                tree={tree}
                folded={folded}
                onSelect={onSelect}
                onOpen={onOpen}
                onToggle={onToggle}
              />
            );
          })}
        </div>
        {rows.order.length === 0 && <div className="proc-empty dim">No process matches the filter.</div>}
      </div>
    );
  }),
);

interface RowProps {
  k: number;
  i: number;
  display: DisplayTable;
  rows: Rows;
  columns: readonly ColumnId[];
  selected: boolean;
  trend?: number[];
  tree: boolean;
  folded: boolean;
  onSelect(k: number): void;
  onOpen(k: number): void;
  onToggle(k: number): void;
}

/** One row; memoised so scrolling re-renders only the rows that come into view. */
const GridRow = memo(function GridRow({ k, i, display, rows, columns, selected, trend, tree, folded, onSelect, onOpen, onToggle }: RowProps) {
  const t = display.table;
  const gone = i >= display.live;
  const cls = ['proc-row', selected ? 'selected' : '', gone ? 'gone' : '', display.fresh[i] ? 'fresh' : '', rows.context?.[k] ? 'context' : '', k % 2 ? 'odd' : ''].filter(Boolean).join(' ');
  return (
    <div
      id={`proc-row-${k}`}
      role="row"
      aria-selected={selected}
      className={cls}
      data-pid={t.pid[i]}
      data-depth={rows.depth ? rows.depth[k] : undefined}
      style={{ transform: `translateY(${k * ROW_HEIGHT}px)` }}
      onMouseDown={() => onSelect(k)}
      onDoubleClick={() => onOpen(k)}
    >
      {columns.map((id) => {
        const c = COLUMN_BY_ID[id];
        if (id === 'command') {
          const p = commandParts(t, i);
          const depth = rows.depth ? rows.depth[k] : 0;
          return (
            <div key={id} role="gridcell" className="proc-cell cmd" title={t.cmdline[i] || t.comm[i]}>
              {tree && (
                <span
                  className="proc-twisty"
                  style={{ marginLeft: depth * INDENT }}
                  onMouseDown={(e) => {
                    e.stopPropagation();
                    onToggle(k);
                  }}
                >
                  {rows.hasChildren?.[k] ? (folded ? '▸' : '▾') : ''}
                </span>
              )}
              <b>{p.name}</b>
              {p.args && <span className="proc-args"> {p.args}</span>}
              {trend && trend.length > 1 && (
                <span className="proc-row-trend" title="CPU % of this process (history, then live)" data-testid="proc-row-trend">
                  <Sparkline values={trend} width={64} height={14} color="var(--c1)" max={Math.max(1, ...trend)} />
                </span>
              )}
            </div>
          );
        }
        let text: string;
        if (folded && id === 'cpu') text = `Σ${rows.subtreeCpu![k].toFixed(1)}`;
        else if (folded && id === 'rss') text = `Σ${formatBytes(rows.subtreeRss![k])}`;
        else text = c.text(t, i);
        return (
          <div
            key={id}
            role="gridcell"
            className={`proc-cell ${c.align === 'right' ? 'num' : ''} ${id === 'state' ? `st-${t.state[i]}` : ''} ${id === 'cpu' ? cpuClass(t.cpuPercent[i]) : ''}`}
            style={{ width: c.width }}
            title={id === 'state' ? STATE_NAMES[t.state[i]] : id === 'cgroup' || id === 'wchan' ? text : undefined}
          >
            {text}
          </div>
        );
      })}
    </div>
  );
});

function cpuClass(p: number): string {
  return p >= 90 ? 'hot' : p >= 25 ? 'warm' : '';
}
