import type { ScanProgress, ScanSummary } from '@contract/disk';
import { ApiError } from '@contract/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';

export interface ScanState {
  scanId: string | null;
  root: string | null;
  running: boolean;
  progress: ScanProgress | null;
  summary: ScanSummary | null;
  error: unknown;
  /** Bumped whenever the tree changed (scan done, refresh done, items removed): views refetch. */
  version: number;
}

const IDLE: ScanState = { scanId: null, root: null, running: false, progress: null, summary: null, error: null, version: 0 };

/** One scan at a time for the view: start, follow, cancel (keeping partial results) and refresh. */
export function useScan() {
  const [state, setState] = useState<ScanState>(IDLE);
  const stopRef = useRef<(() => void) | null>(null);
  const startedRef = useRef(false);

  const follow = useCallback((scanId: string, root: string | null) => {
    stopRef.current?.();
    setState((s) => ({ ...s, scanId, root: root ?? s.root, running: true, progress: null, error: null }));
    stopRef.current = api.disk.scanProgress(
      { scanId, intervalMs: 200 },
      (e) => {
        if (e.type === 'progress') setState((s) => (s.scanId === scanId ? { ...s, progress: e.progress } : s));
        else if (e.type === 'done') {
          setState((s) => (s.scanId === scanId ? { ...s, running: false, summary: e.summary, root: e.summary.root, progress: e.summary, version: s.version + 1 } : s));
          stopRef.current?.();
          stopRef.current = null;
        } else {
          setState((s) => (s.scanId === scanId ? { ...s, running: false, error: new ApiError(e.code as ApiError['code'], e.message) } : s));
        }
      },
      (err) => setState((s) => (s.scanId === scanId ? { ...s, running: false, error: new ApiError(err.code, err.message) } : s)),
    );
  }, []);

  useEffect(() => () => stopRef.current?.(), []);

  // Reattach to the newest scan held by the service, so leaving the view and coming back keeps it.
  useEffect(() => {
    let live = true;
    api.disk.scans({}).then(
      (list) => {
        if (!live || startedRef.current || list.length === 0) return;
        const last = [...list].sort((a, b) => (b.finishedAt || Infinity) - (a.finishedAt || Infinity))[0];
        follow(last.scanId, last.root);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [follow]);

  const start = useCallback(
    async (root: string, oneFileSystem: boolean, excludes: string[]) => {
      startedRef.current = true;
      setState((s) => ({ ...s, error: null }));
      try {
        const { scanId } = await api.disk.scan({ root, oneFileSystem, excludes });
        setState((s) => ({ ...s, summary: null, root }));
        follow(scanId, root);
      } catch (e) {
        setState((s) => ({ ...s, error: e }));
      }
    },
    [follow],
  );

  const cancel = useCallback(async () => {
    const id = state.scanId;
    if (!id) return;
    try {
      const summary = await api.disk.cancelScan({ scanId: id });
      if (summary) setState((s) => (s.scanId === id ? { ...s, running: false, summary, progress: summary, version: s.version + 1 } : s));
    } catch (e) {
      setState((s) => ({ ...s, error: e }));
    }
  }, [state.scanId]);

  const refresh = useCallback(
    async (nodeId: number) => {
      const id = state.scanId;
      if (!id) return;
      try {
        const { scanId } = await api.disk.refresh({ scanId: id, nodeId });
        follow(scanId, null);
      } catch (e) {
        setState((s) => ({ ...s, error: e }));
      }
    },
    [state.scanId, follow],
  );

  // After items were removed: the tree is fetched again and the totals read again.
  const changed = useCallback(() => {
    setState((s) => ({ ...s, version: s.version + 1 }));
    const id = state.scanId;
    if (!id) return;
    api.disk.scans({}).then(
      (list) => {
        const fresh = list.find((x) => x.scanId === id);
        if (fresh) setState((s) => (s.scanId === id && !s.running ? { ...s, summary: fresh, progress: fresh } : s));
      },
      () => undefined,
    );
  }, [state.scanId]);
  const clearError = useCallback(() => setState((s) => ({ ...s, error: null })), []);

  return { ...state, start, cancel, refresh, changed, clearError };
}

export type ScanApi = ReturnType<typeof useScan>;
