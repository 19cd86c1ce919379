import { useEffect } from 'react';
import { api } from '../api';
import { useStore } from '.';

let refs = 0;
let stop: (() => void) | null = null;

/**
 * Keeps the system stream running while any view that needs it is mounted; the snapshots
 * accumulate in the store so switching views does not lose the live window.
 */
export function useSystemStream(): void {
  useEffect(() => {
    if (refs++ === 0) {
      const { pushSystemSnapshot, setSystemError } = useStore.getState();
      stop = api.system.snapshots({ intervalMs: 1000 }, pushSystemSnapshot, (e) => setSystemError(`${e.code}: ${e.message}`));
    }
    return () => {
      if (--refs === 0) {
        stop?.();
        stop = null;
      }
    };
  }, []);
}
