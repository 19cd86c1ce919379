import { SIGNALS } from '../../../contract/processes';
import { ServiceError } from '../../../contract/errors';

/** glibc reserves 32 and 33 for its threads: SIGRTMIN as programs see it is 34, SIGRTMAX 64. */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

const ALIASES: Record<string, number> = { SIGIOT: 6, SIGCLD: 17, SIGPOLL: 29, SIGUNUSED: 31 };

export interface ResolvedSignal {
  number: number;
  /** SIGTERM, SIGRTMIN+2, or "signal 32" for the two glibc keeps for itself. */
  name: string;
}

export function signalName(n: number): string {
  const known = SIGNALS.find((s) => s.number === n);
  if (known) return known.name;
  if (n >= SIGRTMIN && n <= SIGRTMAX) return n === SIGRTMIN ? 'SIGRTMIN' : n === SIGRTMAX ? 'SIGRTMAX' : `SIGRTMIN+${n - SIGRTMIN}`;
  return `signal ${n}`;
}

const invalid = (spec: string | number) =>
  new ServiceError(
    'INVALID_INPUT',
    `unknown signal "${spec}": use a name like TERM, SIGKILL or SIGRTMIN+2, or a number from 1 to 64`,
  );

/** A signal by name (SIGTERM, TERM, sigterm), by number (1–64, also as a string), or SIGRTMIN+n / SIGRTMAX-n. */
export function resolveSignal(spec: string | number): ResolvedSignal {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 1 || spec > 64) throw invalid(spec);
    return { number: spec, name: signalName(spec) };
  }
  const text = spec.trim();
  if (/^\d{1,2}$/.test(text)) return resolveSignal(Number(text));
  let upper = text.toUpperCase();
  if (!upper.startsWith('SIG')) upper = `SIG${upper}`;
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(\d{1,2}))?$/.exec(upper);
  if (rt) {
    const offset = rt[3] === undefined ? 0 : Number(rt[3]) * (rt[2] === '+' ? 1 : -1);
    const n = (rt[1] === 'MIN' ? SIGRTMIN : SIGRTMAX) + offset;
    if (n < SIGRTMIN || n > SIGRTMAX) throw invalid(spec);
    return { number: n, name: signalName(n) };
  }
  const known = SIGNALS.find((s) => s.name === upper);
  if (known) return { number: known.number, name: known.name };
  const alias = ALIASES[upper];
  if (alias !== undefined) return { number: alias, name: signalName(alias) };
  throw invalid(spec);
}
