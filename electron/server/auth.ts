import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token from `?token=`, an `Authorization: Bearer` header, or the WebSocket subprotocol. */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return null;
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Hosts a browser may name in `Host` and `Origin`: the bound address and, on loopback, the
 * loopback names. Checking both stops DNS-rebinding pages and foreign sites from reaching us.
 */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  let names: string[];
  if (isLoopback(boundHost)) {
    names = ['127.0.0.1', 'localhost', '[::1]'];
  } else if (boundHost === '0.0.0.0' || boundHost === '::') {
    // A wildcard bind is reached through any of the machine's addresses or its host name (and the
    // wildcard itself, which `vantage serve` prints). None of these is a name an attacker controls.
    const addresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && (boundHost === '::' || a.family === 'IPv4'))
      .map((a) => bracket(a!.address.replace(/%.*$/, '')));
    names = [...new Set(['127.0.0.1', 'localhost', '[::1]', bracket(boundHost), hostname(), ...addresses])];
  } else {
    names = [bracket(boundHost)];
  }
  return new Set(names.map((n) => `${n}:${port}`));
}

export function originAllowed(origin: string | undefined, hosts: Set<string>): boolean {
  // Non-browser clients (the CLI, a remote agent, curl) send no Origin; the token still applies.
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && hosts.has(u.host);
  } catch {
    return false;
  }
}
