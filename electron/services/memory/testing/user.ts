import { execFileSync } from 'node:child_process';

/**
 * A throwaway unprivileged user per test file (files run in parallel, and other suites create and
 * delete users of their own).
 */
export function ensureTestUser(name: string): { name: string; uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  }
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  return { name, uid, gid };
}

export function removeTestUser(name: string): void {
  try {
    execFileSync('userdel', [name], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Runs testing/probe.ts as the test user and returns what it printed. */
export function probeAsUser(name: string, args: string[]): { ok: boolean; code?: string; message?: string; value?: unknown } {
  const out = execFileSync(
    'runuser',
    ['-u', name, '--', process.execPath, '--import', 'tsx', new URL('./probe.ts', import.meta.url).pathname, ...args],
    { env: { ...process.env, HOME: '/tmp' }, cwd: new URL('../../../../', import.meta.url).pathname },
  ).toString();
  return JSON.parse(out);
}
