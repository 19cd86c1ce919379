import { z } from 'zod';

/**
 * Stable error codes. They cross the process boundary inside the result envelope, because thrown
 * errors lose everything but their message over Electron IPC. Never renumber or rename one.
 */
export const ERROR_CODES = [
  'INVALID_INPUT', // the input failed its schema or a range check
  'NOT_FOUND', // the thing named does not exist (file, session, container, ...)
  'ESRCH', // no such process (or it exited between listing and acting)
  'EPERM', // the kernel refused the action for this user
  'NEEDS_PRIVILEGE', // the action needs vantage-helper and it is not available or not granted
  'UNAVAILABLE', // the feature cannot work on this machine (missing kernel feature, tool, addon)
  'CANCELLED', // the caller cancelled long work
  'CONFLICT', // the state changed under the action (file changed before a duplicate action, ...)
  'SQL_ERROR', // a SQL error; detail carries the engine's code and position
  'UNKNOWN_CHANNEL', // a transport received a channel the contract does not declare
  'UNAUTHORIZED', // browser mode: missing or wrong token / origin
  'INTERNAL', // a bug: the message says what failed
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ContractError {
  code: ErrorCode;
  message: string;
  detail?: unknown;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ContractError };

/** A request/response call: validated input, typed result. */
export interface CallDef<I extends z.ZodType = z.ZodType, R = unknown> {
  kind: 'call';
  input: I;
  /** Phantom field carrying the result type; never set at run time. */
  readonly result?: R;
  summary: string;
}

/** A stream: validated parameters, a sequence of typed events until the subscriber leaves. */
export interface StreamDef<P extends z.ZodType = z.ZodType, E = unknown> {
  kind: 'stream';
  params: P;
  readonly event?: E;
  summary: string;
}

export function call<R>() {
  return <I extends z.ZodType>(input: I, summary: string): CallDef<I, R> => ({ kind: 'call', input, summary });
}

export function stream<E>() {
  return <P extends z.ZodType>(params: P, summary: string): StreamDef<P, E> => ({ kind: 'stream', params, summary });
}

export type DomainDef = Record<string, CallDef | StreamDef>;
export type ContractDef = Record<string, DomainDef>;

export type InputOf<D> = D extends CallDef<infer I, unknown> ? z.input<I> : never;
export type ParsedInputOf<D> = D extends CallDef<infer I, unknown> ? z.output<I> : never;
export type ResultOf<D> = D extends CallDef<z.ZodType, infer R> ? R : never;
export type ParamsOf<D> = D extends StreamDef<infer P, unknown> ? z.input<P> : never;
export type ParsedParamsOf<D> = D extends StreamDef<infer P, unknown> ? z.output<P> : never;
export type EventOf<D> = D extends StreamDef<z.ZodType, infer E> ? E : never;

/** The one place a channel name is made: `domain.member`. */
export function channelName(domain: string, member: string): string {
  return `${domain}.${member}`;
}

export interface ChannelInfo {
  channel: string;
  domain: string;
  member: string;
  def: CallDef | StreamDef;
}

export function listChannels(contract: ContractDef): ChannelInfo[] {
  const out: ChannelInfo[] = [];
  for (const [domain, members] of Object.entries(contract)) {
    for (const [member, def] of Object.entries(members)) {
      out.push({ channel: channelName(domain, member), domain, member, def });
    }
  }
  return out;
}

/** Turns a zod failure into the message a user reads: which field, what was wrong. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'input';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
