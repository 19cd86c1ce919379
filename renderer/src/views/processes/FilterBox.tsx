import { PROCESS_FILTER_FIELDS, type FilterError } from '@contract/process-filter';
import { forwardRef, useEffect, useRef, useState } from 'react';

interface Props {
  value: string;
  error: FilterError | null;
  matched: number;
  total: number;
  onChange(text: string): void;
  /** Enter or ↓ in the box moves on to the table. */
  onLeave(): void;
}

const EXAMPLES = ['firefox', 'user:root', 'cpu>5', 'rss>100M', 'name~^kworker', '-state:S', 'cmd:"sleep 1001"'];

/** The filter language box: the faulty part is underlined in place and the message said below. */
export const FilterBox = forwardRef<HTMLInputElement, Props>(function FilterBox({ value, error, matched, total, onChange, onLeave }, ref) {
  const [help, setHelp] = useState(false);
  const mirror = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!help) return;
    // Escape closes the help first, before the view's own Escape (which closes the details pane).
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopImmediatePropagation();
        setHelp(false);
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [help]);
  // A long filter scrolls inside the input; the mirror follows so the underline stays under the text.
  const sync = (e: { currentTarget: HTMLInputElement }) => {
    if (mirror.current) mirror.current.scrollLeft = e.currentTarget.scrollLeft;
  };
  return (
    <div className="proc-filter">
      <div className={`proc-filter-field ${error ? 'invalid' : ''}`}>
        {/* The mirror sits under the transparent input and draws the error underline at its offsets. */}
        <div ref={mirror} className="proc-filter-mirror mono" aria-hidden>
          {error ? (
            <>
              {value.slice(0, error.start)}
              <span className="proc-filter-err">{value.slice(error.start, error.end) || ' '}</span>
              {value.slice(error.end)}
            </>
          ) : (
            value
          )}
        </div>
        <input
          ref={ref}
          className="mono"
          aria-label="Filter processes"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'proc-filter-error' : undefined}
          placeholder="Filter: name, user:root, cpu>5, rss>100M …  ( / )"
          spellCheck={false}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onScroll={sync}
          onSelect={sync}
          onKeyUp={sync}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === 'ArrowDown') {
              e.preventDefault();
              onLeave();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              if (value) onChange('');
              else onLeave();
            }
          }}
        />
      </div>
      <button className="proc-help-btn" aria-label="Filter help" aria-expanded={help} onClick={() => setHelp((h) => !h)}>
        ?
      </button>
      <span className="proc-count dim" data-testid="proc-count">
        {matched} of {total} processes
      </span>
      {error && (
        <div id="proc-filter-error" className="proc-filter-msg error-text" role="status" data-testid="proc-filter-error">
          {error.message} <span className="dim mono">(at {error.start + 1})</span>
        </div>
      )}
      {help && (
        <div className="proc-help" role="dialog" aria-label="Filter language">
          <p>
            All terms must match. A bare word matches the name or command line. <span className="mono">field:value</span>, <span className="mono">field=value</span>,{' '}
            <span className="mono">field~regex</span>, <span className="mono">field&gt;n</span> (also &lt; &gt;= &lt;= !=), <span className="mono">-term</span> negates.
          </p>
          <table className="plain">
            <tbody>
              {PROCESS_FILTER_FIELDS.map((f) => (
                <tr key={f.name}>
                  <td className="mono">{f.name}</td>
                  <td className="dim">{f.kind}</td>
                  <td>{f.help}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="dim">
            Examples:{' '}
            {EXAMPLES.map((x) => (
              <button key={x} className="proc-chip mono" onClick={() => onChange(x)}>
                {x}
              </button>
            ))}
          </p>
        </div>
      )}
    </div>
  );
});
