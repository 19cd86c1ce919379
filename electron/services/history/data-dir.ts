import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$VANTAGE_DATA_DIR`, else `$XDG_DATA_HOME/vantage`, else `~/.local/share/vantage`. Created on demand. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir =
    env.VANTAGE_DATA_DIR ||
    join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'vantage');
  mkdirSync(dir, { recursive: true });
  return dir;
}
