import { ApiError } from '@contract/client';
import { useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ViewHeader } from '../../components/ViewHeader';
import { BreakdownPanel } from './BreakdownPanel';
import { HintsPanel, LeaksPanel } from './LeaksPanel';
import { ProcessPanel } from './ProcessPanel';
import { TopTable } from './TopTable';
import { useMemoryStream } from './use-memory-stream';
import './memory.css';

export default function MemoryView() {
  const { latest, window, error } = useMemoryStream(25);
  const [selected, setSelected] = useState<number | null>(null);
  const [pidInput, setPidInput] = useState('');
  const [headerError, setHeaderError] = useState<unknown>(null);
  const open = (pid: number) => {
    setSelected(pid);
    requestAnimationFrame(() => document.getElementById(`mem-process-${pid}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
  };
  return (
    <>
      <ViewHeader title="Memory">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const pid = Number(pidInput);
            if (Number.isInteger(pid) && pid > 0) open(pid);
          }}
        >
          <input aria-label="Open process by PID" placeholder="PID" value={pidInput} onChange={(e) => setPidInput(e.target.value)} size={8} className="mono" />{' '}
          <button type="submit">Open maps</button>{' '}
          <button
            type="button"
            title="Vantage's own process: memory, maps and V8 heap"
            onClick={() => api.memory.gc({}).then((g) => open(g.pid), setHeaderError)}
          >
            Vantage itself
          </button>
        </form>
      </ViewHeader>
      <div className="view-body">
        <ErrorBanner error={error ? new ApiError(error.code, error.message) : null} />
        <ErrorBanner error={headerError} onDismiss={() => setHeaderError(null)} />
        <div className="cards mem-cards">
          <BreakdownPanel latest={latest} window={window} />
          <HintsPanel onOpen={open} />
          <LeaksPanel onOpen={open} />
          <TopTable rows={latest?.top ?? []} selected={selected} onSelect={open} />
          {selected !== null && <ProcessPanel key={selected} pid={selected} />}
        </div>
      </div>
    </>
  );
}
