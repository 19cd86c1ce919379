import { ApiError } from '@contract/client';
import type { SqlErrorDetail, SqlExecuteResult, SqlHistoryEntry, SqlOpenResult, SqlPlanNode, SqlSchemaObject } from '@contract/sql';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ViewHeader } from '../../components/ViewHeader';
import { ResultGrid } from './ResultGrid';
import { SqlEditor, type EditorHandle } from './SqlEditor';
import './sql.css';

const START = `-- Ctrl+Enter runs the selection, or everything. Live tables: processes, threads, connections, interfaces, mounts, metrics.
SELECT user, count(*) AS procs, sum(rss) AS rss FROM processes GROUP BY user ORDER BY rss DESC;
`;

function PlanTree({ nodes }: { nodes: SqlPlanNode[] }) {
  return (
    <ul className="sql-plan">
      {nodes.map((n) => (
        <li key={n.id}>
          <span className="mono">{n.detail}</span>
          {n.children.length > 0 && <PlanTree nodes={n.children} />}
        </li>
      ))}
    </ul>
  );
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, []);
  return <span className="mono">{((now - since) / 1000).toFixed(1)} s</span>;
}

export default function SqlView() {
  const editor = useRef<EditorHandle | null>(null);
  const [db, setDb] = useState<SqlOpenResult | null>(null);
  const [schema, setSchema] = useState<SqlSchemaObject[]>([]);
  const [history, setHistory] = useState<SqlHistoryEntry[]>([]);
  const [result, setResult] = useState<SqlExecuteResult | null>(null);
  const [plan, setPlan] = useState<SqlPlanNode[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [errorAt, setErrorAt] = useState<{ position: number } | null>(null);
  const [runningSince, setRunningSince] = useState<number | null>(null);
  const [pathInput, setPathInput] = useState('');

  const refresh = useCallback(async () => {
    try {
      setSchema(await api.sql.schema({}));
      setHistory(await api.sql.history({ limit: 100 }));
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    api.sql
      .current({})
      .then((d) => {
        setDb(d);
        return refresh();
      })
      .catch(setError);
  }, [refresh]);

  const showError = (e: unknown) => {
    setError(e);
    setResult(null);
    setPlan(null);
    const d = e instanceof ApiError && e.code === 'SQL_ERROR' ? (e.detail as SqlErrorDetail | undefined) : undefined;
    setErrorAt(d && typeof d.position === 'number' ? { position: d.position } : null);
  };

  const run = useCallback(async () => {
    const ed = editor.current;
    if (!ed || runningSince !== null) return;
    const text = ed.text();
    if (!text.trim()) return;
    const selection = ed.selection() ?? undefined;
    setError(null);
    setErrorAt(null);
    setRunningSince(Date.now());
    try {
      const r = await api.sql.execute({ sql: text, selection });
      setResult(r);
      const last = r.results[r.results.length - 1];
      setPlan(null);
      if (last && /^\s*explain\b/i.test(last.sql)) {
        setPlan(await api.sql.explain({ sql: last.sql }));
      }
    } catch (e) {
      showError(e);
    } finally {
      setRunningSince(null);
      void refresh();
    }
  }, [runningSince, refresh]);

  const explain = async () => {
    const ed = editor.current;
    if (!ed) return;
    const sel = ed.selection();
    const text = sel ? ed.text().slice(sel.from, sel.to) : ed.text();
    setError(null);
    setErrorAt(null);
    try {
      setPlan(await api.sql.explain({ sql: text.trim().replace(/;\s*$/, '') }));
    } catch (e) {
      showError(e);
    }
  };

  const cancel = async () => {
    try {
      await api.sql.cancel({});
    } catch (e) {
      setError(e);
    }
  };

  const openDb = async (path?: string) => {
    setError(null);
    try {
      const d = await api.sql.open(path ? { path } : {});
      setDb(d);
      setResult(null);
      setPlan(null);
      await refresh();
    } catch (e) {
      setError(e);
    }
  };

  const last = result?.results[result.results.length - 1];
  const userObjects = schema.filter((o) => o.type !== 'live');
  const live = schema.filter((o) => o.type === 'live');

  return (
    <div className="sql-view">
      <ViewHeader title="SQL">
        <span className="dim mono" title="Open database" data-testid="sql-db">
          {db ? (db.scratch ? 'scratch' : db.path) : '…'}
        </span>
        <form
          className="sql-open"
          onSubmit={(e) => {
            e.preventDefault();
            void openDb(pathInput.trim() || undefined);
          }}
        >
          <input
            aria-label="Database file path"
            placeholder="/path/to/file.vdb (empty: scratch)"
            value={pathInput}
            onChange={(e) => setPathInput(e.target.value)}
          />
          <button type="submit">Open / create</button>
        </form>
      </ViewHeader>
      <div className="sql-body">
        <aside className="sql-schema" aria-label="Schema">
          <h3>Tables</h3>
          {userObjects.length === 0 && <p className="dim">No user tables yet.</p>}
          {userObjects.map((o) => (
            <details key={o.type + o.name}>
              <summary>
                <span className="mono">{o.name}</span> <small className="dim">{o.type}</small>
              </summary>
              <ul>
                {o.columns.map((c) => (
                  <li key={c.name} className="mono">
                    {c.name} <small className="dim">{c.type}</small>
                  </li>
                ))}
                {o.type === 'index' && <li className="mono dim">{o.sql}</li>}
              </ul>
            </details>
          ))}
          <h3>Live system tables</h3>
          {live.map((o) => (
            <details key={o.name}>
              <summary>
                <span className="mono">{o.name}</span>
              </summary>
              <ul>
                {o.columns.map((c) => (
                  <li key={c.name} className="mono">
                    {c.name} <small className="dim">{c.type}</small>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </aside>
        <main className="sql-main">
          <SqlEditor initial={START} schema={schema} onRun={() => void run()} onReady={(h) => (editor.current = h)} error={errorAt} />
          <div className="sql-toolbar">
            <button onClick={() => void run()} disabled={runningSince !== null} title="Run the selection, or all (Ctrl+Enter)">
              ▶ Run
            </button>
            <button onClick={() => void explain()} disabled={runningSince !== null}>
              Explain
            </button>
            <button onClick={() => void cancel()} disabled={runningSince === null} data-testid="sql-cancel">
              Cancel
            </button>
            {runningSince !== null && (
              <span>
                Running… <Elapsed since={runningSince} />
              </span>
            )}
            {runningSince === null && result && last && (
              <span className="dim" data-testid="sql-status">
                {result.results.length} statement{result.results.length === 1 ? '' : 's'} · {last.rows.length} row{last.rows.length === 1 ? '' : 's'}
                {last.truncated ? ' (truncated: more rows exist)' : ''} · {last.rowsAffected} affected · {result.timeMs.toFixed(1)} ms
              </span>
            )}
          </div>
          {Boolean(error) && (
            <div className="sql-error" data-testid="sql-error">
              <ErrorBanner error={error} onDismiss={() => (setError(null), setErrorAt(null))} />
              {error instanceof ApiError && error.code === 'SQL_ERROR' && (
                <div className="mono dim">
                  {(error.detail as SqlErrorDetail).sqlCode}
                  {(error.detail as SqlErrorDetail).line !== undefined &&
                    ` at line ${(error.detail as SqlErrorDetail).line}, column ${(error.detail as SqlErrorDetail).column}`}
                </div>
              )}
            </div>
          )}
          {plan && (
            <section className="sql-plan-box" aria-label="Query plan" data-testid="sql-plan">
              <h3>Query plan</h3>
              <PlanTree nodes={plan} />
            </section>
          )}
          {last && last.columns.length > 0 && !plan && <ResultGrid rs={last} />}
        </main>
        <aside className="sql-history" aria-label="History">
          <h3>History</h3>
          {history.length === 0 && <p className="dim">Nothing run yet.</p>}
          <ul>
            {history.map((h, i) => (
              <li key={i}>
                <button className={h.ok ? '' : 'failed'} title={new Date(h.ts).toLocaleString()} onClick={() => editor.current?.setText(h.sql)}>
                  {h.sql}
                </button>
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </div>
  );
}
