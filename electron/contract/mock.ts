import type { ContractError, Envelope } from './core';
import type { Transport } from './client';

type MockCall = (input: unknown) => unknown;
type MockStream = (params: unknown, emit: (event: unknown) => void) => (() => void) | void;

/**
 * A transport for renderer unit tests: answers the channels it is given, and answers every other
 * channel with UNKNOWN_CHANNEL so a test notices a call it did not expect.
 */
export function mockTransport(handlers: Record<string, MockCall | MockStream>, streams: string[] = []): Transport & {
  calls: { channel: string; input: unknown }[];
} {
  const calls: { channel: string; input: unknown }[] = [];
  const streamSet = new Set(streams);
  return {
    calls,
    async invoke(channel, input): Promise<Envelope<unknown>> {
      calls.push({ channel, input });
      const fn = handlers[channel];
      if (!fn || streamSet.has(channel)) return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: channel } };
      try {
        return { ok: true, value: await (fn as MockCall)(input) };
      } catch (err) {
        const e = err as { code?: ContractError['code']; message?: string };
        return { ok: false, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
      }
    },
    subscribe(channel, params, onEvent, onError) {
      const fn = handlers[channel];
      if (!fn || !streamSet.has(channel)) {
        onError({ code: 'UNKNOWN_CHANNEL', message: channel });
        return () => {};
      }
      const stop = (fn as MockStream)(params, onEvent);
      return () => stop?.();
    },
  };
}
