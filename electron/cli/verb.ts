/** One `vantage <verb>`: its name, a line of help, and what it does with the remaining arguments. */
export interface Verb {
  name: string;
  /** Usage line shown by `vantage --help`, e.g. `ps [--json] [--tree] [--filter EXPR]`. */
  usage: string;
  summary: string;
  /** Returns the process exit code. Writes results to stdout, errors to stderr. */
  run(args: string[]): Promise<number>;
}

/** Exit codes shared by every verb, so scripts can tell bad input from a failed action. */
export const EXIT = { ok: 0, failed: 1, usage: 2, permission: 77 } as const;

/** Minimal flag parser: `--name value`, `--name=value`, boolean `--flag`, positionals in order. */
export function parseArgs(
  args: string[],
  spec: { booleans?: string[]; strings?: string[] } = {},
): { flags: Record<string, string | boolean>; positionals: string[] } {
  const booleans = new Set(spec.booleans ?? []);
  const strings = new Set(spec.strings ?? []);
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') || (arg.startsWith('-') && arg.length === 2 && !/^-\d$/.test(arg))) {
      const eq = arg.indexOf('=');
      const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
      if (booleans.has(name)) {
        flags[name] = true;
      } else if (strings.has(name)) {
        const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined) throw new UsageError(`option --${name} needs a value`);
        flags[name] = value;
      } else {
        throw new UsageError(`unknown option ${arg}`);
      }
    } else {
      positionals.push(arg);
    }
  }
  return { flags, positionals };
}

export class UsageError extends Error {}

/**
 * Takes every `--name VALUE` / `--name=VALUE` out of args (options that may repeat, such as
 * `--exclude`), returning the values and the arguments left for `parseArgs`.
 */
export function takeRepeated(args: string[], name: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  const flag = `--${name}`;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`option ${flag} needs a value`);
      values.push(value);
    } else if (args[i].startsWith(`${flag}=`)) values.push(args[i].slice(flag.length + 1));
    else rest.push(args[i]);
  }
  return { values, rest };
}

/** Bytes for people: `512 B`, `1.5 KiB`, `3.2 GiB`. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
