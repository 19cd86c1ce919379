import { readFileSync, writeFileSync } from 'node:fs';
import type { ParsedInputOf } from '../../../contract/core';
import { ServiceError } from '../../../contract/errors';
import { SIGNALS, processes, type ControlResult, type PrivilegeStatus } from '../../../contract/processes';
import type { DomainHandlers } from '../../../rpc/handlers';
import { formatCpuList, onlineCpus } from './cpus';
import { controlAddon, errnoOf, type ControlAddon, type LimitValue } from './native';
import { NEEDS_PRIVILEGE_SUMMARY, privilegeStatus, runHelper } from './privilege';
import { resolveSignal } from './signals';
import { describe, readTarget, type Target } from './target';

type Input<K extends keyof typeof processes> = ParsedInputOf<(typeof processes)[K]>;

export type ControlHandlers = Pick<
  DomainHandlers<typeof processes>,
  'signals' | 'privilege' | 'signal' | 'renice' | 'ioprio' | 'affinity' | 'rlimit' | 'oomScoreAdj'
>;

/** What control acts through; tests replace parts (e.g. a privilege status with no path). */
export interface ControlDeps {
  addon?: { ok: true; addon: ControlAddon } | { ok: false; reason: string };
  privilege?: () => PrivilegeStatus;
  helper?: (args: string[], status: PrivilegeStatus) => Promise<void>;
  /** The CPUs that are online (default: /sys/devices/system/cpu/online). */
  onlineCpus?: () => number[];
  /** Vantage's own pid, which signals refuse (default process.pid). */
  selfPid?: number;
}

