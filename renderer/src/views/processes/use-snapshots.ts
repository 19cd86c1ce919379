import type { ContractError, ErrorCode } from '@contract/core';
import type { ProcessSnapshot, ProcessTable } from '@contract/processes';
import { startTransition, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { withExited, type DisplayTable } from './rows';

export interface SnapshotState {
  snapshot: ProcessSnapshot | null;
  display: DisplayTable | null;
  error: ContractError | null;
}

/**
 * Errors worth subscribing again for: a subscription refused while the connection was being set
 * up (CONFLICT), or a collector that failed this time. Bad input would fail the same way again.
 */
const RETRY: ReadonlySet<ErrorCode> = new Set(['CONFLICT', 'UNAVAILABLE', 'INTERNAL']);
const RETRY_MS = 1000;

/** The process stream while the view is open, with exited rows kept for one tick. */
export function useSnapshots(intervalMs: number, paused: boolean): SnapshotState {
  const [state, setState] = useState<SnapshotState>({ snapshot: null, display: null, error: null });
  const [attempt, setAttempt] = useState(0);
  const prev = useRef<ProcessTable | null>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    let retry: ReturnType<typeof setTimeout> | undefined;
    const stop = api.processes.snapshots(
      { intervalMs },
      (snapshot) => {
        if (pausedRef.current) return;
        const display = withExited(snapshot.table, prev.current);
        prev.current = snapshot.table;
        // A tick re-renders the visible rows; as a transition React renders it in slices and
        // lets scroll frames through in between, so an update never stalls scrolling.
        startTransition(() => setState({ snapshot, display, error: null }));
      },
      (error) => {
        setState((s) => ({ ...s, error }));
        if (RETRY.has(error.code)) retry = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
      },
    );
    return () => {
      clearTimeout(retry);
      stop();
    };
  }, [intervalMs, attempt]);
  return state;
}
