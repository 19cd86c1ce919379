import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../contract';
import type { ServerMessage } from '../contract/wire';
import { createDispatcher } from '../rpc/dispatcher';
import { createServices, type Services } from '../services';
import { CSP } from './static-files';
import { ServerConfigError, startServer, type RunningServer } from './server';

/** A raw HTTP GET so the test controls the Host header. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; inbox: ServerMessage[] } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const inbox: ServerMessage[] = [];
    ws.on('message', (d) => inbox.push(JSON.parse(String(d))));
    ws.once('open', () => resolve({ ws, inbox }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode! }));
    ws.once('error', reject);
  });
}

const until = async (cond: () => boolean, what: string) => {
  const t = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > t) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('browser-mode server', () => {
  let dir: string;
  let services: Services;
  let server: RunningServer;
  let ws: string;
  const origin = () => `http://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vantage-server-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Vantage</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    services = createServices({ dataDir: join(dir, 'data') });
    server = await startServer({ rendererDir, dispatcher: createDispatcher(contract, services.handlers), metrics: services.metrics });
    ws = `ws://127.0.0.1:${server.port}/ws`;
  });
  afterAll(async () => {
    await server.close();
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback with a long random token in its URL', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.token.length).toBeGreaterThanOrEqual(32);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
  });

  it('refuses a non-loopback address unless remote access is asked for', async () => {
    await expect(startServer({ host: '0.0.0.0', rendererDir: dir, dispatcher: createDispatcher(contract, services.handlers), metrics: services.metrics })).rejects.toBeInstanceOf(
      ServerConfigError,
    );
  });

  it('serves the renderer with the CSP, falls back to index.html, and never leaves its directory', async () => {
    const index = await get(server.port, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(CSP);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(server.port, '/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    expect((await get(server.port, '/some/route')).body).toContain('<title>Vantage');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      expect((await get(server.port, path)).body).not.toContain('secret');
    }
  });

  it('answers a foreign Host header with 421 (DNS rebinding)', async () => {
    expect((await get(server.port, '/', { host: 'evil.example' })).status).toBe(421);
    expect((await get(server.port, '/', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('demands the token for /metrics and serves valid Prometheus exposition', async () => {
    expect((await get(server.port, '/metrics')).status).toBe(401);
    expect((await get(server.port, '/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    const res = await get(server.port, '/metrics', { authorization: `Bearer ${server.token}` });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/^# HELP /m);
    expect(res.body).toMatch(/^# TYPE \w+ (gauge|counter)/m);
    const promtool = spawnSync('which', ['promtool']).status === 0;
    if (!promtool) {
      console.warn('promtool is not installed (apt-get install prometheus): skipping the exposition-format check');
      return;
    }
    const out = execFileSync('promtool', ['check', 'metrics'], { input: res.body, encoding: 'utf8' });
    expect(out).not.toMatch(/error/i);
  });

  it('refuses WebSocket upgrades without the token, from a foreign origin, or on another path', async () => {
    expect(await connect(ws)).toEqual({ status: 401 });
    expect(await connect(`${ws}?token=nope`)).toEqual({ status: 401 });
    expect(await connect(`${ws}?token=${server.token}`, { origin: 'https://evil.example' })).toEqual({ status: 403 });
    expect(await connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).toEqual({ status: 404 });
    const ok = await connect(`${ws}?token=${server.token}`, { origin: origin() });
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
  });

  it('routes calls, streams and unsubscribes over one WebSocket', async () => {
    const c = await connect(`${ws}?token=${server.token}`, { origin: origin() });
    if (!('ws' in c)) throw new Error('not connected');
    const { ws: sock, inbox } = c;
    sock.send(JSON.stringify({ t: 'call', id: 1, ch: 'system.info', input: {} }));
    sock.send(JSON.stringify({ t: 'call', id: 2, ch: 'history.query', input: { series: [] } }));
    sock.send(JSON.stringify({ t: 'call', id: 3, ch: 'fs.read', input: {} }));
    await until(() => inbox.filter((m) => m.t === 'result').length === 3, 'three results');
    const result = (id: number) => inbox.find((m) => m.t === 'result' && m.id === id) as Extract<ServerMessage, { t: 'result' }>;
    expect(result(1).env.ok).toBe(true);
    expect(result(2).env).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(result(3).env).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });

    sock.send(JSON.stringify({ t: 'sub', id: 10, ch: 'system.snapshots', params: { intervalMs: 250 } }));
    await until(() => inbox.filter((m) => m.t === 'event' && m.id === 10).length >= 2, 'two events');
    sock.send(JSON.stringify({ t: 'sub', id: 10, ch: 'system.snapshots', params: { intervalMs: 250 } }));
    await until(() => inbox.some((m) => m.t === 'end' && m.id === 10), 'duplicate id refused');
    expect(inbox.find((m) => m.t === 'end' && m.id === 10)).toMatchObject({ error: { code: 'CONFLICT' } });
    sock.send(JSON.stringify({ t: 'sub', id: 11, ch: 'system.snapshots', params: { intervalMs: 5 } }));
    await until(() => inbox.some((m) => m.t === 'end' && m.id === 11), 'bad params refused');
    expect(inbox.find((m) => m.t === 'end' && m.id === 11)).toMatchObject({ error: { code: 'INVALID_INPUT' } });

    sock.send(JSON.stringify({ t: 'unsub', id: 10 }));
    await new Promise((r) => setTimeout(r, 400));
    const after = inbox.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(inbox.slice(after).filter((m) => m.t === 'event')).toEqual([]);
    sock.close();
  });

  it('closes the connection on a malformed message (1003)', async () => {
    for (const bad of ['not json', JSON.stringify({ t: 'call', id: 'x', ch: 'a' }), JSON.stringify({ t: 'boom', id: 1 })]) {
      const c = await connect(`${ws}?token=${server.token}`);
      if (!('ws' in c)) throw new Error('not connected');
      const code = await new Promise<number>((r) => {
        c.ws.once('close', (code) => r(code));
        c.ws.send(bad);
      });
      expect(code).toBe(1003);
    }
  });

  it('stops a connection’s streams when it closes', async () => {
    const costs = () => services.collectors.costs().find((c) => c.name === 'system')!.subscribers;
    const before = costs();
    const c = await connect(`${ws}?token=${server.token}`);
    if (!('ws' in c)) throw new Error('not connected');
    c.ws.send(JSON.stringify({ t: 'sub', id: 1, ch: 'system.snapshots', params: { intervalMs: 500 } }));
    await until(() => costs() === before + 1, 'subscribed');
    c.ws.close();
    await until(() => costs() === before, 'unsubscribed on close');
  });
});

describe('browser-mode server, hostile paths', () => {
  it('answers a malformed percent-encoding or request target with 400 and keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vantage-server-bad-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vantage</title>');
    const services = createServices({ dataDir: join(dir, 'data') });
    const server = await startServer({ rendererDir: dir, dispatcher: createDispatcher(contract, services.handlers), metrics: services.metrics });
    try {
      expect((await get(server.port, '/%E0%A4%A')).status).toBe(400);
      expect((await get(server.port, '//')).status).toBe(400);
      expect((await get(server.port, '//[::1')).status).toBe(400);
      expect((await get(server.port, '/')).status).toBe(200);
    } finally {
      await server.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('browser-mode server, hostile frames', () => {
  it('survives a frame above the size limit: that connection closes, the server keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vantage-server-big-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vantage</title>');
    const services = createServices({ dataDir: join(dir, 'data') });
    const server = await startServer({ rendererDir: dir, dispatcher: createDispatcher(contract, services.handlers), metrics: services.metrics });
    try {
      const c = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
      if (!('ws' in c)) throw new Error('not connected');
      const code = await new Promise<number>((r) => {
        c.ws.once('close', (code) => r(code));
        c.ws.on('error', () => {});
        c.ws.send('x'.repeat(5 * 1024 * 1024));
      });
      expect(code).toBe(1009);
      expect((await get(server.port, '/')).status).toBe(200);
    } finally {
      await server.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
