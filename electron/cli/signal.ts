import type { z } from 'zod';
import { processes, type ControlResult } from '../contract/processes';
import { describeZodError } from '../contract/core';
import { toContractError } from '../contract/errors';
import { createControl } from '../services/processes/control/handlers';
import { EXIT, UsageError, parseArgs, type Verb } from './verb';

/** The same service the view calls, so the CLI gives the same results and errors. */
let control: ReturnType<typeof createControl> | null = null;
export const controlService = () => (control ??= createControl());

/** A decimal pid as typed; anything else is a usage error. */
export function pidArg(text: string | undefined): number {
  if (text === undefined || !/^\d{1,7}$/.test(text)) throw new UsageError(`"${text ?? ''}" is not a process id`);
  return Number(text);
}

/** Validates with the contract's own schema, so bad input reads the same as from the view. */
export function checked<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new UsageError(describeZodError(r.error));
  return r.data;
}

/**
 * Runs one control action and reports it: the result line on stdout (or JSON), errors as
 * `vantage VERB: CODE: message` on stderr with the shared exit codes (bad input 2, needs
 * privilege or refused 77, anything else 1).
 */
export async function report(verb: string, json: boolean, action: () => Promise<ControlResult>): Promise<number> {
  try {
    const r = await action();
    process.stdout.write(json ? JSON.stringify(r) + '\n' : `${r.pid}: ${r.done}${r.via === 'helper' ? ' (through vantage-helper)' : ''}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = toContractError(err);
    if (json) process.stdout.write(JSON.stringify({ error: e }) + '\n');
    process.stderr.write(`vantage ${verb}: ${e.code}: ${e.message}\n`);
    if (e.code === 'INVALID_INPUT') return EXIT.usage;
    if (e.code === 'NEEDS_PRIVILEGE' || e.code === 'EPERM') return EXIT.permission;
    return EXIT.failed;
  }
}

/** `vantage signal PID SIGNAL`: the signal by name (TERM, SIGTERM, RTMIN+1) or number. */
export const signal: Verb = {
  name: 'signal',
  usage: 'signal PID SIGNAL [--start-ticks N] [--json]',
  summary: 'send a signal (TERM, KILL, STOP, HUP, 15, ...); with --start-ticks refuse if the PID was reused',
  async run(args) {
    const { flags, positionals } = parseArgs(args, { booleans: ['json'], strings: ['start-ticks'] });
    if (positionals.length !== 2) throw new UsageError('signal needs a PID and a SIGNAL, e.g. `vantage signal 1234 TERM`');
    const sig = /^\d+$/.test(positionals[1]) ? Number(positionals[1]) : positionals[1];
    const ticks = flags['start-ticks'];
    if (ticks !== undefined && !/^\d{1,16}$/.test(String(ticks))) throw new UsageError('--start-ticks must be a number (the process start time in clock ticks)');
    const input = checked(processes.signal.input, {
      pid: pidArg(positionals[0]),
      signal: sig,
      ...(ticks === undefined ? {} : { startTicks: Number(ticks) }),
    });
    return report('signal', flags.json === true, () => controlService().signal(input));
  },
};
