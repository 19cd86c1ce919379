import type { DiskTree, FileCategory } from '@contract/disk';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes } from '../../components/format';
import { FolderList } from './FolderList';
import { Legend } from './Legend';
import { nextSelection, sortNodes, withRemainders, type SortKey } from './model';
import { NodeActions, type NodeActionsHandle } from './NodeActions';
import { ScanControls } from './ScanControls';
import { TreemapCanvas } from './TreemapCanvas';
import type { SizeMode } from './treemap';
import type { ScanApi } from './use-scan';

const LIST_LIMIT = 2000;
const MAP_LIMIT = 40;

interface Props {
  scan: ScanApi;
  highlight: FileCategory | null;
  onHighlight: (c: FileCategory | null) => void;
  nodeId: number | undefined;
  onNode: (id: number | undefined) => void;
}

/** Usage: pick a root and scan it, then the treemap and the folder list side by side. */
export function UsagePanel({ scan, nodeId, onNode, highlight, onHighlight }: Props) {
  const [size, setSize] = useState<SizeMode>('allocated');
  const [tree, setTree] = useState<DiskTree | null>(null);
  const [mapTree, setMapTree] = useState<DiskTree | null>(null);
  const [treeError, setTreeError] = useState<unknown>(null);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'allocated', descending: true });
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [cursor, setCursor] = useState<number | null>(null);
  const [anchor, setAnchor] = useState<number | null>(null);
  const actions = useRef<NodeActionsHandle>(null);
  const ready = scan.scanId !== null && scan.summary !== null;

  useEffect(() => {
    if (!ready || !scan.scanId) return;
    let live = true;
    // Every child of the folder (for the list and the map's first level), and three levels of
    // the largest few, which keeps the answer small on wide trees.
    Promise.all([
      api.disk.tree({ scanId: scan.scanId, nodeId, depth: 1, limit: LIST_LIMIT, sort: size }),
      api.disk.tree({ scanId: scan.scanId, nodeId, depth: 3, limit: MAP_LIMIT, sort: size }),
    ]).then(
      ([list, map]) => {
        if (!live) return;
        setTree(list);
        setMapTree(map);
        setTreeError(null);
      },
      (e) => {
        if (!live) return;
        setTreeError(e);
        // The folder may be gone after a refresh or removal: fall back to the root.
        if (nodeId !== undefined) onNode(undefined);
      },
    );
    return () => {
      live = false;
    };
  }, [ready, scan.scanId, scan.version, nodeId, size, onNode]);

  // A different folder: nothing selected; the cursor on the folder we came up from (as ncdu
  // does), else on the largest item.
  const shownRef = useRef<number | null>(null);
  useEffect(() => {
    const kids = tree?.node.children ?? [];
    const cameFrom = kids.find((k) => k.id === shownRef.current);
    const first = cameFrom?.id ?? kids[0]?.id ?? null;
    shownRef.current = tree?.node.id ?? null;
    setSelected(new Set());
    setCursor(first);
    setAnchor(first);
  }, [tree?.node.id, tree?.scanId]); // eslint-disable-line react-hooks/exhaustive-deps -- only on folder change

  // Every child of the folder gets its rectangle (from the list answer); the largest carry
  // their nested levels (from the map answer).
  const mapNode = useMemo(() => {
    if (!tree) return null;
    const nested = new Map(mapTree && mapTree.node.id === tree.node.id ? (mapTree.node.children ?? []).map((c) => [c.id, c]) : []);
    return withRemainders({ ...tree.node, children: (tree.node.children ?? []).map((c) => nested.get(c.id) ?? c) });
  }, [tree, mapTree]);
  const rows = useMemo(() => sortNodes(tree?.node.children ?? [], sort.key, sort.descending), [tree, sort]);
  const order = useMemo(() => rows.map((r) => r.id), [rows]);
  const byId = useMemo(() => new Map(rows.map((r) => [r.id, r])), [rows]);
  const acting = useMemo(() => {
    const chosen = [...selected].map((id) => byId.get(id)).filter((n) => n !== undefined);
    if (chosen.length) return chosen;
    const c = cursor !== null ? byId.get(cursor) : undefined;
    return c ? [c] : [];
  }, [selected, cursor, byId]);

  const move = (id: number, mode: 'only' | 'toggle' | 'range') => {
    setCursor(id);
    if (mode === 'toggle') setSelected((s) => nextSelection(order, s, anchor, id, 'toggle'));
    else if (mode === 'range') setSelected((s) => nextSelection(order, s.size ? s : new Set(anchor !== null ? [anchor] : []), anchor, id, 'range'));
    else {
      setSelected(new Set([id]));
      setAnchor(id);
    }
  };
  const zoom = (id: number) => onNode(id);
  // From the folder asked for, not the one shown: two quick Backspaces go up two levels even
  // while the first answer is still on its way.
  const up = () => {
    const crumbs = tree?.breadcrumbs ?? [];
    const i = nodeId === undefined ? 0 : crumbs.findIndex((b) => b.id === nodeId);
    if (i >= 1) onNode(i === 1 ? undefined : crumbs[i - 1].id);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Delete' && scan.scanId) {
      e.preventDefault();
      actions.current?.prepare(e.shiftKey ? 'delete' : 'trash');
    }
  };

  const summary = scan.summary;
  const hasPrevious = summary?.previous != null;
  return (
    <div className="disk-usage">
      <ScanControls scan={scan} />
      <ErrorBanner error={treeError} onDismiss={() => setTreeError(null)} />
      {ready && tree && scan.scanId && tree.scanId === scan.scanId && (
        <div onKeyDown={onKey}>
          <div className="disk-toolbar">
            <nav aria-label="Breadcrumbs" className="disk-crumbs" data-testid="disk-crumbs">
              {tree.breadcrumbs.map((b, i) => (
                <span key={b.id}>
                  {i > 0 && <span className="dim"> / </span>}
                  {i === tree.breadcrumbs.length - 1 ? (
                    <strong aria-current="location">{b.name}</strong>
                  ) : (
                    <button className="disk-linkish" onClick={() => onNode(i === 0 ? undefined : b.id)}>
                      {b.name}
                    </button>
                  )}
                </span>
              ))}
              <span className="dim disk-crumb-size">
                {' '}
                — {formatBytes(tree.node.allocatedBytes)} allocated, {formatBytes(tree.node.apparentBytes)} apparent
              </span>
            </nav>
            <button onClick={up} disabled={tree.breadcrumbs.length < 2} title="Up one folder (Backspace or Alt+↑)">
              ↑ Up
            </button>
            <button onClick={() => scan.refresh(tree.node.id)} disabled={scan.running} title={`Read ${tree.path} again and update the totals`}>
              Rescan this folder
            </button>
            <div className="segmented" role="group" aria-label="Size by">
              <button aria-pressed={size === 'allocated'} onClick={() => setSize('allocated')} title="Blocks on disk (what du counts)">
                Allocated
              </button>
              <button aria-pressed={size === 'apparent'} onClick={() => setSize('apparent')} title="File lengths (sparse files count in full)">
                Apparent
              </button>
            </div>
          </div>
          <NodeActions handle={actions} scanId={scan.scanId} items={acting} explicit={selected.size > 0} busy={scan.running} onRefresh={(id) => scan.refresh(id)} onChanged={scan.changed} />
          <div className="disk-split">
            <TreemapCanvas node={mapNode ?? tree.node} highlight={highlight} path={tree.path} size={size} selected={selected} cursor={cursor} hasPrevious={hasPrevious} onCursor={move} onZoom={zoom} onUp={up} />
            <FolderList
              parent={tree.node}
              rows={rows}
              size={size}
              sort={sort}
              onSort={(key) => setSort((s) => ({ key, descending: s.key === key ? !s.descending : key !== 'name' }))}
              selected={selected}
              cursor={cursor}
              hasPrevious={hasPrevious}
              onCursor={move}
              onZoom={zoom}
              onUp={up}
            />
          </div>
          <p className="dim disk-keys">
            <kbd>←↑→↓</kbd> move · <kbd>Enter</kbd> open folder · <kbd>Backspace</kbd> up · <kbd>Space</kbd> select · <kbd>Shift</kbd>+move extend · <kbd>Del</kbd> trash · <kbd>Shift+Del</kbd> delete · letters jump in the list
          </p>
          <Legend highlight={highlight} onHighlight={onHighlight} />
        </div>
      )}
    </div>
  );
}
