import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { formatExposition, type MetricsRegistry } from '../services/metrics/registry';
import type { Dispatcher } from '../rpc/dispatcher';
import { allowedHosts, isLoopback, newToken, originAllowed, tokenMatches, tokenOf } from './auth';
import { serveStatic } from './static-files';
import { serveConnection } from './ws-router';

export interface ServerOptions {
  host?: string;
  port?: number;
  /** Binding a non-loopback address must be asked for explicitly. */
  allowRemote?: boolean;
  token?: string;
  rendererDir: string;
  dispatcher: Dispatcher;
  metrics: MetricsRegistry;
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

export class ServerConfigError extends Error {}

/** The request target as a URL, or null when it cannot be parsed (`//`, `//[::1`): never a throw. */
function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://placeholder');
  } catch {
    return null;
  }
}

/**
 * Browser mode and agent: the built renderer over HTTP, the contract over one WebSocket per page,
 * and `/metrics` for Prometheus. Every WebSocket and `/metrics` request must carry the per-launch
 * token; browsers must also come from our own origin.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowRemote) {
    throw new ServerConfigError(`refusing to listen on ${host}: it is not a loopback address (pass --allow-remote to mean it)`);
  }
  const token = opts.token ?? newToken();
  let hosts = new Set<string>();
  let nextClient = 1;

  const server = createServer((req, res) => {
    const url = requestUrl(req.url);
    if (!url) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('malformed request target\n');
      return;
    }
    if (!req.headers.host || !hosts.has(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('unexpected Host header\n');
      return;
    }
    if (url.pathname === '/metrics') {
      if (!tokenMatches(token, tokenOf(req, url))) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('token required\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(formatExposition(opts.metrics.collect()));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(opts.rendererDir, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, why: string) => {
      socket.end(`HTTP/1.1 ${status} ${why}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why}\n`);
    };
    const url = requestUrl(req.url);
    if (!url) return refuse(400, 'Bad Request');
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (!req.headers.host || !hosts.has(req.headers.host)) return refuse(421, 'Misdirected Request');
    if (!originAllowed(req.headers.origin, hosts)) return refuse(403, 'Forbidden origin');
    if (!tokenMatches(token, tokenOf(req, url))) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, opts.dispatcher, `ws${nextClient++}`));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port,
    host,
    token,
    url: `http://${shownHost}:${port}/?token=${token}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
