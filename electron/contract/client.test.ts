import { describe, expect, it } from 'vitest';
import { ApiError, createClient } from './client';
import { contract } from './index';
import { mockTransport } from './mock';

describe('renderer client over mockTransport', () => {
  it('calls through the contract channel and returns the value', async () => {
    const t = mockTransport({ 'history.series': (input: unknown) => ['cpu.total', JSON.stringify(input)] });
    const api = createClient(contract, t);
    expect(await api.history.series({ prefix: 'cpu' })).toEqual(['cpu.total', '{"prefix":"cpu"}']);
    expect(t.calls).toEqual([{ channel: 'history.series', input: { prefix: 'cpu' } }]);
  });

  it('turns an error envelope into an ApiError carrying the stable code', async () => {
    const t = mockTransport({
      'history.query': () => {
        throw Object.assign(new Error('series: too short'), { code: 'INVALID_INPUT' });
      },
    });
    const api = createClient(contract, t);
    const err = await api.history.query({ series: [], range: '1h' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: 'series: too short' });
    // A channel the test did not provide answers UNKNOWN_CHANNEL.
    await expect(api.system.info({})).rejects.toMatchObject({ code: 'UNKNOWN_CHANNEL' });
  });

  it('delivers stream events and stops them', () => {
    const stopped: string[] = [];
    const t = mockTransport(
      {
        'system.snapshots': (params, emit) => {
          emit({ n: 1, params });
          return () => stopped.push('system.snapshots');
        },
      },
      ['system.snapshots'],
    );
    const api = createClient(contract, t);
    const events: unknown[] = [];
    const stop = api.system.snapshots({ intervalMs: 1000 }, (e) => events.push(e));
    expect(events).toEqual([{ n: 1, params: { intervalMs: 1000 } }]);
    stop();
    expect(stopped).toEqual(['system.snapshots']);
    const errors: string[] = [];
    api.terminal.output({ id: 't1' }, () => {}, (e) => errors.push(e.code));
    expect(errors).toEqual(['UNKNOWN_CHANNEL']);
  });
});
