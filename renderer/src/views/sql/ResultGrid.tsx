import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { realText, type SqlResultSet, type SqlValue } from '@contract/sql';

function Cell({ v }: { v: SqlValue }) {
  if (v === null) return <span className="sql-null">NULL</span>;
  if (typeof v === 'object' && 'real' in v) return <>{realText(v.real)}</>;
  if (typeof v === 'object') return <span className="sql-blob">x'{v.blob.length > 64 ? v.blob.slice(0, 64) + '…' : v.blob}'</span>;
  return <>{String(v)}</>;
}

const isNumeric = (rs: SqlResultSet, i: number) => {
  const t = rs.columns[i].actualTypes.filter((x) => x !== 'null');
  return t.length > 0 && t.every((x) => x === 'integer' || x === 'real');
};

export function ResultGrid({ rs }: { rs: SqlResultSet }) {
  const parent = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: rs.rows.length, getScrollElement: () => parent.current, estimateSize: () => 24, overscan: 20 });
  const numeric = rs.columns.map((_, i) => isNumeric(rs, i));
  const template = `48px ${rs.columns.map(() => 'minmax(90px, 1fr)').join(' ')}`;
  return (
    <div className="sql-grid" ref={parent} role="table" aria-label="Result rows" data-testid="sql-grid">
      <div className="sql-grid-head" role="row" style={{ gridTemplateColumns: template }}>
        <span className="sql-rownum">#</span>
        {rs.columns.map((c, i) => (
          <span key={i} role="columnheader" className={numeric[i] ? 'num' : ''} title={`declared ${c.declaredType || 'none'}; seen ${c.actualTypes.join(', ') || 'no rows'}`}>
            {c.name}
            <small className="sql-type">{(c.declaredType || c.actualTypes.join('|') || '—').toLowerCase()}</small>
          </span>
        ))}
      </div>
      <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
        {rows.getVirtualItems().map((vr) => (
          <div
            key={vr.key}
            role="row"
            className="sql-grid-row"
            style={{ gridTemplateColumns: template, transform: `translateY(${vr.start}px)` }}
          >
            <span className="sql-rownum">{vr.index + 1}</span>
            {rs.rows[vr.index].map((v, i) => (
              <span key={i} role="cell" className={numeric[i] ? 'num' : ''}>
                <Cell v={v} />
              </span>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
