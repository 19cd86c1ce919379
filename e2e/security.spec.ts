import { expect, test } from './fixtures';
import WebSocket from 'ws';

function tryConnect(url: string, headers: Record<string, string> = {}): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.on('error', () => resolve({ opened: false }));
  });
}

function call(ws: WebSocket, ch: string, input: unknown): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const id = Math.floor(Math.random() * 1e9);
    ws.on('message', function onMsg(raw) {
      const msg = JSON.parse(String(raw));
      if (msg.id === id) {
        ws.off('message', onMsg);
        resolve(msg.env);
      }
    });
    ws.send(JSON.stringify({ t: 'call', id, ch, input }));
  });
}

test.describe('browser mode refuses what it must', () => {
  test('no token, wrong token, foreign origin and foreign Host are refused', async ({ server }) => {
    const base = `ws://127.0.0.1:${server.port}/ws`;
    expect(await tryConnect(base)).toEqual({ opened: false, status: 401 });
    expect(await tryConnect(`${base}?token=wrong-token-wrong-token`)).toEqual({ opened: false, status: 401 });
    expect(await tryConnect(`${base}?token=${server.token}`, { Origin: 'http://evil.example' })).toEqual({ opened: false, status: 403 });
    expect(await tryConnect(`${base}?token=${server.token}`, { Host: `rebind.example:${server.port}` })).toEqual({ opened: false, status: 421 });
    expect(await tryConnect(`${base}?token=${server.token}`, { Origin: server.origin })).toEqual({ opened: true });
  });

  test('/metrics needs the token and speaks the Prometheus format', async ({ request, server }) => {
    const denied = await request.get(`${server.origin}/metrics`);
    expect(denied.status()).toBe(401);
    const ok = await request.get(`${server.origin}/metrics`, { headers: { Authorization: `Bearer ${server.token}` } });
    expect(ok.status()).toBe(200);
    const text = await ok.text();
    expect(text).toMatch(/^# TYPE vantage_cpu_busy_percent gauge$/m);
    expect(text).toMatch(/^vantage_memory_total_bytes \d+$/m);
  });

  test('invalid input and unknown channels come back with stable codes', async ({ server }) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    await new Promise((r) => ws.once('open', r));
    const bad = await call(ws, 'system.snapshots', { intervalMs: 1 });
    expect(bad.error?.code).toBe('UNKNOWN_CHANNEL'); // a stream is not callable
    const invalid = await call(ws, 'history.query', { series: ['cpu.total'], range: 'forever' });
    expect(invalid.ok).toBe(false);
    expect(invalid.error?.code).toBe('INVALID_INPUT');
    expect(invalid.error?.message).toMatch(/range/);
    const unknown = await call(ws, 'shell.exec', { cmd: 'id' });
    expect(unknown.error?.code).toBe('UNKNOWN_CHANNEL');
    const noTerm = await call(ws, 'terminal.write', { id: 't999', data: 'x' });
    expect(noTerm.error?.code).toBe('NOT_FOUND');
    ws.close();
  });
});
