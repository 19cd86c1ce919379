import { useEffect, useRef, useState } from 'react';
import { COLUMNS, type ColumnId } from './columns';

/** Which columns the table shows; the choice is kept in localStorage. */
export function ColumnMenu({ columns, onToggle }: { columns: readonly ColumnId[]; onToggle(id: ColumnId): void }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    box.current?.querySelector<HTMLInputElement>('input')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [open]);
  return (
    <div className="proc-colmenu" ref={box}>
      <button aria-expanded={open} aria-haspopup="true" onClick={() => setOpen((o) => !o)}>
        Columns ▾
      </button>
      {open && (
        <div
          className="proc-colmenu-pop"
          role="group"
          aria-label="Columns"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              setOpen(false);
            }
          }}
        >
          {COLUMNS.map((c) => (
            <label key={c.id} title={c.title}>
              <input type="checkbox" checked={columns.includes(c.id)} disabled={c.id === 'command'} onChange={() => onToggle(c.id)} /> {c.label}
              <span className="dim"> {c.title}</span>
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
