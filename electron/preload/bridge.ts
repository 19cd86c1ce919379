import type { VantageBridge } from '../contract/bridge';
import type { ChannelInfo, ContractError, Envelope } from '../contract/core';
import type { StreamMessage, StreamRequest } from '../main/ipc-protocol';

/** The part of `ipcRenderer` the bridge uses. It is never handed to the page. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

interface Sub {
  onEvent: (event: unknown) => void;
  onError: (error: ContractError) => void;
}

const failure = (code: ContractError['code'], message: string): Envelope<never> => ({ ok: false, error: { code, message } });

function isEnvelope(v: unknown): v is Envelope<unknown> {
  return !!v && typeof v === 'object' && typeof (v as { ok?: unknown }).ok === 'boolean';
}

/**
 * What the preload exposes as `window.vantage`: invoke and subscribe, limited to the contract's
 * channels (calls may only be invoked, streams only subscribed). Any other channel is refused here,
 * before it reaches IPC.
 */
export function createBridge(ipc: IpcRendererLike, channels: Pick<ChannelInfo, 'channel' | 'def'>[]): VantageBridge {
  const calls = new Set(channels.filter((c) => c.def.kind === 'call').map((c) => c.channel));
  const streams = new Set(channels.filter((c) => c.def.kind === 'stream').map((c) => c.channel));
  const subs = new Map<string, Map<number, Sub>>();
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  let nextId = 1;

  const listen = (channel: string) => {
    if (listeners.has(channel)) return;
    const listener = (_event: unknown, raw: unknown) => {
      const msg = raw as StreamMessage;
      if (!msg || typeof msg !== 'object' || typeof msg.id !== 'number') return;
      const sub = subs.get(channel)?.get(msg.id);
      if (!sub) return;
      if ('end' in msg) {
        subs.get(channel)?.delete(msg.id);
        if (msg.error) sub.onError(msg.error);
      } else {
        sub.onEvent(msg.data);
      }
    };
    listeners.set(channel, listener);
    ipc.on(channel, listener);
  };

  const unlistenIfIdle = (channel: string) => {
    const listener = listeners.get(channel);
    if (listener && !subs.get(channel)?.size) {
      ipc.removeListener(channel, listener);
      listeners.delete(channel);
    }
  };

  const request = async (channel: string, req: StreamRequest): Promise<Envelope<unknown>> => {
    try {
      const env = await ipc.invoke(channel, req);
      return isEnvelope(env) ? env : failure('INTERNAL', `${channel}: malformed answer`);
    } catch (err) {
      return failure('INTERNAL', `${channel}: ${(err as Error)?.message ?? String(err)}`);
    }
  };

  return {
    async invoke(channel, input) {
      if (typeof channel !== 'string' || !calls.has(channel)) return failure('UNKNOWN_CHANNEL', `no call named '${String(channel)}'`);
      try {
        const env = await ipc.invoke(channel, input);
        return isEnvelope(env) ? env : failure('INTERNAL', `${channel}: malformed answer`);
      } catch (err) {
        return failure('INTERNAL', `${channel}: ${(err as Error)?.message ?? String(err)}`);
      }
    },
    subscribe(channel, params, onEvent, onError) {
      if (typeof channel !== 'string' || !streams.has(channel)) {
        onError({ code: 'UNKNOWN_CHANNEL', message: `no stream named '${String(channel)}'` });
        return () => {};
      }
      const id = nextId++;
      let bucket = subs.get(channel);
      if (!bucket) subs.set(channel, (bucket = new Map()));
      bucket.set(id, { onEvent, onError });
      listen(channel);
      void request(channel, { op: 'sub', id, params }).then((env) => {
        if (!env.ok && subs.get(channel)?.delete(id)) {
          unlistenIfIdle(channel);
          onError(env.error);
        }
      });
      return () => {
        if (!subs.get(channel)?.delete(id)) return;
        unlistenIfIdle(channel);
        void request(channel, { op: 'unsub', id });
      };
    },
  };
}
