import type { ContractError, Envelope } from '../contract/core';

/**
 * The WebSocket protocol: JSON text frames. A call is answered once; a subscription gets events
 * until either side ends it. Shared by the server router and the browser transport.
 */
export type ClientMessage =
  | { t: 'call'; id: number; ch: string; input: unknown }
  | { t: 'sub'; id: number; ch: string; params: unknown }
  | { t: 'unsub'; id: number };

export type ServerMessage =
  | { t: 'result'; id: number; env: Envelope<unknown> }
  | { t: 'event'; id: number; data: unknown }
  | { t: 'end'; id: number; error?: ContractError };

export function isClientMessage(v: unknown): v is ClientMessage {
  if (!v || typeof v !== 'object') return false;
  const m = v as Record<string, unknown>;
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return false;
  if (m.t === 'unsub') return true;
  return (m.t === 'call' || m.t === 'sub') && typeof m.ch === 'string';
}
