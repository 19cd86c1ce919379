import type { SignalInfo } from '@contract/processes';

/** What a signal will do to the process, said for the confirmation. */
export function signalConsequence(s: Pick<SignalInfo, 'name' | 'destructive'>): string {
  switch (s.name) {
    case 'SIGKILL':
      return 'it will end immediately without cleanup';
    case 'SIGTERM':
      return 'it is asked to exit and may clean up first (a program can catch or ignore this)';
    case 'SIGSTOP':
      return 'it will pause until it is sent SIGCONT';
    case 'SIGTSTP':
    case 'SIGTTIN':
    case 'SIGTTOU':
      return 'it will pause until it is sent SIGCONT, unless it handles the signal';
    case 'SIGHUP':
      return 'it ends unless it handles the signal (many daemons reload their configuration instead)';
    case 'SIGINT':
      return 'it ends as on Ctrl+C, unless it handles the signal';
    case 'SIGQUIT':
    case 'SIGILL':
    case 'SIGTRAP':
    case 'SIGABRT':
    case 'SIGBUS':
    case 'SIGFPE':
    case 'SIGSEGV':
    case 'SIGXCPU':
    case 'SIGXFSZ':
    case 'SIGSYS':
      return 'it ends and may dump core, unless it handles the signal';
    default:
      return s.destructive ? 'it ends unless it handles the signal' : 'it is notified; by default nothing ends';
  }
}

/** "Send SIGKILL (9) to 1234 node server.js — it will end immediately without cleanup". */
export function signalSentence(s: SignalInfo, pid: number, command: string): string {
  return `Send ${s.name} (${s.number}) to ${pid} ${command} — ${signalConsequence(s)}`;
}

/** glibc keeps 32 and 33 for itself: real-time signals as programs see them are 34 (SIGRTMIN) … 64. */
const RTMIN = 34;
const RTMAX = 64;

/** A real-time signal typed as a number (34–64) or SIGRTMIN+n / RTMIN+n, as a menu entry. */
export function realtimeSignal(query: string): SignalInfo | null {
  const q = query.trim().toUpperCase().replace(/^SIG/, '');
  let n: number | null = null;
  if (/^\d+$/.test(q)) n = Number(q);
  else if (q === 'RTMIN') n = RTMIN;
  else if (q === 'RTMAX') n = RTMAX;
  else {
    const m = /^RTMIN\+(\d+)$/.exec(q);
    if (m) n = RTMIN + Number(m[1]);
  }
  if (n === null || n < RTMIN || n > RTMAX) return null;
  const name = n === RTMIN ? 'SIGRTMIN' : n === RTMAX ? 'SIGRTMAX' : `SIGRTMIN+${n - RTMIN}`;
  return { name, number: n, meaning: 'Real-time signal: ends the process unless it handles it', destructive: true };
}

/** Signals whose name, number or meaning contain the typed text; a number matches exactly first. */
export function searchSignals(all: readonly SignalInfo[], query: string): SignalInfo[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...all];
  const exact = all.filter((s) => String(s.number) === q || s.name.toLowerCase() === q || s.name.toLowerCase() === `sig${q}`);
  const rest = all.filter((s) => !exact.includes(s) && (s.name.toLowerCase().includes(q) || s.meaning.toLowerCase().includes(q)));
  const rt = realtimeSignal(query);
  return rt ? [rt, ...exact, ...rest] : [...exact, ...rest];
}

/** CPU list as the kernel writes it: [0,1,2,3,6] → "0-3,6". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let j = k;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === k ? String(sorted[k]) : `${sorted[k]}-${sorted[j]}`);
    k = j + 1;
  }
  return parts.join(',');
}

/** A whole number within [min, max], or why not. */
export function parseIntIn(text: string, min: number, max: number): { ok: true; value: number } | { ok: false; error: string } {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return { ok: false, error: `enter a whole number from ${min} to ${max}` };
  const v = Number(t);
  if (v < min || v > max) return { ok: false, error: `${v} is outside ${min} … ${max}` };
  return { ok: true, value: v };
}

/** A resource limit value: "unlimited" (or empty / ∞) or a non-negative whole number. */
export function parseLimit(text: string): { ok: true; value: number | 'unlimited' } | { ok: false; error: string } {
  const t = text.trim().toLowerCase();
  if (t === 'unlimited' || t === '∞' || t === 'infinity') return { ok: true, value: 'unlimited' };
  if (!/^\d+$/.test(t)) return { ok: false, error: 'enter a whole number or "unlimited"' };
  const v = Number(t);
  if (!Number.isSafeInteger(v)) return { ok: false, error: 'too large' };
  return { ok: true, value: v };
}
