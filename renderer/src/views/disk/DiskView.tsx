import type { FileCategory } from '@contract/disk';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ViewHeader } from '../../components/ViewHeader';
import { ActivityPanel } from './ActivityPanel';
import { DupesPanel } from './DupesPanel';
import { HealthPanel } from './HealthPanel';
import { TypesPanel } from './TypesPanel';
import { UsagePanel } from './UsagePanel';
import { useScan } from './use-scan';
import './disk.css';

const TABS = [
  { id: 'usage', label: 'Usage' },
  { id: 'types', label: 'Types' },
  { id: 'dupes', label: 'Duplicates' },
  { id: 'health', label: 'Health' },
  { id: 'activity', label: 'Activity' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** Where did my disk go: usage treemap and list, types, duplicates, mount health, live activity. */
export default function DiskView() {
  const [tab, setTab] = useState<TabId>('usage');
  const [nodeId, setNodeId] = useState<number | undefined>(undefined);
  const [highlight, setHighlight] = useState<FileCategory | null>(null);
  const scan = useScan();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const onNode = useCallback((id: number | undefined) => setNodeId(id), []);

  // A new scan starts at its root.
  useEffect(() => setNodeId(undefined), [scan.scanId]);

  // Ctrl+PageDown / Ctrl+PageUp switch tabs from anywhere in the view, as in browsers.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!e.ctrlKey || (e.key !== 'PageDown' && e.key !== 'PageUp')) return;
      e.preventDefault();
      setTab((t) => {
        const i = TABS.findIndex((x) => x.id === t);
        return TABS[(i + (e.key === 'PageDown' ? 1 : TABS.length - 1)) % TABS.length].id;
      });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onTabKey = (e: KeyboardEvent, i: number) => {
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i + TABS.length - 1) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next].id);
    tabRefs.current[next]?.focus();
  };

  return (
    <>
      <ViewHeader title="Disk">
        <div role="tablist" aria-label="Disk sections" className="disk-tabs">
          {TABS.map((t, i) => (
            <button
              key={t.id}
              ref={(el) => {
                tabRefs.current[i] = el;
              }}
              role="tab"
              id={`disk-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`disk-panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
              onKeyDown={(e) => onTabKey(e, i)}
              title="Arrows switch tabs; Ctrl+PageUp/PageDown from anywhere"
            >
              {t.label}
            </button>
          ))}
        </div>
      </ViewHeader>
      <div className="view-body disk-body" role="tabpanel" id={`disk-panel-${tab}`} aria-labelledby={`disk-tab-${tab}`}>
        {tab === 'usage' && <UsagePanel scan={scan} nodeId={nodeId} onNode={onNode} highlight={highlight} onHighlight={setHighlight} />}
        {tab === 'types' && (
          <TypesPanel
            scanId={scan.summary ? scan.scanId : null}
            nodeId={nodeId}
            version={scan.version}
            onShow={(c) => {
              setHighlight(c);
              setTab('usage');
            }}
          />
        )}
        {tab === 'dupes' && <DupesPanel defaultRoot={scan.root} />}
        {tab === 'health' && <HealthPanel />}
        {tab === 'activity' && <ActivityPanel defaultPath={scan.root} />}
      </div>
    </>
  );
}
