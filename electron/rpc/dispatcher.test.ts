import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { call, stream } from '../contract/core';
import { ServiceError } from '../contract/errors';
import { createDispatcher } from './dispatcher';

const demo = {
  math: {
    add: call<number>()(z.object({ a: z.number().int().min(0).max(100), b: z.number().default(1) }).strict(), 'adds'),
    fail: call<void>()(z.object({ how: z.enum(['service', 'errno', 'plain', 'string']) }), 'fails'),
    ticks: stream<number>()(z.object({ n: z.number().int().min(1).max(5) }), 'counts'),
  },
};

const ctx = { clientId: 'c1', signal: new AbortController().signal };

const dispatcher = createDispatcher(demo, {
  math: {
    add: ({ a, b }) => a + b,
    fail: ({ how }) => {
      if (how === 'service') throw new ServiceError('NEEDS_PRIVILEGE', 'ask the helper', { verb: 'capture' });
      if (how === 'errno') throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
      if (how === 'string') throw 'just a string';
      throw new Error('boom');
    },
    ticks: ({ n }, emit) => {
      for (let i = 0; i < n; i++) emit(i);
      return () => emit(-1);
    },
  },
});

describe('dispatcher', () => {
  it('knows the contract channels and which are streams', () => {
    expect([...dispatcher.channels].sort()).toEqual(['math.add', 'math.fail', 'math.ticks']);
    expect(dispatcher.isStream('math.ticks')).toBe(true);
    expect(dispatcher.isStream('math.add')).toBe(false);
  });

  it('validates input, applies defaults, and wraps the result in an ok envelope', async () => {
    expect(await dispatcher.call('math.add', { a: 2 }, ctx)).toEqual({ ok: true, value: 3 });
    expect(await dispatcher.call('math.add', { a: 2, b: 5 }, ctx)).toEqual({ ok: true, value: 7 });
  });

  it('answers bad input with INVALID_INPUT naming the field, before the handler runs', async () => {
    const r = await dispatcher.call('math.add', { a: 101 }, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_INPUT');
      expect(r.error.message).toMatch(/^a: /);
    }
    for (const bad of [undefined, null, 'x', { a: 1, extra: true }, { a: 1.5 }]) {
      expect(await dispatcher.call('math.add', bad, ctx)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
  });

  it('maps thrown errors to stable codes', async () => {
    expect(await dispatcher.call('math.fail', { how: 'service' }, ctx)).toEqual({
      ok: false,
      error: { code: 'NEEDS_PRIVILEGE', message: 'ask the helper', detail: { verb: 'capture' } },
    });
    expect(await dispatcher.call('math.fail', { how: 'errno' }, ctx)).toEqual({ ok: false, error: { code: 'ESRCH', message: 'kill ESRCH' } });
    expect(await dispatcher.call('math.fail', { how: 'plain' }, ctx)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    expect(await dispatcher.call('math.fail', { how: 'string' }, ctx)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'just a string' } });
  });

  it('refuses unknown channels and the wrong kind with UNKNOWN_CHANNEL', async () => {
    expect(await dispatcher.call('math.nope', {}, ctx)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await dispatcher.call('math.ticks', { n: 1 }, ctx)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await dispatcher.subscribe('math.add', { a: 1 }, () => {}, ctx)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await dispatcher.call('__proto__.constructor', {}, ctx)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('starts streams with validated params and hands back the stop function', async () => {
    const seen: number[] = [];
    const env = await dispatcher.subscribe('math.ticks', { n: 3 }, (e) => seen.push(e as number), ctx);
    expect(env.ok).toBe(true);
    if (env.ok) env.value();
    expect(seen).toEqual([0, 1, 2, -1]);
    expect(await dispatcher.subscribe('math.ticks', { n: 9 }, () => {}, ctx)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('refuses to build when a contract member has no handler', () => {
    expect(() => createDispatcher(demo, { math: { add: () => 1 } } as never)).toThrow(/no handler for math.fail/);
  });
});
