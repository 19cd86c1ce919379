import {
  channelName,
  type CallDef,
  type ContractDef,
  type ContractError,
  type Envelope,
  type EventOf,
  type InputOf,
  type ParamsOf,
  type ResultOf,
  type StreamDef,
} from './core';

/** What carries calls and streams: Electron IPC (through the preload) or the WebSocket. */
export interface Transport {
  invoke(channel: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(
    channel: string,
    params: unknown,
    onEvent: (event: unknown) => void,
    onError: (error: ContractError) => void,
  ): () => void;
}

/** A failed call, with the stable code from the envelope. */
export class ApiError extends Error {
  constructor(
    readonly code: ContractError['code'],
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type ClientMember<D> =
  D extends CallDef
    ? (input: InputOf<D>) => Promise<ResultOf<D>>
    : D extends StreamDef
      ? (params: ParamsOf<D>, onEvent: (event: EventOf<D>) => void, onError?: (error: ContractError) => void) => () => void
      : never;

export type Client<C extends ContractDef> = { [K in keyof C]: { [M in keyof C[K]]: ClientMember<C[K][M]> } };

/** Builds `api.domain.member(...)` from the contract, so no caller ever writes a channel string. */
export function createClient<C extends ContractDef>(contract: C, transport: Transport): Client<C> {
  const client: Record<string, Record<string, unknown>> = {};
  for (const [domain, members] of Object.entries(contract)) {
    const target: Record<string, unknown> = {};
    for (const [member, def] of Object.entries(members)) {
      const channel = channelName(domain, member);
      if (def.kind === 'call') {
        target[member] = async (input: unknown) => {
          const envelope = await transport.invoke(channel, input);
          if (envelope.ok) return envelope.value;
          throw new ApiError(envelope.error.code, envelope.error.message, envelope.error.detail);
        };
      } else {
        target[member] = (params: unknown, onEvent: (e: unknown) => void, onError?: (e: ContractError) => void) =>
          transport.subscribe(channel, params, onEvent, onError ?? ((e) => console.error(`${channel}: ${e.message}`)));
      }
    }
    client[domain] = target;
  }
  return client as Client<C>;
}
