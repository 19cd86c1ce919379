import type {
  CallDef,
  ContractDef,
  DomainDef,
  EventOf,
  ParsedInputOf,
  ParsedParamsOf,
  ResultOf,
  StreamDef,
} from '../contract/core';

/** Who is calling: lets a handler scope resources (terminals, scans) to one connection. */
export interface CallContext {
  /** Stable for one renderer window or one WebSocket connection. */
  clientId: string;
  /** Aborted when the client goes away; long work should stop. */
  signal: AbortSignal;
}

export type Emit<E> = (event: E) => void;
/** Starts a stream; returns the function that stops it. */
export type StreamHandler<S> = (
  params: ParsedParamsOf<S>,
  emit: Emit<EventOf<S>>,
  ctx: CallContext,
) => (() => void) | Promise<() => void>;
export type CallHandler<C> = (input: ParsedInputOf<C>, ctx: CallContext) => Promise<ResultOf<C>> | ResultOf<C>;

export type DomainHandlers<D extends DomainDef> = {
  [K in keyof D]: D[K] extends StreamDef ? StreamHandler<D[K]> : D[K] extends CallDef ? CallHandler<D[K]> : never;
};

export type ContractHandlers<C extends ContractDef> = { [K in keyof C]: DomainHandlers<C[K]> };
