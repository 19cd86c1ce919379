import { readFileSync } from 'node:fs';
import { ServiceError } from '../../../contract/errors';

/** What a control action needs to know about its target, read from world-readable /proc files. */
export interface Target {
  pid: number;
  comm: string;
  state: string;
  nice: number;
  startTicks: number;
  uid: number;
  user: string;
}

let passwd: Map<number, string> | null = null;

function userName(uid: number): string {
  if (!passwd) {
    passwd = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const f = line.split(':');
        if (f.length > 3) passwd.set(Number(f[2]), f[0]);
      }
    } catch {
      // Without /etc/passwd the uid is shown as a number.
    }
  }
  return passwd.get(uid) ?? String(uid);
}

/** Parses /proc/PID/stat after the comm (which may hold spaces and parentheses). */
export function parseStat(text: string): { comm: string; state: string; nice: number; startTicks: number } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); nice is field 19, starttime field 22.
  return { comm: text.slice(open + 1, close), state: fields[0], nice: Number(fields[16]), startTicks: Number(fields[19]) };
}

/**
 * The process as it is now; ESRCH when it does not exist, or when `startTicks` is given and the
 * PID now names another process.
 */
export function readTarget(pid: number, startTicks?: number): Target {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    throw new ServiceError('ESRCH', `no process ${pid} (it exited, or never existed)`);
  }
  const s = parseStat(stat);
  if (startTicks !== undefined && s.startTicks !== startTicks) {
    throw new ServiceError('ESRCH', `process ${pid} exited (PID was reused by ${s.comm})`);
  }
  const tgid = Number(/^Tgid:\s+(\d+)/m.exec(status)?.[1] ?? pid);
  if (tgid !== pid) {
    // /proc/TID exists for every thread although listings hide it: act on processes, not threads.
    throw new ServiceError('INVALID_INPUT', `${pid} is a thread of process ${tgid} (${s.comm}), not a process: use ${tgid}`);
  }
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
  return { pid, ...s, uid, user: userName(uid) };
}

/** "1234 (sleep, user root)" for messages. */
export function describe(t: Target): string {
  return `${t.pid} (${t.comm}, user ${t.user})`;
}
