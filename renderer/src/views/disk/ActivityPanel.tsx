import type { FileActivity, WatchEvent } from '@contract/disk';
import { ApiError } from '@contract/client';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTime } from '../../components/format';
import { plural } from './model';

const MAX_EVENTS = 2000;

/** Live changes under a folder (inotify), or system-wide file access with the process (fanotify). */
export function ActivityPanel({ defaultPath }: { defaultPath: string | null }) {
  const [path, setPath] = useState(defaultPath ?? '/tmp');
  const [systemWide, setSystemWide] = useState(false);
  const [active, setActive] = useState<{ path: string; systemWide: boolean } | null>(null);
  const [ready, setReady] = useState<{ watches: number; limited: string | null } | null>(null);
  const [events, setEvents] = useState<FileActivity[]>([]);
  const [paused, setPaused] = useState(false);
  const [dropped, setDropped] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  const pausedRef = useRef(false);
  pausedRef.current = paused;

  useEffect(() => {
    if (!active) return;
    setReady(null);
    setError(null);
    const onEvent = (e: WatchEvent) => {
      if (e.type === 'ready') setReady({ watches: e.watches, limited: e.limited });
      else if (e.type === 'activity') {
        if (pausedRef.current) {
          setDropped((d) => d + e.events.length);
          return;
        }
        setEvents((old) => [...[...e.events].reverse(), ...old].slice(0, MAX_EVENTS));
      } else {
        setError(new ApiError(e.code as ApiError['code'], e.message));
        setActive(null);
      }
    };
    const onError = (err: { code: ApiError['code']; message: string }) => {
      setError(new ApiError(err.code, err.message));
      setActive(null);
    };
    const stop = active.systemWide ? api.disk.fileAccess({ path: active.path }, onEvent, onError) : api.disk.watch({ path: active.path }, onEvent, onError);
    return stop;
  }, [active]);

  const needle = filter.trim().toLowerCase();
  const shown = needle ? events.filter((e) => e.path.toLowerCase().includes(needle) || e.kind.includes(needle) || (e.comm ?? '').toLowerCase().includes(needle) || String(e.pid ?? '') === needle) : events;
  const invalid = !path.trim().startsWith('/') ? 'Give an absolute path' : null;
  return (
    <div className="disk-activity">
      <form
        className="disk-root"
        onSubmit={(e) => {
          e.preventDefault();
          if (active) setActive(null);
          else if (!invalid) setActive({ path: path.trim(), systemWide });
        }}
      >
        <label className="disk-root-field">
          {systemWide ? 'Mount of' : 'Folder'}{' '}
          <input aria-label="Folder to watch" className="mono" value={path} onChange={(e) => setPath(e.target.value)} disabled={active !== null} spellCheck={false} />
        </label>
        <label title="fanotify: every open and write on the mount, with the process; needs privilege">
          <input type="checkbox" checked={systemWide} disabled={active !== null} onChange={(e) => setSystemWide(e.target.checked)} /> System-wide (needs privilege)
        </label>
        <button type="submit" className={active ? undefined : 'primary'} disabled={!active && invalid !== null}>
          {active ? 'Stop' : 'Watch'}
        </button>
        <button type="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)} disabled={!active}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          onClick={() => {
            setEvents([]);
            setDropped(0);
          }}
        >
          Clear
        </button>
      </form>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <label className="disk-filter">
        Filter{' '}
        <input aria-label="Filter events" className="mono" placeholder="path, event or process" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      {active && (
        <p className="dim" data-testid="watch-status" role="status">
          {ready ? (
            <>
              Watching {active.path}
              {active.systemWide ? ' (system-wide)' : ''} — {plural(ready.watches, 'watch', 'watches')}
              {ready.limited && <span className="disk-badge warn"> {ready.limited}</span>}
            </>
          ) : (
            'Setting up watches…'
          )}
          {paused && ` · paused (${dropped.toLocaleString()} events not shown)`}
        </p>
      )}
      <table className="plain disk-events" data-testid="watch-events">
        <thead>
          <tr>
            <th className="disk-col-time">Time</th>
            <th className="disk-col-kind">Event</th>
            <th>Path</th>
            {active?.systemWide && <th className="disk-col-proc">Process</th>}
          </tr>
        </thead>
        <tbody>
          {shown.slice(0, 500).map((e, i) => (
            <tr key={`${e.ts}-${i}`} className={`kind-${e.kind}`}>
              <td className="dim">{formatTime(e.ts)}</td>
              <td>{e.kind}</td>
              <td className="mono">
                {e.path}
                {e.isDir ? '/' : ''}
              </td>
              {active?.systemWide && <td>{e.pid !== undefined ? `${e.comm ?? '?'} (${e.pid})` : ''}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {events.length > 0 && shown.length === 0 && <p className="dim">No event matches “{filter}”.</p>}
      {events.length === 0 && <p className="dim">{active ? 'No changes yet.' : 'Choose a folder and press Watch to see its changes live.'}</p>}
      {shown.length > 500 && <p className="dim">Showing the newest 500 of {shown.length.toLocaleString()}.</p>}
    </div>
  );
}
