import type { ProcessMemory } from '@contract/memory';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { formatBytes } from '../../components/format';

const b = (v: number | null) => (v === null ? '–' : formatBytes(v));

/** Top consumers. ↑/↓ move, Enter opens the process, / filters by name or pid. */
export function TopTable({ rows, selected, onSelect }: { rows: ProcessMemory[]; selected: number | null; onSelect: (pid: number) => void }) {
  const [filter, setFilter] = useState('');
  const [cursor, setCursor] = useState(0);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? rows.filter((r) => r.comm.toLowerCase().includes(f) || String(r.pid) === f) : rows;
  }, [rows, filter]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setCursor((c) => Math.min(shown.length - 1, c + 1));
    else if (e.key === 'ArrowUp') setCursor((c) => Math.max(0, c - 1));
    else if (e.key === 'Enter' && shown[cursor]) onSelect(shown[cursor].pid);
    else if (e.key === '/') {
      e.preventDefault();
      document.getElementById('mem-filter')?.focus();
      return;
    } else return;
    e.preventDefault();
  };
  return (
    <section className="card mem-wide" aria-label="Top consumers">
      <h2>
        Top consumers by RSS
        <input
          id="mem-filter"
          className="mem-filter"
          placeholder="Filter (/)"
          aria-label="Filter processes"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setCursor(0);
          }}
          onKeyDown={(e) => e.key === 'ArrowDown' && (e.currentTarget.closest('section')?.querySelector('tbody') as HTMLElement | null)?.focus()}
        />
      </h2>
      <table className="plain mem-table">
        <thead>
          <tr>
            <th className="num">PID</th><th>Command</th><th className="num">RSS</th><th className="num">PSS</th><th className="num">USS</th>
            <th className="num">Shared</th><th className="num">Swap</th><th className="num">OOM</th><th className="num">Faults/s (min / maj)</th><th>Source</th>
          </tr>
        </thead>
        <tbody tabIndex={0} onKeyDown={onKey} data-testid="mem-top" aria-label="Processes: arrows move, Enter opens">
          {shown.map((p, i) => (
            <tr
              key={p.pid}
              className={`${i === cursor ? 'cursor' : ''} ${p.pid === selected ? 'selected' : ''}`}
              onClick={() => {
                setCursor(i);
                onSelect(p.pid);
              }}
              data-pid={p.pid}
            >
              <td className="num mono">{p.pid}</td>
              <td className="mono">{p.comm}</td>
              <td className="num">{formatBytes(p.rssBytes)}</td>
              <td className="num">{b(p.pssBytes)}</td>
              <td className="num">{b(p.ussBytes)}</td>
              <td className="num">{b(p.sharedBytes)}</td>
              <td className="num">{b(p.swapBytes)}{p.swapPssBytes ? <span className="dim"> ({formatBytes(p.swapPssBytes)} PSS)</span> : null}</td>
              <td className="num">{p.oomScore ?? '–'}</td>
              <td className="num">{p.minorFaultsPerSec.toFixed(0)} / {p.majorFaultsPerSec.toFixed(0)}</td>
              <td className="dim" title={p.unreadable ?? undefined}>{p.unreadable ? 'statm only: no permission' : p.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
