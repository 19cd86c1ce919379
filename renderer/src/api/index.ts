import { createClient, type Client } from '@contract/client';
import { contract, type Contract } from '@contract/index';
import { useSyncExternalStore } from 'react';
import { createElectronTransport } from './transport-electron';
import { createWsTransport, type ConnectionState } from './transport-ws';

let state: ConnectionState = 'connecting';
const stateListeners = new Set<() => void>();
function setState(s: ConnectionState) {
  state = s;
  for (const l of stateListeners) l();
}

function makeTransport() {
  if (typeof window !== 'undefined' && window.vantage) {
    setState('open');
    return createElectronTransport(window.vantage);
  }
  const token = new URLSearchParams(window.location.search).get('token') ?? sessionStorage.getItem('vantage.token') ?? '';
  // Keep the token for reloads but take it out of the address bar and history.
  if (token) {
    sessionStorage.setItem('vantage.token', token);
    const clean = new URL(window.location.href);
    clean.searchParams.delete('token');
    window.history.replaceState(null, '', clean.toString());
  }
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWsTransport(`${proto}//${window.location.host}/ws?token=${encodeURIComponent(token)}`, setState);
}

/** The typed client every view uses: `api.processes.signal({...})`. */
export const api: Client<Contract> = createClient(contract, makeTransport());

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(
    (cb) => {
      stateListeners.add(cb);
      return () => stateListeners.delete(cb);
    },
    () => state,
  );
}
