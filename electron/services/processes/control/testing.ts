import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

/** Test support: real children to act on, and what the kernel says about them. */

const repoRoot = new URL('../../../../', import.meta.url).pathname;

export function spawnSleep(seconds = 300): ChildProcess & { pid: number } {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
  if (!child.pid) throw new Error('could not spawn sleep');
  return child as ChildProcess & { pid: number };
}

/** Resolves with how the child ended: exit code or signal name. */
export async function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}

export function kill(child: ChildProcess | null | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Fields of /proc/PID/stat after the comm: [0] is field 3 (state). */
export function statFields(pid: number, tid?: number): string[] {
  const text = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}
export const stateOf = (pid: number) => statFields(pid)[0];
/** Field 19 of /proc/PID/stat. */
export const niceOf = (pid: number, tid?: number) => Number(statFields(pid, tid)[16]);
export const startTicksOf = (pid: number) => Number(statFields(pid)[19]);

export function statusField(pid: number, name: string, tid?: number): string {
  const text = readFileSync(tid === undefined ? `/proc/${pid}/status` : `/proc/${pid}/task/${tid}/status`, 'utf8');
  return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1].trim() ?? '';
}

/** The "Max open files"-style row of /proc/PID/limits as [soft, hard]. */
export function limitsRow(pid: number, name: string): [string, string] {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(name));
  if (!line) throw new Error(`no ${name} in /proc/${pid}/limits`);
  const [soft, hard] = line.slice(26).trim().split(/\s+/);
  return [soft, hard];
}

export async function until(check: () => boolean, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A throwaway unprivileged user for tests that need the non-root view; remove() deletes it. */
export function createTestUser(): { name: string; uid: number; remove(): void } {
  const name = `vantage-test-${process.pid.toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
  const r = spawnSync('useradd', ['-M', '-s', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`useradd ${name} failed: ${r.stderr}`);
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  // The probes run the checkout's own sources as this user: it must be able to read them.
  const probe = spawnSync('runuser', ['-u', name, '--', 'test', '-r', `${repoRoot}package.json`]);
  if (probe.status !== 0) {
    spawnSync('userdel', [name]);
    throw new Error(`the checkout ${repoRoot} is not readable by other users; the non-root tests run it as ${name} (chmod o+rx on the path)`);
  }
  return {
    name,
    uid,
    remove() {
      // userdel refuses while the user still has processes: end them first, then retry briefly.
      for (let i = 0; i < 50; i++) {
        spawnSync('pkill', ['-KILL', '-u', name]);
        if (spawnSync('userdel', [name]).status === 0 || spawnSync('id', [name]).status !== 0) return;
        spawnSync('sleep', ['0.05']);
      }
    },
  };
}


/**
 * Runs one `vantage` verb the way bin/vantage.mjs does (tsx, usage errors → exit 2), but loading
 * only that verb's module. With `user`, runs it as that user (runuser).
 */
export function runVerb(
  verb: 'signal' | 'renice' | 'affinity',
  args: string[],
  user?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script =
    `const m = await import(${JSON.stringify(`${repoRoot}electron/cli/${verb}.ts`)});` +
    `const { UsageError } = await import(${JSON.stringify(`${repoRoot}electron/cli/verb.ts`)});` +
    `try { process.exitCode = await m.${verb}.run(${JSON.stringify(args)}); }` +
    `catch (e) { if (!(e instanceof UsageError)) throw e; process.stderr.write('vantage ${verb}: ' + e.message + '\\n'); process.exitCode = 2; }`;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
  const [cmd, ...argv] = user ? ['runuser', '-u', user, '--', ...node] : node;
  return new Promise((resolve) => {
    execFile(cmd, argv, { cwd: repoRoot, env: { PATH: process.env.PATH, HOME: '/tmp' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Still running or sleeping (not stopped, not a zombie, not gone): no signal reached it. */
export function untouched(pid: number): boolean {
  try {
    return ['S', 'R', 'D'].includes(stateOf(pid));
  } catch {
    return false;
  }
}
