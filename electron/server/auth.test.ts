import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { allowedHosts, isLoopback, newToken, originAllowed, tokenMatches } from './auth';

describe('server auth helpers', () => {
  it('makes long, distinct url-safe tokens and compares them exactly', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(a);
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(a, a.slice(1))).toBe(false);
    expect(tokenMatches(a, `${a}x`)).toBe(false);
    expect(tokenMatches(a, null)).toBe(false);
    expect(tokenMatches(a, '')).toBe(false);
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '127.0.0.1.evil.com']) expect(isLoopback(h)).toBe(false);
  });

  it('accepts on loopback only the loopback names with the right port', () => {
    const hosts = allowedHosts('127.0.0.1', 8080);
    expect([...hosts].sort()).toEqual(['127.0.0.1:8080', '[::1]:8080', 'localhost:8080']);
    expect(originAllowed('http://localhost:8080', hosts)).toBe(true);
    expect(originAllowed('http://localhost:8081', hosts)).toBe(false);
    expect(originAllowed('http://evil.example:8080', hosts)).toBe(false);
    expect(originAllowed('null', hosts)).toBe(false);
    expect(originAllowed('file://localhost:8080', hosts)).toBe(false);
    expect(originAllowed(undefined, hosts)).toBe(true); // non-browser clients; the token still applies
  });

  it('accepts on a wildcard bind the machine’s own addresses, not arbitrary names', () => {
    const hosts = allowedHosts('0.0.0.0', 9000);
    const v4 = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a?.family === 'IPv4')
      .map((a) => `${a!.address}:9000`);
    for (const h of v4) expect(hosts.has(h)).toBe(true);
    expect(hosts.has('0.0.0.0:9000')).toBe(true);
    expect(hosts.has('evil.example:9000')).toBe(false);
  });
});
