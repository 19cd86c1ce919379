import { SIGNALS, type SignalInfo } from '@contract/processes';
import { useEffect, useRef, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { searchSignals, signalConsequence, signalSentence } from './actions';

export interface Target {
  pid: number;
  startTicks: number;
  /** Name and arguments, as the confirmation names the process. */
  command: string;
  nice: number;
}

/**
 * Pick a signal by arrow keys or by typing its name, number or meaning. Destructive ones are
 * confirmed with the exact consequence; startTicks goes along so a recycled pid is refused.
 */
export function SignalMenu({ target, onSend, onClose }: { target: Target; onSend(s: SignalInfo): void; onClose(): void }) {
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState(() => Math.max(0, SIGNALS.findIndex((s) => s.name === 'SIGTERM')));
  const [confirm, setConfirm] = useState<SignalInfo | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const list = searchSignals(SIGNALS, query);
  const at = Math.min(cursor, list.length - 1);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    document.getElementById(`sig-opt-${at}`)?.scrollIntoView({ block: 'nearest' });
  }, [at]);
  const pick = (s: SignalInfo | undefined) => {
    if (!s) return;
    if (s.destructive) setConfirm(s);
    else onSend(s);
  };
  if (confirm) {
    return (
      <ConfirmDialog title={`Send ${confirm.name}`} confirmLabel={`Send ${confirm.name}`} danger onConfirm={() => onSend(confirm)} onCancel={() => setConfirm(null)}>
        <p data-testid="signal-confirm-text">{signalSentence(confirm, target.pid, target.command)}.</p>
        <p className="dim">If process {target.pid} has exited and its number was reused by another process, nothing is sent.</p>
      </ConfirmDialog>
    );
  }
  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <div className="dialog proc-signal-menu" role="dialog" aria-modal="true" aria-label="Send a signal" onClick={(e) => e.stopPropagation()}>
        <h3>
          Send a signal to {target.pid} <span className="dim mono proc-ellipsis">{target.command}</span>
        </h3>
        <input
          ref={input}
          aria-label="Find a signal"
          placeholder="Type a name, number or meaning (term, 9, ctrl+c)…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setCursor(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setCursor(Math.min(list.length - 1, at + 1));
            else if (e.key === 'ArrowUp') setCursor(Math.max(0, at - 1));
            else if (e.key === 'Enter') pick(list[at]);
            else if (e.key === 'Escape') onClose();
            else return;
            e.preventDefault();
            e.stopPropagation();
          }}
          style={{ width: '100%' }}
        />
        <ul className="proc-signal-list" role="listbox" aria-label="Signals">
          {list.map((s, k) => (
            <li
              key={s.number}
              id={`sig-opt-${k}`}
              role="option"
              aria-selected={k === at}
              className={k === at ? 'active' : ''}
              onMouseEnter={() => setCursor(k)}
              onClick={() => pick(s)}
              title={signalConsequence(s)}
            >
              <span className="mono proc-sig-num">{s.number}</span>
              <span className="mono proc-sig-name">{s.name}</span>
              <span className="dim">{s.meaning}</span>
              {s.destructive && <span className="proc-sig-warn">confirms</span>}
            </li>
          ))}
          {list.length === 0 && <li className="dim">No signal matches “{query}”.</li>}
        </ul>
        <div className="actions">
          <span className="dim" style={{ marginRight: 'auto' }}>
            ↑↓ choose · Enter send · Esc close
          </span>
          <button onClick={onClose}>Cancel</button>
        </div>
      </div>
    </div>
  );
}
