import { listChannels, type ContractDef, type ContractError, type Envelope } from '../contract/core';
import type { Dispatcher } from '../rpc/dispatcher';
import type { CallContext } from '../rpc/handlers';
import { isStreamRequest, type StreamMessage } from './ipc-protocol';

/** The part of a `webContents` the binding uses (the real one satisfies it). */
export interface SenderLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
  /** A reload or a crashed renderer ends the page the streams were for. */
  on(event: 'did-start-loading' | 'render-process-gone', listener: () => void): unknown;
  isDestroyed(): boolean;
}

/** The part of an `IpcMainInvokeEvent` the binding uses. */
export interface InvokeEventLike {
  sender: SenderLike;
  senderFrame: { url: string } | null | undefined;
}

/** The part of `ipcMain` the binding uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface BindOptions {
  /** True only for frames showing our own renderer; every other frame is answered UNAUTHORIZED. */
  isTrustedFrame(url: string): boolean;
  /** Upper bound of live streams per window, so a runaway renderer cannot pin the main side. */
  maxStreamsPerClient?: number;
}

export interface IpcBinding {
  /** Channels registered with ipcMain. */
  channels: string[];
  /** Live streams, all windows together (for tests and the about panel). */
  liveStreams(): number;
  /** Removes every handler and stops every stream. */
  dispose(): void;
}

interface Client {
  ctx: CallContext;
  abort: AbortController;
  streams: Map<number, () => void>;
}

const UNAUTHORIZED: ContractError = { code: 'UNAUTHORIZED', message: 'this frame is not the Vantage app' };

/**
 * Binds every channel the contract declares to ipcMain. Calls answer with the dispatcher's
 * envelope; streams are started and stopped through the same channel and send their events to
 * the window that asked. Each window gets one client id and an AbortSignal that fires when the
 * window goes away, which also stops its streams.
 */
export function bindIpc(ipc: IpcMainLike, contract: ContractDef, dispatcher: Dispatcher, opts: BindOptions): IpcBinding {
  const maxStreams = opts.maxStreamsPerClient ?? 256;
  const clients = new Map<number, Client>();

  const trusted = (event: InvokeEventLike): boolean => {
    const url = event.senderFrame?.url;
    return typeof url === 'string' && opts.isTrustedFrame(url);
  };

  /** Ends a page's session: its streams stop and its signal aborts (terminals close, scans stop). */
  const endClient = (senderId: number) => {
    const client = clients.get(senderId);
    if (!client) return;
    clients.delete(senderId);
    for (const stop of client.streams.values()) stop();
    client.streams.clear();
    client.abort.abort();
  };

  const watched = new WeakSet<SenderLike>();
  let generation = 0;
  const clientOf = (sender: SenderLike): Client => {
    const client = clients.get(sender.id);
    if (client) return client;
    if (!watched.has(sender)) {
      watched.add(sender);
      sender.once('destroyed', () => endClient(sender.id));
      // After a reload the new page numbers its subscriptions from 1 again: the old page's
      // streams must not feed it.
      sender.on('did-start-loading', () => endClient(sender.id));
      sender.on('render-process-gone', () => endClient(sender.id));
    }
    const abort = new AbortController();
    const created: Client = { abort, ctx: { clientId: `wc${sender.id}.${++generation}`, signal: abort.signal }, streams: new Map() };
    clients.set(sender.id, created);
    return created;
  };

  const sendTo = (sender: SenderLike, channel: string, msg: StreamMessage) => {
    if (!sender.isDestroyed()) sender.send(channel, msg);
  };

  const channels: string[] = [];
  for (const info of listChannels(contract)) {
    const channel = info.channel;
    if (!dispatcher.channels.has(channel)) throw new Error(`the dispatcher does not serve ${channel}`);
    channels.push(channel);
    if (info.def.kind === 'call') {
      ipc.handle(channel, async (event, input): Promise<Envelope<unknown>> => {
        if (!trusted(event)) return { ok: false, error: UNAUTHORIZED };
        return dispatcher.call(channel, input, clientOf(event.sender).ctx);
      });
      continue;
    }
    ipc.handle(channel, async (event, request): Promise<Envelope<null>> => {
      if (!trusted(event)) return { ok: false, error: UNAUTHORIZED };
      if (!isStreamRequest(request)) {
        return { ok: false, error: { code: 'INVALID_INPUT', message: `${channel}: expected {op: 'sub'|'unsub', id}` } };
      }
      const sender = event.sender;
      const client = clientOf(sender);
      const id = request.id;
      if (request.op === 'unsub') {
        const stop = client.streams.get(id);
        client.streams.delete(id);
        stop?.();
        return { ok: true, value: null };
      }
      if (client.streams.has(id)) return { ok: false, error: { code: 'CONFLICT', message: `subscription ${id} is already in use` } };
      if (client.streams.size >= maxStreams) {
        return { ok: false, error: { code: 'CONFLICT', message: `too many streams for one window (limit ${maxStreams})` } };
      }
      client.streams.set(id, () => {}); // reserve the id while the stream starts
      const env = await dispatcher.subscribe(channel, request.params, (data) => sendTo(sender, channel, { id, data }), client.ctx);
      if (!env.ok) {
        client.streams.delete(id);
        return env;
      }
      if (!client.streams.has(id) || client.abort.signal.aborted) {
        env.value(); // unsubscribed, or the window closed, while starting
        return { ok: true, value: null };
      }
      client.streams.set(id, env.value);
      return { ok: true, value: null };
    });
  }

  return {
    channels,
    liveStreams: () => [...clients.values()].reduce((n, c) => n + c.streams.size, 0),
    dispose() {
      for (const channel of channels) ipc.removeHandler(channel);
      for (const client of clients.values()) {
        for (const stop of client.streams.values()) stop();
        client.streams.clear();
        client.abort.abort();
      }
      clients.clear();
    },
  };
}
