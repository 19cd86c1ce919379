import type { WebSocket } from 'ws';
import type { Dispatcher } from '../rpc/dispatcher';
import { isClientMessage, type ServerMessage } from '../contract/wire';

const MAX_SUBSCRIPTIONS = 256;
/** Past this much unsent data, events are dropped: a stalled client must not grow our memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Serves one authenticated WebSocket connection: calls and streams through the dispatcher. */
export function serveConnection(ws: WebSocket, dispatcher: Dispatcher, clientId: string): void {
  const abort = new AbortController();
  const ctx = { clientId, signal: abort.signal };
  const subs = new Map<number, () => void>();

  const send = (msg: ServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (msg.t === 'event' && ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
    ws.send(JSON.stringify(msg));
  };

  ws.on('message', async (raw, isBinary) => {
    let msg: unknown;
    try {
      msg = isBinary ? undefined : JSON.parse(raw.toString());
    } catch {
      msg = undefined;
    }
    if (!isClientMessage(msg)) {
      ws.close(1003, 'malformed message');
      return;
    }
    if (msg.t === 'call') {
      send({ t: 'result', id: msg.id, env: await dispatcher.call(msg.ch, msg.input, ctx) });
    } else if (msg.t === 'sub') {
      if (subs.has(msg.id) || subs.size >= MAX_SUBSCRIPTIONS) {
        send({ t: 'end', id: msg.id, error: { code: 'CONFLICT', message: 'subscription id in use or too many subscriptions' } });
        return;
      }
      const id = msg.id;
      subs.set(id, () => {});
      const env = await dispatcher.subscribe(msg.ch, msg.params, (data) => send({ t: 'event', id, data }), ctx);
      if (!env.ok) {
        subs.delete(id);
        send({ t: 'end', id, error: env.error });
      } else if (!subs.has(id) || abort.signal.aborted) {
        env.value(); // unsubscribed while starting
      } else {
        subs.set(id, env.value);
      }
    } else {
      const stop = subs.get(msg.id);
      subs.delete(msg.id);
      stop?.();
    }
  });

  // A protocol error (oversized or invalid frame) arrives here before the socket closes; without a
  // listener it would be thrown and end the whole server. The close handler below cleans up.
  ws.on('error', () => {});

  ws.on('close', () => {
    for (const stop of subs.values()) stop();
    subs.clear();
    abort.abort();
  });
}
