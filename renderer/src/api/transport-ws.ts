import type { ContractError, Envelope } from '@contract/core';
import type { Transport } from '@contract/client';
import type { ClientMessage, ServerMessage } from '@contract/wire';

interface Pending {
  resolve: (env: Envelope<unknown>) => void;
}
interface Sub {
  channel: string;
  params: unknown;
  onEvent: (e: unknown) => void;
  onError: (e: ContractError) => void;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * Browser mode: one WebSocket carries every call and stream. It reconnects with backoff and
 * re-subscribes live streams, so a restarted agent does not leave the views frozen.
 */
export function createWsTransport(url: string, onState?: (s: ConnectionState) => void): Transport {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let backoff = 250;
  const pending = new Map<number, Pending>();
  const subs = new Map<number, Sub>();
  const queue: ClientMessage[] = [];

  const isOpen = () => ws !== null && ws.readyState === WebSocket.OPEN;
  const send = (msg: ClientMessage) => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    else queue.push(msg);
  };

  const connect = () => {
    onState?.('connecting');
    ws = new WebSocket(url);
    ws.onopen = () => {
      backoff = 250;
      onState?.('open');
      for (const [id, s] of subs) send({ t: 'sub', id, ch: s.channel, params: s.params });
      for (const msg of queue.splice(0)) send(msg);
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as ServerMessage;
      if (msg.t === 'result') {
        pending.get(msg.id)?.resolve(msg.env);
        pending.delete(msg.id);
      } else if (msg.t === 'event') {
        subs.get(msg.id)?.onEvent(msg.data);
      } else if (msg.t === 'end') {
        const s = subs.get(msg.id);
        subs.delete(msg.id);
        if (s && msg.error) s.onError(msg.error);
      }
    };
    ws.onclose = () => {
      onState?.('closed');
      for (const [id, p] of pending) {
        p.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'connection to Vantage lost' } });
        pending.delete(id);
      }
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  };
  connect();

  return {
    invoke(channel, input) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, { resolve });
        send({ t: 'call', id, ch: channel, input });
      });
    },
    subscribe(channel, params, onEvent, onError) {
      const id = nextId++;
      subs.set(id, { channel, params, onEvent, onError });
      // Subscriptions are never queued: onopen (re)sends every live one, so a queued copy would
      // reach the server twice and the second would end the stream with CONFLICT.
      if (isOpen()) send({ t: 'sub', id, ch: channel, params });
      return () => {
        if (subs.delete(id) && isOpen()) send({ t: 'unsub', id });
      };
    },
  };
}
