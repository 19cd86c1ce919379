import { create } from 'zustand';
import { subscribeWithSelector } from 'zustand/middleware';
import { createSystemSlice, type SystemSlice } from './system';

/** One store of slices; components select narrowly. Each domain adds its slice here. */
export type StoreState = SystemSlice;

export const useStore = create<StoreState>()(
  subscribeWithSelector((...a) => ({
    ...createSystemSlice(...a),
  })),
);
