import { ApiError } from '@contract/client';
import { parseProcessFilter, type FilterError } from '@contract/process-filter';
import type { ControlResult, PrivilegeStatus, ProcessDetails, ProcessTable, SignalInfo } from '@contract/processes';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ViewHeader } from '../../components/ViewHeader';
import { ActiveDialog, type Dialog } from './ActiveDialog';
import { ColumnMenu } from './ColumnMenu';
import { COLUMN_BY_ID, commandParts, loadColumns, saveColumns, toggleColumn, type ColumnId } from './columns';
import { DetailsPane, type ControlKind, type TabId } from './DetailsPane';
import { FilterBox } from './FilterBox';
import { LaunchedPanel } from './LaunchedPanel';
import { ProcessGrid, type GridHandle } from './ProcessGrid';
import { joinCommandLine } from './argv';
import { buildRows, findSelection } from './rows';
import type { RunRequest } from './RunDialog';
import { pushLive, type LiveSamples } from './series';
import type { Target } from './SignalMenu';
import { loadSort, nextSort, saveSort, type SortSpec } from './sort';
import { processKey } from './tree';
import { useCursorTrend } from './use-cursor-trend';
import { useSnapshots } from './use-snapshots';
import './processes.css';

type Outcome = { kind: 'ok'; text: string } | { kind: 'error'; error: unknown };

