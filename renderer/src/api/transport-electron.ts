import type { Transport } from '@contract/client';
import type { VantageBridge } from '@contract/bridge';

declare global {
  interface Window {
    vantage?: VantageBridge;
  }
}

/** Electron: the preload's bridge, which only knows the contract's channels. */
export function createElectronTransport(bridge: VantageBridge): Transport {
  return {
    invoke: (channel, input) => bridge.invoke(channel, input),
    subscribe: (channel, params, onEvent, onError) => bridge.subscribe(channel, params, onEvent, onError),
  };
}
