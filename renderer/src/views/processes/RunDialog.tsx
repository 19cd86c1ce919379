import { ApiError } from '@contract/client';
import { useEffect, useRef, useState } from 'react';
import { parseEnvLines, splitCommandLine } from './argv';
import { parseIntIn } from './actions';

export interface RunRequest {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  nice?: number;
}

/**
 * Run a command. The line is split into words here, like a shell would, but never given to a
 * shell: `|`, `;`, `$VAR` and `*` reach the program as plain text.
 */
export function RunDialog({ onRun, onClose }: { onRun(req: RunRequest, where: 'detached' | 'terminal'): Promise<void>; onClose(): void }) {
  const [line, setLine] = useState('');
  const [cwd, setCwd] = useState('');
  const [env, setEnv] = useState('');
  const [nice, setNice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const split = line.trim() ? splitCommandLine(line) : null;

  const submit = (where: 'detached' | 'terminal') => {
    const argv = splitCommandLine(line);
    if (!argv.ok) return setError(argv.error.message);
    const parsedEnv = parseEnvLines(env);
    if (!parsedEnv.ok) return setError(`environment ${parsedEnv.error}`);
    let niceValue: number | undefined;
    if (nice.trim()) {
      const n = parseIntIn(nice, -20, 19);
      if (!n.ok) return setError(`nice: ${n.error}`);
      niceValue = n.value;
    }
    if (cwd.trim() && !cwd.trim().startsWith('/')) return setError('working directory: give an absolute path');
    setBusy(true);
    onRun({ argv: argv.argv, cwd: cwd.trim() || undefined, env: Object.keys(parsedEnv.env).length ? parsedEnv.env : undefined, nice: niceValue }, where).catch((err: unknown) => {
      setBusy(false);
      setError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    });
  };

  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <div className="dialog proc-run" role="dialog" aria-modal="true" aria-label="Run a command" onClick={(e) => e.stopPropagation()}>
        <h3>Run a command</h3>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit('detached');
          }}
        >
          <label className="proc-field">
            Command line
            <input ref={input} aria-label="Command line" className="mono" value={line} spellCheck={false} placeholder={`e.g. python3 -m http.server 8000`} onChange={(e) => { setLine(e.target.value); setError(null); }} />
          </label>
          <div className="proc-argv" data-testid="run-argv" aria-live="polite">
            {split?.ok ? (
              split.argv.map((a, k) => (
                <span key={k} className="proc-chip mono" title={`argv[${k}]`}>
                  {a === '' ? '""' : a}
                </span>
              ))
            ) : split ? (
              <span className="error-text">{split.error.message}</span>
            ) : (
              <span className="dim">Words are split like a shell, quotes and \ honoured, but no shell runs: no pipes, globs or $VARIABLES.</span>
            )}
          </div>
          <label className="proc-field">
            Working directory (absolute; empty: your home)
            <input aria-label="Working directory" className="mono" value={cwd} onChange={(e) => setCwd(e.target.value)} placeholder="/home/you/project" />
          </label>
          <label className="proc-field">
            Extra environment (KEY=VALUE per line)
            <textarea aria-label="Environment additions" className="mono" rows={3} value={env} onChange={(e) => setEnv(e.target.value)} placeholder="RUST_LOG=debug" />
          </label>
          <label className="proc-field">
            Nice (−20 … 19; empty: inherit)
            <input aria-label="Nice for the new process" className="mono" value={nice} onChange={(e) => setNice(e.target.value)} size={5} />
          </label>
          {error && (
            <p className="error-text" role="alert" data-testid="run-error">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="button" disabled={busy} onClick={() => submit('terminal')} title="Open a Terminal tab running it">
              Run in terminal
            </button>
            <button type="submit" className="primary" disabled={busy} title="Start it detached, output captured (Enter)">
              Run detached
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