function commandOf(t: ProcessTable, i: number): string {
  const p = commandParts(t, i);
  const line = p.args ? `${p.name} ${p.args}` : p.name;
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function isTyping(el: EventTarget | null): boolean {
  return el instanceof HTMLElement && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export default function ProcessesView() {
  const [columns, setColumns] = useState<ColumnId[]>(() => loadColumns(window.localStorage));
  const [sort, setSort] = useState<SortSpec>(() => loadSort(window.localStorage));
  const [tree, setTree] = useState(false);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [filterText, setFilterText] = useState('');
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [open, setOpen] = useState<{ pid: number; startTicks: number } | null>(null);
  const [pane, setPane] = useState<'details' | 'launched' | null>(null);
  const [tab, setTab] = useState<TabId>('overview');
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [privilege, setPrivilege] = useState<PrivilegeStatus | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [launchFocus, setLaunchFocus] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const [paneHeight, setPaneHeight] = useState(() => Math.round(window.innerHeight * 0.42));
  const lastIndex = useRef(0);
  const grid = useRef<GridHandle>(null);
  const filterInput = useRef<HTMLInputElement>(null);

  const { snapshot, display, error: streamError } = useSnapshots(1000, paused);

  // The open process's CPU and RSS from each tick, for its sparklines after what history holds.
  const [live, setLive] = useState<LiveSamples>({ ts: [], cpu: [], rss: [] });
  useEffect(() => setLive({ ts: [], cpu: [], rss: [] }), [open]);
  useEffect(() => {
    if (!open || !display) return;
    const t = display.table;
    for (let i = 0; i < display.live; i++) {
      if (t.pid[i] === open.pid && t.startTicks[i] === open.startTicks) {
        setLive((s) => pushLive(s, t.ts, t.cpuPercent[i], t.rssBytes[i]));
        return;
      }
    }
  }, [display, open]);

  // A half-typed filter keeps the last good one applied, with the error shown in place.
  const lastGood = useRef<((t: ProcessTable, i: number) => boolean) | null>(null);
  const { match, filterError } = useMemo((): { match: ((t: ProcessTable, i: number) => boolean) | null; filterError: FilterError | null } => {
    if (!filterText.trim()) {
      lastGood.current = null;
      return { match: null, filterError: null };
    }
    const f = parseProcessFilter(filterText);
    if (f.ok) {
      lastGood.current = f.match;
      return { match: f.match, filterError: null };
    }
    return { match: lastGood.current, filterError: f.error };
  }, [filterText]);

  const rows = useMemo(() => (display ? buildRows({ display, sort, match, tree, collapsed }) : null), [display, sort, match, tree, collapsed]);
  const selected = rows && display ? findSelection(display.table, rows.order, selectedKey, lastIndex.current) : -1;
  if (selected >= 0) lastIndex.current = selected;
  const cursorTrend = useCursorTrend(display, rows, selected);

  const selectIndex = useCallback(
    (k: number) => {
      if (!rows || !display || rows.order.length === 0) return;
      const c = Math.max(0, Math.min(rows.order.length - 1, k));
      lastIndex.current = c;
      setSelectedKey(processKey(display.table, rows.order[c]));
      grid.current?.scrollToRow(c);
    },
    [rows, display],
  );

  const targetAt = useCallback(
    (k: number): Target | null => {
      if (!rows || !display || k < 0 || k >= rows.order.length) return null;
      const t = display.table;
      const i = rows.order[k];
      if (i >= display.live) return null;
      return { pid: t.pid[i], startTicks: t.startTicks[i], command: commandOf(t, i), nice: t.nice[i] };
    },
    [rows, display],
  );

  const openDetails = useCallback(
    (k: number) => {
      const target = targetAt(k);
      if (!target) return;
      setOpen({ pid: target.pid, startTicks: target.startTicks });
      setPane('details');
    },
    [targetAt],
  );

  const openPid = useCallback(
    (pid: number) => {
      if (!display) return;
      const t = display.table;
      const i = t.pid.indexOf(pid);
      if (i < 0 || i >= display.live) {
        setOutcome({ kind: 'error', error: new ApiError('ESRCH', `process ${pid} is not running`) });
        return;
      }
      setOpen({ pid, startTicks: t.startTicks[i] });
      setPane('details');
      setSelectedKey(processKey(t, i));
      const k = rows ? Array.prototype.indexOf.call(rows.order, i) : -1;
      if (k >= 0) grid.current?.scrollToRow(k);
    },
    [display, rows],
  );

  const control = useCallback(async (action: () => Promise<ControlResult>) => {
    setDialog(null);
    try {
      const r = await action();
      setOutcome({ kind: 'ok', text: `${r.pid}: ${r.done}${r.via === 'helper' ? ' (through vantage-helper)' : ''}` });
      setPrivilege(null);
      setRefresh((n) => n + 1);
    } catch (err) {
      setOutcome({ kind: 'error', error: err });
      if (err instanceof ApiError && err.code === 'NEEDS_PRIVILEGE') api.processes.privilege({}).then(setPrivilege, () => setPrivilege(null));
    }
    grid.current?.focus();
  }, []);

  const sendSignal = (target: Target, s: SignalInfo) => control(() => api.processes.signal({ pid: target.pid, signal: s.name, startTicks: target.startTicks }));

  const renice = useCallback(
    (target: Target, nice: number) => {
      const n = Math.max(-20, Math.min(19, nice));
      if (n === target.nice) {
        setOutcome({ kind: 'ok', text: `${target.pid}: nice is already ${n} (the range is −20 … 19)` });
        return;
      }
      void control(() => api.processes.renice({ pid: target.pid, nice: n }));
    },
    [control],
  );

  const openControl = useCallback(
    (kind: ControlKind, details: ProcessDetails) => {
      const t = display?.table;
      const i = t ? t.pid.indexOf(details.pid) : -1;
      const command = t && i >= 0 ? commandOf(t, i) : details.argv.join(' ') || details.comm;
      const target: Target = { pid: details.pid, startTicks: details.startTicks, command, nice: details.nice };
      if (kind === 'signal' || kind === 'renice') setDialog({ kind, target });
      else setDialog({ kind, target, details });
    },
    [display],
  );

  const onSort = useCallback(
    (id: ColumnId) =>
      setSort((s) => {
        const n = nextSort(s, COLUMN_BY_ID[id]);
        saveSort(window.localStorage, n);
        return n;
      }),
    [],
  );
  const onGridKey = useCallback(
    (e: ReactKeyboardEvent<HTMLDivElement>) => {
      if (!rows) return;
      const page = grid.current?.pageRows() ?? 20;
      const k = selected < 0 ? 0 : selected;
      const target = targetAt(k);
      let handled = true;
      switch (e.key) {
        case 'ArrowDown':
          selectIndex(selected < 0 ? 0 : k + 1);
          break;
        case 'ArrowUp':
          selectIndex(k - 1);
          break;
        case 'PageDown':
          selectIndex(k + page);
          break;
        case 'PageUp':
          selectIndex(k - page);
          break;
        case 'Home':
          selectIndex(0);
          break;
        case 'End':
          selectIndex(rows.order.length - 1);
          break;
        case 'Enter':
          openDetails(k);
          break;
        case 'k':
        case 'Delete':
          if (target) setDialog({ kind: 'signal', target });
          break;
        case '+':
        case '=':
          if (target) renice(target, target.nice + 1);
          break;
        case '-':
          if (target) renice(target, target.nice - 1);
          break;
        case '<':
        case '>': {
          // Sort by the previous / next visible column, as htop's < and >.
          const at = columns.indexOf(sort.column.id);
          const next = columns[(at + (e.key === '>' ? 1 : columns.length - 1)) % columns.length];
          onSort(next);
          break;
        }
        case 'i':
          onSort(sort.column.id);
          break;
        case 'ArrowRight':
        case 'ArrowLeft': {
          if (!tree || !display) {
            handled = false;
            break;
          }
          const i = rows.order[k];
          const key = processKey(display.table, i);
          const isOpen = rows.hasChildren?.[k] === 1 && !collapsed.has(key);
          if (e.key === 'ArrowRight') {
            if (collapsed.has(key)) setCollapsed((s) => new Set([...s].filter((x) => x !== key)));
            else if (isOpen) selectIndex(k + 1);
          } else if (isOpen) {
            setCollapsed((s) => new Set(s).add(key));
          } else {
            // On a leaf or a folded row, ← goes to the parent row.
            const d = rows.depth?.[k] ?? 0;
            for (let p = k - 1; p >= 0; p--) {
              if ((rows.depth?.[p] ?? 0) < d) {
                selectIndex(p);
                break;
              }
            }
          }
          break;
        }
        default:
          handled = false;
      }
      if (handled) {
        e.preventDefault();
        e.stopPropagation();
      }
    },
    [rows, selected, targetAt, selectIndex, openDetails, renice, tree, display, collapsed, columns, sort, onSort],
  );

  // View-wide keys, wherever focus is (except while typing or in a dialog).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Escape') {
        if (isTyping(e.target)) return;
        if (pane) {
          setPane(null);
          grid.current?.focus();
          e.preventDefault();
        } else if (outcome) setOutcome(null);
        return;
      }
      if (isTyping(e.target)) return;
      if (e.key === '/') {
        e.preventDefault();
        filterInput.current?.focus();
        filterInput.current?.select();
      } else if (e.key === 't') {
        setTree((x) => !x);
      } else if (e.key === 'r') {
        e.preventDefault();
        setDialog({ kind: 'run' });
      } else if (e.key === 'l') {
        setPane((p) => (p === 'launched' ? null : 'launched'));
      } else if (e.key === ' ' && !(e.target instanceof HTMLButtonElement)) {
        e.preventDefault();
        setPaused((p) => !p);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialog, pane, outcome]);

  useEffect(() => grid.current?.focus(), [display === null]); // eslint-disable-line react-hooks/exhaustive-deps -- focus once the table first appears

  const onToggle = useCallback(
    (k: number) => {
      if (!rows || !display) return;
      const key = processKey(display.table, rows.order[k]);
      setCollapsed((s) => {
        const n = new Set(s);
        if (n.has(key)) n.delete(key);
        else n.add(key);
        return n;
      });
    },
    [rows, display],
  );

  /** Errors go back to the dialog, which stays open so the command can be corrected. */
  const run = async (req: RunRequest, where: 'detached' | 'terminal') => {
    if (where === 'detached') {
      const p = await api.processes.launch(req);
      setDialog(null);
      setOutcome({ kind: 'ok', text: `started ${p.pid}: ${joinCommandLine(req.argv)}` });
      setLaunchFocus(p.id);
      setPane('launched');
    } else {
      // A terminal has no nice option: `nice` is a program, so it runs the command (still no shell).
      const command = req.nice === undefined ? req.argv : ['nice', '-n', String(req.nice), ...req.argv];
      await api.terminal.open({ cols: 100, rows: 30, command, cwd: req.cwd, env: req.env, title: req.argv[0] });
      setDialog(null);
      window.location.hash = '#/terminal';
    }
  };

  const startDrag = (e: ReactPointerEvent<HTMLDivElement>) => {
    const startY = e.clientY;
    const startH = paneHeight;
    const move = (ev: PointerEvent) => setPaneHeight(Math.max(140, Math.min(window.innerHeight - 220, startH - (ev.clientY - startY))));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const selTarget = targetAt(selected);
  return (
    <>
      <ViewHeader title="Processes">
        {snapshot && (
          <span className="dim proc-cost" title={snapshot.reader.kind === 'fallback' ? `TypeScript reader: ${snapshot.reader.reason}` : 'native /proc batch reader'}>
            {paused ? 'paused (Space)' : `read in ${snapshot.readMs.toFixed(1)} ms`}
            {snapshot.reader.kind === 'fallback' ? ' · fallback reader' : ''}
          </span>
        )}
        <button aria-pressed={tree} onClick={() => setTree((x) => !x)} title="Tree of parents and children (t)">
          {tree ? '▾ Tree' : '≡ List'}
        </button>
        <ColumnMenu
          columns={columns}
          onToggle={(id) =>
            setColumns((c) => {
              const n = toggleColumn(c, id);
              saveColumns(window.localStorage, n);
              return n;
            })
          }
        />
        <button onClick={() => setPane((p) => (p === 'launched' ? null : 'launched'))} title="Commands started from Vantage (l)">
          Launched
        </button>
        <button className="primary" onClick={() => setDialog({ kind: 'run' })} title="Run a command (r)">
          Run…
        </button>
      </ViewHeader>
      <div className="view-body proc-view">
        <div className="proc-toolbar">
          <FilterBox
            ref={filterInput}
            value={filterText}
            error={filterError}
            matched={rows?.matched ?? 0}
            total={rows?.total ?? 0}
            onChange={setFilterText}
            onLeave={() => {
              grid.current?.focus();
              if (selected < 0) selectIndex(0);
            }}
          />
          <span className="dim proc-keys">↑↓ move · Enter details · k signal · +/− nice · &lt; &gt; i sort · t tree · / filter · r run · Space pause</span>
        </div>
        {streamError && <ErrorBanner error={new ApiError(streamError.code, streamError.message)} />}
        {outcome?.kind === 'ok' && (
          <div className="proc-outcome" role="status" data-testid="proc-outcome">
            ✓ {outcome.text}
            <button className="linkish dim" onClick={() => setOutcome(null)} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {outcome?.kind === 'error' && <ErrorBanner error={outcome.error} onDismiss={() => { setOutcome(null); setPrivilege(null); }} />}
        {privilege && outcome?.kind === 'error' && (
          // The error says what to install; this line says what this machine has now.
          <div className="banner proc-privilege" data-testid="proc-privilege">
            <strong>Privilege path here:</strong> {privilege.mode === 'none' ? 'none' : privilege.mode}
            {' · '}pkexec: <span className="mono">{privilege.pkexecPath ?? 'not installed'}</span>
            {' · '}vantage-helper: <span className="mono">{privilege.helperPath ?? 'not found'}</span>
            {' · '}polkit policy: {privilege.policyInstalled ? 'installed' : 'not installed'}
            {privilege.mode !== 'none' && <span className="dim"> — {privilege.explanation}</span>}
          </div>
        )}
        <div className="proc-split" style={{ gridTemplateRows: pane ? `minmax(120px, 1fr) 6px ${paneHeight}px` : '1fr' }}>
          {display && rows ? (
            <ProcessGrid
              ref={grid}
              display={display}
              rows={rows}
              columns={columns}
              sort={sort}
              selected={selected}
              trend={cursorTrend}
              tree={tree}
              collapsed={collapsed}
              onSort={onSort}
              onSelect={selectIndex}
              onOpen={openDetails}
              onToggle={onToggle}
              onKeyDown={onGridKey}
            />
          ) : (
            <div className="proc-grid dim proc-empty">{streamError ? 'No process data.' : 'Reading /proc…'}</div>
          )}
          {pane && <div className="proc-resizer" role="separator" aria-orientation="horizontal" aria-label="Resize details" onPointerDown={startDrag} />}
          {pane === 'details' && open && (
            <DetailsPane
              key={`${open.pid}:${open.startTicks}`}
              pid={open.pid}
              startTicks={open.startTicks}
              refresh={refresh}
              live={live}
              tab={tab}
              onTab={setTab}
              onOpenPid={openPid}
              onControl={openControl}
              onEditLimit={(row, d) => setDialog({ kind: 'rlimit', row, target: { pid: d.pid, startTicks: d.startTicks, command: d.argv.join(' ') || d.comm, nice: d.nice } })}
              onClose={() => {
                setPane(null);
                grid.current?.focus();
              }}
            />
          )}
          {pane === 'launched' && <LaunchedPanel focusId={launchFocus} onOpenPid={openPid} onClose={() => setPane(null)} />}
        </div>
      </div>
      {dialog && (
        <ActiveDialog
          dialog={dialog}
          cpuCount={snapshot?.cpuCount ?? navigator.hardwareConcurrency ?? 1}
          onChange={setDialog}
          onControl={control}
          onRenice={renice}
          onSignal={sendSignal}
          onRun={run}
          onClose={() => {
            setDialog(null);
            grid.current?.focus();
          }}
        />
      )}
      {selTarget && <span hidden data-testid="proc-selected" data-pid={selTarget.pid} />}
    </>
  );
}
