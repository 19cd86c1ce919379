import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_TYPES, CSP } from '../server/static-files';

/** The renderer is served from this privileged scheme, so it has a real origin and a fixed CSP. */
export const APP_SCHEME = 'vantage-app';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Only frames showing our own renderer may use the contract. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Maps an app URL to a file under the renderer directory, or null when it would leave it.
 * Unknown paths fall back to index.html by the caller (client-side routing).
 */
export function resolveAppFile(rendererDir: string, url: string): { file: string; type: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!isAppUrl(url)) return null;
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(u.pathname)).replace(/^([/\\])+/, '');
  } catch {
    return null;
  }
  const file = join(rendererDir, rel || 'index.html');
  if (!file.startsWith(rendererDir + sep)) return null;
  return { file, type: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' };
}

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
