import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** Starts a child and waits for its first line of output (its "ready" signal), returning the line. */
export async function startReady(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.once('error', reject);
    child.stderr?.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`${cmd} exited early with ${code}: ${err}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
  });
  return { child, line };
}

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

/** A Node process with one busy worker thread (named by its comm) and an idle main thread. */
export const BUSY_WORKER = `
const { Worker } = require('node:worker_threads');
const w = new Worker("for (;;) {}", { eval: true });
w.on('online', () => process.stdout.write('ready\\n'));
setInterval(() => {}, 1000);
`;

/**
 * Runs a CPU-bound test child in its own session at nice -20 when we may (root, as on CI), then
 * raises its autogroup's weight too: the build machines are shared and busy, and with autogroup
 * scheduling a session competes with the neighbours' sessions as a whole, whatever its nice.
 * A test of "a busy thread shows > 50%" must not depend on the neighbours.
 */
export function busyCommand(args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['setsid', ['nice', '-n', '-20', ...args]] : [args[0], args.slice(1)];
}

/** Gives a child started with busyCommand the top autogroup weight (no-op without autogroup or root). */
export function boostAutogroup(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, '-20');
  } catch {}
}
