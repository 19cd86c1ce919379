import { ApiError } from '@contract/client';
import type { LaunchedProcess } from '@contract/processes';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTime } from '../../components/format';
import { joinCommandLine } from './argv';

const MAX_OUTPUT = 200_000;

function exitText(p: LaunchedProcess): string {
  if (!p.exited) return 'running';
  return p.exited.signal ? `killed by ${p.exited.signal}` : `exit ${p.exited.code}`;
}

/** Commands started from Vantage this session, with the chosen one's output live. */
export function LaunchedPanel({ focusId, onOpenPid, onClose }: { focusId: string | null; onOpenPid(pid: number): void; onClose(): void }) {
  const [list, setList] = useState<LaunchedProcess[]>([]);
  const [chosen, setChosen] = useState<string | null>(focusId);
  const [output, setOutput] = useState('');
  const [exit, setExit] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => setChosen(focusId), [focusId]);
  useEffect(() => {
    let live = true;
    const load = () =>
      api.processes.launched({}).then(
        (l) => {
          if (!live) return;
          setList(l);
          setChosen((c) => c ?? l[l.length - 1]?.id ?? null);
        },
        (e) => live && setError(e),
      );
    load();
    const timer = setInterval(load, 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  useEffect(() => {
    setOutput('');
    setExit(null);
    if (!chosen) return;
    return api.processes.launchOutput(
      { id: chosen },
      (e) => {
        if (e.type === 'output') setOutput((o) => (o + e.data).slice(-MAX_OUTPUT));
        else setExit(e.signal ? `killed by ${e.signal}` : `exit ${e.code}`);
      },
      (err) => setError(new ApiError(err.code, err.message)),
    );
  }, [chosen]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [output]);

  return (
    <section className="proc-details proc-launched" aria-label="Launched commands" data-testid="proc-launched">
      <header className="proc-details-head">
        <h2>Launched from Vantage</h2>
        <div className="proc-details-actions">
          <button onClick={onClose} aria-label="Close launched" title="Close (Esc)">
            ×
          </button>
        </div>
      </header>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <div className="proc-launched-body">
        <ul className="proc-launched-list" role="listbox" aria-label="Launched commands">
          {list.length === 0 && <li className="dim">Nothing launched yet: press r to run a command.</li>}
          {list.map((p) => (
            <li key={p.id} role="option" aria-selected={p.id === chosen} className={p.id === chosen ? 'active' : ''} onClick={() => setChosen(p.id)}>
              <span className="mono proc-ellipsis">{joinCommandLine(p.argv)}</span>
              <span className="dim">
                <button className="linkish proc-link mono" onClick={() => onOpenPid(p.pid)}>
                  {p.pid}
                </button>{' '}
                · {formatTime(p.startedAt)} · <span className={p.exited ? (p.exited.code === 0 ? 'dim' : 'error-text') : 'proc-running'}>{exitText(p)}</span>
              </span>
            </li>
          ))}
        </ul>
        <pre ref={pre} className="proc-output mono" data-testid="launch-output">
          {output || (chosen ? '(no output yet)' : '')}
          {exit && <span className="dim">{`\n— ${exit}`}</span>}
        </pre>
      </div>
    </section>
  );
}
