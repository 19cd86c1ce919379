import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, type Verb } from './verb';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `vantage bench [NAME...] [-- ARGS]`: runs bench/run.ts, which runs each bench/<name>/run.ts. */
export const bench: Verb = {
  name: 'bench',
  usage: 'bench [NAME...] [-- ARGS]',
  summary: 'run the benchmarks (all, or the named ones: overview, memory, ...) and print ratios against peer tools',
  async run(args) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), ...args], { cwd: root, stdio: 'inherit' });
    const code = await new Promise<number>((r) => {
      child.on('error', (err) => {
        process.stderr.write(`vantage bench: ${err.message}\n`);
        r(EXIT.failed);
      });
      child.on('close', (c) => r(c ?? EXIT.failed));
    });
    return code;
  },
};
