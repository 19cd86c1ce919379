import type { IoPriorityClass, LimitRow } from '@contract/processes';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { formatCpuList, parseIntIn, parseLimit } from './actions';
import type { Target } from './SignalMenu';

function EditDialog({ title, children, applyLabel, error, onApply, onClose }: { title: string; children: ReactNode; applyLabel: string; error: string | null; onApply(): void; onClose(): void }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.querySelector<HTMLElement>('input, select')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <div ref={box} className="dialog proc-edit" role="dialog" aria-modal="true" aria-label={title} onClick={(e) => e.stopPropagation()}>
        <h3>{title}</h3>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onApply();
          }}
        >
          {children}
          {error && (
            <p className="error-text" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary">
              {applyLabel}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

export function ReniceDialog({ target, onApply, onClose }: { target: Target; onApply(nice: number): void; onClose(): void }) {
  const [text, setText] = useState(String(target.nice));
  const [error, setError] = useState<string | null>(null);
  return (
    <EditDialog
      title="Change priority (nice)"
      applyLabel="Set nice"
      error={error}
      onClose={onClose}
      onApply={() => {
        const r = parseIntIn(text, -20, 19);
        if (r.ok) onApply(r.value);
        else setError(r.error);
      }}
    >
      <p>
        {target.pid} <span className="mono dim">{target.command}</span> now runs at nice <b>{target.nice}</b>.
      </p>
      <label className="proc-field">
        Nice (−20 most favoured … 19 yields to everything)
        <input aria-label="Nice value" className="mono" type="number" min={-20} max={19} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <p className="dim">Applies to every thread. Lowering it below the current value needs privilege.</p>
    </EditDialog>
  );
}

const IO_CLASSES: { value: IoPriorityClass; label: string }[] = [
  { value: 'none', label: 'none — follow the CPU nice value' },
  { value: 'best-effort', label: 'best-effort — normal, levels 0 (first) … 7' },
  { value: 'idle', label: 'idle — only when the disk is otherwise idle' },
  { value: 'realtime', label: 'realtime — before everyone (needs privilege)' },
];

export function IoprioDialog({ target, current, onApply, onClose }: { target: Target; current: { class: IoPriorityClass; level: number } | null; onApply(cls: IoPriorityClass, level: number): void; onClose(): void }) {
  const [cls, setCls] = useState<IoPriorityClass>(current?.class ?? 'best-effort');
  const [level, setLevel] = useState(String(current?.level ?? 4));
  const [error, setError] = useState<string | null>(null);
  return (
    <EditDialog
      title="Change I/O priority"
      applyLabel="Set I/O priority"
      error={error}
      onClose={onClose}
      onApply={() => {
        const r = parseIntIn(level, 0, 7);
        if (r.ok) onApply(cls, r.value);
        else setError(r.error);
      }}
    >
      <p>
        {target.pid} <span className="mono dim">{target.command}</span>: now <b>{current ? `${current.class} ${current.level}` : 'unknown'}</b>.
      </p>
      <label className="proc-field">
        Class
        <select aria-label="I/O class" value={cls} onChange={(e) => setCls(e.target.value as IoPriorityClass)}>
          {IO_CLASSES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label className="proc-field">
        Level (0 … 7)
        <input aria-label="I/O level" className="mono" type="number" min={0} max={7} value={level} disabled={cls === 'idle' || cls === 'none'} onChange={(e) => setLevel(e.target.value)} />
      </label>
    </EditDialog>
  );
}

export function AffinityDialog({ target, current, cpuCount, onApply, onClose }: { target: Target; current: number[] | null; cpuCount: number; onApply(cpus: number[]): void; onClose(): void }) {
  const all = Array.from({ length: Math.max(1, cpuCount) }, (_, c) => c);
  const [chosen, setChosen] = useState<Set<number>>(() => new Set(current ?? all));
  const [error, setError] = useState<string | null>(null);
  const flip = (c: number) =>
    setChosen((s) => {
      const n = new Set(s);
      if (n.has(c)) n.delete(c);
      else n.add(c);
      return n;
    });
  return (
    <EditDialog
      title="Change CPU affinity"
      applyLabel="Set affinity"
      error={error}
      onClose={onClose}
      onApply={() => (chosen.size === 0 ? setError('choose at least one CPU') : onApply([...chosen].sort((a, b) => a - b)))}
    >
      <p>
        {target.pid} <span className="mono dim">{target.command}</span> may now run on CPUs <b className="mono">{current ? formatCpuList(current) : 'unknown'}</b>.
      </p>
      <div className="proc-cpus" role="group" aria-label="CPUs">
        {all.map((c) => (
          <label key={c} className="proc-cpu">
            <input type="checkbox" checked={chosen.has(c)} onChange={() => flip(c)} aria-label={`CPU ${c}`} /> {c}
          </label>
        ))}
      </div>
      <p className="dim">
        <button type="button" onClick={() => setChosen(new Set(all))}>
          All
        </button>{' '}
        Applies to every thread of the process.
      </p>
    </EditDialog>
  );
}

export function OomDialog({ target, current, score, onApply, onClose }: { target: Target; current: number | null; score: number | null; onApply(v: number): void; onClose(): void }) {
  const [text, setText] = useState(String(current ?? 0));
  const [error, setError] = useState<string | null>(null);
  return (
    <EditDialog
      title="Change OOM score adjustment"
      applyLabel="Set oom_score_adj"
      error={error}
      onClose={onClose}
      onApply={() => {
        const r = parseIntIn(text, -1000, 1000);
        if (r.ok) onApply(r.value);
        else setError(r.error);
      }}
    >
      <p>
        {target.pid} <span className="mono dim">{target.command}</span>: oom_score <b>{score ?? '–'}</b>, oom_score_adj <b>{current ?? '–'}</b>.
      </p>
      <label className="proc-field">
        oom_score_adj (−1000 never kill … 1000 kill first)
        <input aria-label="OOM score adjustment" className="mono" type="number" min={-1000} max={1000} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <p className="dim">Raising it makes the kernel pick this process sooner when memory runs out; lowering it needs privilege.</p>
    </EditDialog>
  );
}

/** Editing a limit asks for both values, then the view confirms with the exact change. */
export function RlimitDialog({ target, row, onApply, onClose }: { target: Target; row: LimitRow; onApply(soft: number | 'unlimited', hard: number | 'unlimited'): void; onClose(): void }) {
  const [soft, setSoft] = useState(String(row.soft));
  const [hard, setHard] = useState(String(row.hard));
  const [error, setError] = useState<string | null>(null);
  return (
    <EditDialog
      title={`Change limit: ${row.name}`}
      applyLabel="Review…"
      error={error}
      onClose={onClose}
      onApply={() => {
        const s = parseLimit(soft);
        const h = parseLimit(hard);
        if (!s.ok) return setError(`soft: ${s.error}`);
        if (!h.ok) return setError(`hard: ${h.error}`);
        if (h.value !== 'unlimited' && (s.value === 'unlimited' || s.value > h.value)) return setError('the soft limit cannot exceed the hard limit');
        onApply(s.value, h.value);
      }}
    >
      <p>
        {target.pid} <span className="mono dim">{target.command}</span>, resource <span className="mono">{row.resource}</span>
        {row.units && <span className="dim"> ({row.units})</span>}.
      </p>
      <label className="proc-field">
        Soft limit (now {String(row.soft)})
        <input aria-label="Soft limit" className="mono" value={soft} onChange={(e) => setSoft(e.target.value)} />
      </label>
      <label className="proc-field">
        Hard limit (now {String(row.hard)})
        <input aria-label="Hard limit" className="mono" value={hard} onChange={(e) => setHard(e.target.value)} />
      </label>
      <p className="dim">Raising the hard limit needs privilege.</p>
    </EditDialog>
  );
}
