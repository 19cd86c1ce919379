import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { PrivilegeStatus } from '../../../contract/processes';
import type { ErrorCode } from '../../../contract/core';
import { ServiceError } from '../../../contract/errors';
import { helperBinary } from '../../native/load';

/** Where packages install the helper; the polkit policy's exec.path names exactly this file. */
export const INSTALLED_HELPER = '/usr/lib/vantage/vantage-helper';
export const POLICY_FILE = '/usr/share/polkit-1/actions/org.vantage.helper.policy';
const POLICY_SOURCE = 'resources/polkit/org.vantage.helper.policy';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  const dirs = (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).concat(['/usr/bin', '/bin']);
  for (const dir of dirs) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** The facts the privilege path is chosen from; tests pass their own. */
export interface PrivilegeFacts {
  uid: number;
  /** The helper this checkout or package built (spawned directly when running as root). */
  builtHelper: string | null;
  installedHelper: string | null;
  pkexecPath: string | null;
  policyInstalled: boolean;
}

export function currentFacts(): PrivilegeFacts {
  return {
    uid: process.getuid?.() ?? -1,
    builtHelper: helperBinary('vantage-helper'),
    installedHelper: executable(INSTALLED_HELPER) ? INSTALLED_HELPER : null,
    pkexecPath: onPath('pkexec'),
    policyInstalled: existsSync(POLICY_FILE),
  };
}

/** Said once in the status; left out of each refused action's message, which names its own need. */
export const NEEDS_PRIVILEGE_SUMMARY =
  'Signalling, renicing or limiting processes of other users, raising priority (negative nice), realtime I/O, raising hard limits and lowering oom_score_adj need privilege.';

/** Which path privileged actions take here, and in words how to get one when there is none. */
export function privilegeStatus(facts: PrivilegeFacts = currentFacts()): PrivilegeStatus {
  const { uid, builtHelper, installedHelper, pkexecPath, policyInstalled } = facts;
  if (uid === 0) {
    const helperPath = builtHelper ?? installedHelper;
    return {
      root: true,
      helperPath,
      pkexecPath,
      policyInstalled,
      mode: 'root',
      explanation: helperPath
        ? `Vantage runs as root: actions the kernel allows root are done directly, others through ${helperPath} spawned directly.`
        : 'Vantage runs as root: actions are done directly (vantage-helper is not built; run `npm run build:native`).',
    };
  }
  if (pkexecPath && installedHelper) {
    return {
      root: false,
      helperPath: installedHelper,
      pkexecPath,
      policyInstalled,
      mode: 'pkexec',
      explanation: policyInstalled
        ? `${NEEDS_PRIVILEGE_SUMMARY} Vantage asks through pkexec (polkit action org.vantage.helper.control): an administrator's password, remembered for a few minutes.`
        : `${NEEDS_PRIVILEGE_SUMMARY} Vantage asks through pkexec; the Vantage polkit policy is not installed, so polkit asks for an administrator's password every time. Install ${POLICY_SOURCE} as ${POLICY_FILE} to remember it for a few minutes.`,
    };
  }
  const missing: string[] = [];
  if (!pkexecPath) missing.push('pkexec is not installed (Debian/Ubuntu: apt install pkexec, or policykit-1 on older releases)');
  if (!installedHelper) {
    missing.push(
      `vantage-helper is not installed at ${INSTALLED_HELPER} (packages install it; from a checkout: sudo install -D -m 0755 build/vantage-helper ${INSTALLED_HELPER}, and sudo install -m 0644 ${POLICY_SOURCE} ${POLICY_FILE})`,
    );
  }
  return {
    root: false,
    helperPath: installedHelper ?? builtHelper,
    pkexecPath,
    policyInstalled,
    mode: 'none',
    explanation:
      `${NEEDS_PRIVILEGE_SUMMARY} There is no privilege path here: ${missing.join('; ')}. ` +
      'Vantage does not give the helper file capabilities (setcap) for process control, since that would let every local user act on every process; run Vantage as root instead if polkit is not an option.',
  };
}

/** The helper's one-line JSON answer. */
interface HelperAnswer {
  ok: boolean;
  code?: string;
  message?: string;
}

const HELPER_CODES: Record<string, ErrorCode> = { EPERM: 'EPERM', EACCES: 'EPERM', ESRCH: 'ESRCH', EINVAL: 'INVALID_INPUT' };

/**
 * Runs one helper verb through the privilege path (root: spawned directly; else pkexec). No shell:
 * arguments go to execve as they are. Throws ServiceError with the helper's code on failure.
 */
export function runHelper(args: string[], status: PrivilegeStatus = privilegeStatus()): Promise<void> {
  if (status.mode === 'none' || !status.helperPath) {
    return Promise.reject(new ServiceError('NEEDS_PRIVILEGE', status.explanation));
  }
  const [cmd, argv] = status.mode === 'pkexec' ? [status.pkexecPath as string, [status.helperPath, ...args]] : [status.helperPath, args];
  return new Promise((resolve, reject) => {
    // pkexec waits for the user to authenticate: allow two minutes before giving up.
    execFile(cmd, argv, { timeout: 120_000, maxBuffer: 64 * 1024, env: { PATH: '/usr/bin:/bin' } }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      let answer: HelperAnswer | null;
      try {
        answer = line ? (JSON.parse(line) as HelperAnswer) : null;
      } catch {
        answer = null;
      }
      if (answer?.ok) return resolve();
      if (answer && !answer.ok) {
        return reject(new ServiceError(HELPER_CODES[answer.code ?? ''] ?? 'INTERNAL', answer.message ?? 'vantage-helper failed'));
      }
      const exit = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      if (status.mode === 'pkexec' && (exit === 126 || exit === 127)) {
        return reject(
          new ServiceError(
            'NEEDS_PRIVILEGE',
            'authorisation was refused or cancelled (pkexec needs a polkit authentication agent in your session to ask for the password)',
          ),
        );
      }
      reject(new ServiceError('INTERNAL', `vantage-helper gave no answer: ${(stderr || err?.message || 'no output').trim()}`));
    });
  });
}

/**
 * Starts a long-running helper verb (fanotify) through the same privilege path as runHelper (root:
 * spawned directly; else pkexec), with stdin, stdout and stderr piped. No shell. Closing its stdin
 * ends the verb. Returns the child, or null and why there is no path here.
 */
export function spawnHelper(
  args: string[],
  status: PrivilegeStatus = privilegeStatus(),
): { child: ChildProcess; mode: 'root' | 'pkexec' } | { child: null; reason: string } {
  if (status.mode === 'none' || !status.helperPath) {
    return { child: null, reason: status.explanation };
  }
  const [cmd, argv] = status.mode === 'pkexec' ? [status.pkexecPath as string, [status.helperPath, ...args]] : [status.helperPath, args];
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
  return { child, mode: status.mode };
}
