import { listChannels, describeZodError, type ContractDef, type Envelope } from '../contract/core';
import { toContractError } from '../contract/errors';
import type { CallContext, ContractHandlers } from './handlers';

type AnyCall = (input: unknown, ctx: CallContext) => unknown;
type AnyStream = (params: unknown, emit: (e: unknown) => void, ctx: CallContext) => (() => void) | Promise<() => void>;

export interface Dispatcher {
  channels: ReadonlySet<string>;
  isStream(channel: string): boolean;
  call(channel: string, rawInput: unknown, ctx: CallContext): Promise<Envelope<unknown>>;
  /** Validates and starts a stream. On success the value is the function that stops it. */
  subscribe(
    channel: string,
    rawParams: unknown,
    emit: (event: unknown) => void,
    ctx: CallContext,
  ): Promise<Envelope<() => void>>;
}

/**
 * The one router both transports (Electron IPC and the WebSocket) go through: every input is
 * validated against the contract's schema here, before any service sees it, and every outcome
 * leaves as an envelope.
 */
export function createDispatcher<C extends ContractDef>(contract: C, handlers: ContractHandlers<C>): Dispatcher {
  const table = new Map<string, { kind: 'call' | 'stream'; schema: import('zod').ZodType; fn: AnyCall | AnyStream }>();
  for (const info of listChannels(contract)) {
    const domainHandlers = (handlers as Record<string, Record<string, unknown>>)[info.domain];
    const fn = domainHandlers?.[info.member];
    if (typeof fn !== 'function') throw new Error(`no handler for ${info.channel}`);
    const schema = info.def.kind === 'call' ? info.def.input : info.def.params;
    table.set(info.channel, { kind: info.def.kind, schema, fn: fn as AnyCall });
  }

  function lookup(channel: string, kind: 'call' | 'stream') {
    const entry = table.get(channel);
    if (!entry || entry.kind !== kind) return undefined;
    return entry;
  }

  return {
    channels: new Set(table.keys()),
    isStream: (channel) => table.get(channel)?.kind === 'stream',
    async call(channel, rawInput, ctx) {
      const entry = lookup(channel, 'call');
      if (!entry) return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `no call named '${channel}'` } };
      const parsed = entry.schema.safeParse(rawInput);
      if (!parsed.success) {
        return { ok: false, error: { code: 'INVALID_INPUT', message: describeZodError(parsed.error) } };
      }
      try {
        const value = await (entry.fn as AnyCall)(parsed.data, ctx);
        return { ok: true, value };
      } catch (err) {
        return { ok: false, error: toContractError(err) };
      }
    },
    async subscribe(channel, rawParams, emit, ctx) {
      const entry = lookup(channel, 'stream');
      if (!entry) return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `no stream named '${channel}'` } };
      const parsed = entry.schema.safeParse(rawParams);
      if (!parsed.success) {
        return { ok: false, error: { code: 'INVALID_INPUT', message: describeZodError(parsed.error) } };
      }
      try {
        const stop = await (entry.fn as AnyStream)(parsed.data, emit, ctx);
        return { ok: true, value: stop };
      } catch (err) {
        return { ok: false, error: toContractError(err) };
      }
    },
  };
}
