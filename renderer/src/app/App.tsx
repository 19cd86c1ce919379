import { Suspense, useEffect, useState } from 'react';
import { useConnectionState } from '../api';
import { views } from './views';
import './theme.css';

function currentViewId(): string {
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return views.some((v) => v.id === id) ? id : views[0].id;
}

export function App() {
  const [viewId, setViewId] = useState(currentViewId);
  const conn = useConnectionState();

  useEffect(() => {
    const onHash = () => setViewId(currentViewId());
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey && /^[1-9]$/.test(e.key)) {
        const v = views[Number(e.key) - 1];
        if (v) {
          window.location.hash = `#/${v.id}`;
          e.preventDefault();
        }
      }
    };
    window.addEventListener('hashchange', onHash);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('keydown', onKey);
    };
  }, []);

  const view = views.find((v) => v.id === viewId) ?? views[0];
  const View = view.component;
  return (
    <div className="shell">
      <nav className="nav" aria-label="Views">
        <div className="nav-brand">
          <span>◆</span> Vantage
        </div>
        {views.map((v, i) => (
          <a key={v.id} href={`#/${v.id}`} className={v.id === view.id ? 'active' : ''} aria-current={v.id === view.id ? 'page' : undefined}>
            <span aria-hidden>{v.icon}</span>
            {v.title}
            {i < 9 && <kbd>Alt+{i + 1}</kbd>}
          </a>
        ))}
        <div className="nav-footer">
          <span className={`conn ${conn}`} data-testid="connection">
            {conn === 'open' ? 'connected' : conn === 'connecting' ? 'connecting…' : 'disconnected'}
          </span>
        </div>
      </nav>
      <main className="main" data-view={view.id}>
        <Suspense fallback={<div className="view-body dim">Loading {view.title}…</div>}>
          <View />
        </Suspense>
      </main>
    </div>
  );
}
