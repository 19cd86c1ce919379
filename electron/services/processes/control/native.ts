import { loadAddon } from '../../native/load';
import type { IoPriorityClass, RlimitResource } from '../../../contract/processes';

export type LimitValue = number | 'unlimited';

/**
 * What `vantage_proc.node` exports for control (native/addon/proc/control.cc, ctl_signal.cc).
 * Every function throws an Error whose `.code` is the errno name (EPERM, ESRCH, EINVAL, EACCES).
 * Per-thread settings (nice, ioprio, affinity) are applied to every thread of the process.
 */
export interface ControlAddon {
  getPriority(pid: number): number;
  setPriority(pid: number, nice: number): { previous: number; threads: number };
  ioprioGet(pid: number): { class: IoPriorityClass; level: number };
  ioprioSet(pid: number, cls: IoPriorityClass, level: number): number;
  getAffinity(pid: number): number[];
  setAffinity(pid: number, cpus: number[]): number;
  getRlimit(pid: number, resource: RlimitResource): { soft: LimitValue; hard: LimitValue };
  /** Returns the previous limits. */
  setRlimit(pid: number, resource: RlimitResource, soft: LimitValue, hard: LimitValue): { soft: LimitValue; hard: LimitValue };
  /** Signals through a pidfd after checking the start time (ESRCH with `.reused` on mismatch). */
  pidfdSignal(pid: number, signal: number, startTicks?: number): 'pidfd' | 'kill';
  startTicks(pid: number): number;
}

/** The addon's control functions, or why they are unavailable. */
export function controlAddon(): { ok: true; addon: ControlAddon } | { ok: false; reason: string } {
  const loaded = loadAddon<Partial<ControlAddon>>('vantage_proc');
  if (!loaded.ok) return loaded;
  if (typeof loaded.addon.setPriority !== 'function' || typeof loaded.addon.pidfdSignal !== 'function') {
    return { ok: false, reason: 'native addon vantage_proc was built without the control syscalls (rebuild with `npm run build:native`)' };
  }
  return { ok: true, addon: loaded.addon as ControlAddon };
}

/** The errno name a thrown value carries (`.code`), if any. */
export function errnoOf(err: unknown): string | null {
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : null;
}
