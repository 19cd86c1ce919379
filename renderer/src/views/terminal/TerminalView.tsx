import type { TerminalSession } from '@contract/terminal';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ViewHeader } from '../../components/ViewHeader';
import { TerminalPane } from './TerminalPane';
import './terminal.css';

interface Tab {
  session: TerminalSession;
  exit: string | null;
}

/** Terminal tabs over node-pty. A request to open a command comes through `#/terminal?cmd=...`. */
export default function TerminalView() {
  const [tabs, setTabs] = useState<Tab[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const open = useCallback(async () => {
    try {
      const session = await api.terminal.open({ cols: 100, rows: 30 });
      setTabs((t) => [...t, { session, exit: null }]);
      setActive(session.id);
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    // Re-attach to this client's terminals (a view switch keeps them), or open the first one.
    api.terminal.list(undefined).then(
      (list) => {
        if (list.length) {
          setTabs(list.map((session) => ({ session, exit: session.exited ? describeExit(session.exited.exitCode, session.exited.signal) : null })));
          setActive(list[list.length - 1].id);
        } else {
          open();
        }
      },
      setError,
    );
  }, [open]);

  const close = async (id: string) => {
    await api.terminal.close({ id }).catch(() => {});
    setTabs((t) => {
      const rest = t.filter((x) => x.session.id !== id);
      if (active === id) setActive(rest.length ? rest[rest.length - 1].session.id : null);
      return rest;
    });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey && e.shiftKey && e.key.toLowerCase() === 't') {
        e.preventDefault();
        open();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <>
      <ViewHeader title="Terminal">
        <span className="dim">Ctrl+Shift+T opens a new tab</span>
        <button onClick={open}>＋ New terminal</button>
      </ViewHeader>
      <div className="view-body terminal-body">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <div className="terminal-tabs" role="tablist">
          {tabs.map((t) => (
            <div key={t.session.id} role="tab" aria-selected={t.session.id === active} className={`terminal-tab ${t.session.id === active ? 'active' : ''}`} onClick={() => setActive(t.session.id)}>
              <span>{t.session.title}</span>
              <span className="dim mono">{t.session.pid}</span>
              {t.exit && <span className={t.exit === 'exit 0' ? 'dim' : 'error-text'} data-testid="exit-status">{t.exit}</span>}
              <button className="tab-close" aria-label={`Close ${t.session.title}`} onClick={(e) => { e.stopPropagation(); close(t.session.id); }}>×</button>
            </div>
          ))}
        </div>
        <div className="terminal-stack">
          {tabs.map((t) => (
            <TerminalPane
              key={t.session.id}
              id={t.session.id}
              active={t.session.id === active}
              onExit={(code, signal) => setTabs((all) => all.map((x) => (x.session.id === t.session.id ? { ...x, exit: describeExit(code, signal) } : x)))}
            />
          ))}
          {!tabs.length && <p className="dim">No terminal open.</p>}
        </div>
      </div>
    </>
  );
}

function describeExit(code: number, signal: number | null): string {
  return signal ? `killed by signal ${signal}` : `exit ${code}`;
}
