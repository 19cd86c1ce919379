import type { SystemSnapshot } from '@contract/system';
import type { StateCreator } from 'zustand';

/** Five minutes at 1 Hz. */
export const LIVE_WINDOW = 300;

export interface SystemSlice {
  system: {
    snapshots: SystemSnapshot[];
    latest: SystemSnapshot | null;
    error: string | null;
  };
  pushSystemSnapshot(s: SystemSnapshot): void;
  setSystemError(message: string | null): void;
}

export const createSystemSlice: StateCreator<SystemSlice, [['zustand/subscribeWithSelector', never]], [], SystemSlice> = (set) => ({
  system: { snapshots: [], latest: null, error: null },
  pushSystemSnapshot: (s) =>
    set((state) => {
      const prev = state.system.snapshots;
      const snapshots = prev.length >= LIVE_WINDOW ? [...prev.slice(prev.length - LIVE_WINDOW + 1), s] : [...prev, s];
      return { system: { snapshots, latest: s, error: null } };
    }),
  setSystemError: (message) => set((state) => ({ system: { ...state.system, error: message } })),
});
