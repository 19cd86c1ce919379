import type { ContractError } from '../contract/core';

/**
 * How a stream travels over Electron IPC. There are no channel names of its own: a stream's
 * subscribe and unsubscribe go through `ipcRenderer.invoke(<stream channel>, request)`, and its
 * events come back with `webContents.send(<stream channel>, message)`. Subscription ids are chosen
 * by the preload and are scoped to one webContents.
 */
export type StreamRequest = { op: 'sub'; id: number; params: unknown } | { op: 'unsub'; id: number };

export type StreamMessage = { id: number; data: unknown } | { id: number; end: true; error?: ContractError };

export function isStreamRequest(v: unknown): v is StreamRequest {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  if (typeof r.id !== 'number' || !Number.isSafeInteger(r.id) || r.id < 0) return false;
  return r.op === 'sub' || r.op === 'unsub';
}
