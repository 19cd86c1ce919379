import type { ContractError } from '@contract/core';
import type { MemorySnapshot } from '@contract/memory';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api';

const MAX_POINTS = 300;

/** The memory stream while the view is open: the latest snapshot and a bounded live window. */
export function useMemoryStream(top: number) {
  const [latest, setLatest] = useState<MemorySnapshot | null>(null);
  const [window, setWindow] = useState<MemorySnapshot[]>([]);
  const [error, setError] = useState<ContractError | null>(null);
  const buf = useRef<MemorySnapshot[]>([]);
  useEffect(() => {
    const stop = api.memory.snapshots(
      { intervalMs: 1000, top },
      (s) => {
        buf.current = [...buf.current.slice(-(MAX_POINTS - 1)), s];
        setLatest(s);
        setWindow(buf.current);
        setError(null);
      },
      setError,
    );
    return stop;
  }, [top]);
  return { latest, window, error };
}
