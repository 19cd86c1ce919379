import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** The project root: two levels above electron/services/native in a checkout. */
export const projectRoot = resolve(here, '../../..');

export type NativeResult<T> = { ok: true; addon: T } | { ok: false; reason: string };

const cache = new Map<string, NativeResult<unknown>>();

/**
 * Loads `build/Release/<name>.node`. When it is missing or fails to load, the caller gets the
 * reason to show ("unavailable: ...") instead of the app crashing.
 */
export function loadAddon<T>(name: string): NativeResult<T> {
  const hit = cache.get(name);
  if (hit) return hit as NativeResult<T>;
  const candidates = [
    process.env.VANTAGE_NATIVE_DIR ? join(process.env.VANTAGE_NATIVE_DIR, `${name}.node`) : '',
    join(projectRoot, 'build', 'Release', `${name}.node`),
    // Packaged app: native binaries are unpacked next to the asar.
    join(projectRoot.replace(/app\.asar$/, 'app.asar.unpacked'), 'build', 'Release', `${name}.node`),
  ].filter(Boolean);
  let result: NativeResult<unknown> = {
    ok: false,
    reason: `native addon ${name} is not built (run \`npm run build:native\`; it needs build-essential and python3)`,
  };
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      result = { ok: true, addon: require(file) };
    } catch (err) {
      result = { ok: false, reason: `native addon ${name} failed to load: ${(err as Error).message}` };
    }
    break;
  }
  cache.set(name, result);
  return result as NativeResult<T>;
}

/** Path of a helper executable built from native/<dir> (vantage-helper, vantage-runtime). */
export function helperBinary(name: 'vantage-helper' | 'vantage-runtime'): string | null {
  const candidates = [
    process.env.VANTAGE_HELPER_DIR ? join(process.env.VANTAGE_HELPER_DIR, name) : '',
    join(projectRoot, 'build', name),
    join(projectRoot.replace(/app\.asar$/, 'app.asar.unpacked'), 'build', name),
  ].filter(Boolean);
  return candidates.find((f) => existsSync(f)) ?? null;
}