/** The errno a thrown value carries, turned into the contract's codes with a message that says what. */
function kernelError(err: unknown, target: Target, what: string, einval?: string): ServiceError {
  const code = errnoOf(err);
  const reused = !!(err && typeof err === 'object' && (err as { reused?: unknown }).reused);
  switch (code) {
    case 'ESRCH':
      return new ServiceError('ESRCH', reused ? `process ${target.pid} exited (PID was reused)` : `process ${target.pid} (${target.comm}) exited before it could be changed`);
    case 'EINVAL':
      return new ServiceError('INVALID_INPUT', `cannot ${what}: the kernel refused the value (EINVAL)${einval ? `: ${einval}` : ''}`);
    case 'EPERM':
    case 'EACCES':
      return new ServiceError('EPERM', `cannot ${what}: the kernel refused (${code})`);
    default:
      return new ServiceError('INTERNAL', `cannot ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const needsPrivilegeCode = (err: unknown) => {
  const code = errnoOf(err);
  return code === 'EPERM' || code === 'EACCES';
};

const limitText = (v: LimitValue) => (v === 'unlimited' ? 'unlimited' : String(v));

export function createControl(deps: ControlDeps = {}) {
  const addonResult = () => deps.addon ?? controlAddon();
  const status = () => (deps.privilege ?? privilegeStatus)();
  const helper = deps.helper ?? runHelper;
  const selfPid = deps.selfPid ?? process.pid;

  /**
   * Runs `direct` (the syscall as this user). When the kernel refuses (EPERM/EACCES) and the
   * helper can do it, runs the helper verb instead; with no privilege path, NEEDS_PRIVILEGE says
   * exactly what is needed. With no direct path (addon missing) only root's helper is used:
   * asking for an administrator's password to touch one's own process would be wrong.
   */
  async function act(
    target: Target,
    what: string,
    direct: (() => void) | string,
    helperArgs: string[],
    einval?: string,
  ): Promise<'direct' | 'helper'> {
    let refused: unknown = null;
    if (typeof direct === 'function') {
      try {
        direct();
        return 'direct';
      } catch (err) {
        if (!needsPrivilegeCode(err)) throw kernelError(err, target, what, einval);
        refused = err;
      }
    }
    const s = status();
    if (refused === null) {
      if (s.mode !== 'root' || !s.helperPath) throw new ServiceError('UNAVAILABLE', `cannot ${what}: ${direct as string}`);
    } else if (s.mode === 'root') {
      // Root was refused: the helper, also root, would be too (e.g. a user namespace boundary).
      throw kernelError(refused, target, what);
    } else if (s.mode === 'none') {
      throw new ServiceError(
        'NEEDS_PRIVILEGE',
        `cannot ${what} as ${process.getuid?.() === target.uid ? 'its owner' : `user ${process.env.USER ?? process.getuid?.()}`}: the kernel refused (${errnoOf(refused)}). ${s.explanation.replace(NEEDS_PRIVILEGE_SUMMARY, '').trim()}`,
      );
    }
    await helper(helperArgs, s);
    return 'helper';
  }

  const result = (pid: number, done: string, via: 'direct' | 'helper'): ControlResult => ({ pid, done, via });

  return {
    signals: () => SIGNALS,

    privilege: () => status(),

    async signal(input: Input<'signal'>): Promise<ControlResult> {
      const sig = resolveSignal(input.signal);
      if (input.pid === 1) throw new ServiceError('INVALID_INPUT', 'refusing to signal PID 1 (init): that would take the whole system down');
      if (input.pid === selfPid) throw new ServiceError('INVALID_INPUT', `refusing to signal Vantage itself (pid ${selfPid}): quit it instead`);
      const target = readTarget(input.pid, input.startTicks);
      const what = `send ${sig.name} (${sig.number}) to process ${describe(target)}`;
      const a = addonResult();
      const direct = () => {
        if (a.ok) {
          a.addon.pidfdSignal(input.pid, sig.number, input.startTicks);
        } else {
          // Without the addon: the start time was checked just above; a small reuse window remains.
          process.kill(input.pid, sig.number);
        }
      };
      const args = ['signal', String(input.pid), String(sig.number)];
      if (input.startTicks !== undefined) args.push(String(input.startTicks));
      const via = await act(target, what, direct, args);
      return result(input.pid, `sent ${sig.name} (${sig.number})`, via);
    },

    async renice(input: Input<'renice'>): Promise<ControlResult> {
      const target = readTarget(input.pid);
      const what = `set the nice value of process ${describe(target)} to ${input.nice}`;
      const a = addonResult();
      const via = await act(target, what, a.ok ? () => void a.addon.setPriority(input.pid, input.nice) : a.reason, [
        'renice',
        String(input.pid),
        String(input.nice),
      ]);
      return result(input.pid, `nice ${target.nice} → ${input.nice}`, via);
    },

    async ioprio(input: Input<'ioprio'>): Promise<ControlResult> {
      const target = readTarget(input.pid);
      const level = input.class === 'none' || input.class === 'idle' ? 0 : input.level;
      const label = input.class === 'none' || input.class === 'idle' ? input.class : `${input.class}/${level}`;
      const what = `set the I/O priority of process ${describe(target)} to ${label}`;
      const a = addonResult();
      let before = '';
      if (a.ok) {
        try {
          const p = a.addon.ioprioGet(input.pid);
          before = `${p.class === 'none' || p.class === 'idle' ? p.class : `${p.class}/${p.level}`} → `;
        } catch {
          // Reading another user's I/O priority may be refused; the change still says what it set.
        }
      }
      const via = await act(target, what, a.ok ? () => void a.addon.ioprioSet(input.pid, input.class, level) : a.reason, [
        'ioprio',
        String(input.pid),
        input.class,
        String(level),
      ]);
      return result(input.pid, `I/O priority ${before}${label}`, via);
    },

    async affinity(input: Input<'affinity'>): Promise<ControlResult> {
      const online = (deps.onlineCpus ?? onlineCpus)();
      const wanted = [...new Set(input.cpus)].sort((x, y) => x - y);
      const offline = wanted.filter((c) => !online.includes(c));
      if (offline.length) {
        throw new ServiceError(
          'INVALID_INPUT',
          `CPU${offline.length > 1 ? 's' : ''} ${formatCpuList(offline)} ${offline.length > 1 ? 'are' : 'is'} not online; the CPUs allowed here are ${formatCpuList(online)}`,
        );
      }
      const target = readTarget(input.pid);
      const list = formatCpuList(wanted);
      const what = `restrict process ${describe(target)} to CPUs ${list}`;
      const before = cpusAllowed(input.pid);
      const a = addonResult();
      const via = await act(
        target,
        what,
        a.ok ? () => void a.addon.setAffinity(input.pid, wanted) : a.reason,
        ['affinity', String(input.pid), list],
        "those CPUs are outside the process's cpuset (its cgroup limits where it may run)",
      );
      return result(input.pid, `CPUs ${before ? `${before} → ` : ''}${list}`, via);
    },

    async rlimit(input: Input<'rlimit'>): Promise<ControlResult> {
      const { soft, hard, resource } = input;
      if (soft !== 'unlimited' && (hard === 'unlimited' ? false : soft > hard)) {
        throw new ServiceError('INVALID_INPUT', `the soft limit (${soft}) cannot exceed the hard limit (${hard})`);
      }
      if (soft === 'unlimited' && hard !== 'unlimited') {
        throw new ServiceError('INVALID_INPUT', `the soft limit (unlimited) cannot exceed the hard limit (${hard})`);
      }
      const target = readTarget(input.pid);
      const what = `set the ${resource} limit of process ${describe(target)} to soft ${limitText(soft)}, hard ${limitText(hard)}`;
      const a = addonResult();
      let previous: { soft: LimitValue; hard: LimitValue } | null = null;
      const via = await act(
        target,
        what,
        a.ok
          ? () => {
              previous = a.addon.setRlimit(input.pid, resource, soft, hard);
            }
          : a.reason,
        ['rlimit', String(input.pid), resource, limitText(soft), limitText(hard)],
      );
      const p = previous as { soft: LimitValue; hard: LimitValue } | null;
      const done = p
        ? `${resource} soft ${limitText(p.soft)} → ${limitText(soft)}, hard ${limitText(p.hard)} → ${limitText(hard)}`
        : `${resource} soft ${limitText(soft)}, hard ${limitText(hard)}`;
      return result(input.pid, done, via);
    },

    async oomScoreAdj(input: Input<'oomScoreAdj'>): Promise<ControlResult> {
      const target = readTarget(input.pid);
      const file = `/proc/${input.pid}/oom_score_adj`;
      let before: string;
      try {
        before = readFileSync(file, 'utf8').trim();
      } catch {
        throw new ServiceError('ESRCH', `process ${input.pid} (${target.comm}) exited before it could be changed`);
      }
      const what = `set oom_score_adj of process ${describe(target)} to ${input.value}`;
      const direct = () => {
        try {
          writeFileSync(file, String(input.value));
        } catch (err) {
          // The file vanishes with the process: ENOENT here means it exited.
          if (errnoOf(err) === 'ENOENT') throw Object.assign(new Error('exited'), { code: 'ESRCH' });
          throw err;
        }
      };
      const via = await act(target, what, direct, ['oom-adj', String(input.pid), String(input.value)]);
      return result(input.pid, `oom_score_adj ${before} → ${input.value}`, via);
    },
  };
}

/** Cpus_allowed_list from /proc/PID/status (world-readable), for the "before" of a change. */
function cpusAllowed(pid: number): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** The control members of the processes domain (see createControl). */
export function createControlHandlers(deps: ControlDeps = {}): ControlHandlers {
  return createControl(deps);
}
