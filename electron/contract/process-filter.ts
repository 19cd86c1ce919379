import type { ProcessTable } from './processes';

/**
 * The process filter language, shared by the Processes view and `vantage ps --filter`.
 *
 *   firefox                 bare word: name or command line contains it (any case)
 *   "web content"           quoted words are one term
 *   user:root               text field: user/state/tty/pid/ppid are equal, name/cmd/cgroup/wchan contain
 *   user=root user!=root    exact (in)equality for text fields
 *   name~^kworker           regular expression (any case) on name, cmd, user, cgroup, tty, wchan, state
 *   cpu>5 mem>=1.5 rss>100M threads=1 nice!=0 read>1M pid<100
 *   -term                   negates the term
 *
 * All terms must match. A parse error carries offsets into the text so an editor can underline it.
 */

export interface FilterError {
  message: string;
  /** Offset of the first character at fault. */
  start: number;
  /** Offset just past the last character at fault (> start). */
  end: number;
}

export type ProcessFilter =
  | { ok: true; match(table: ProcessTable, i: number): boolean }
  | { ok: false; error: FilterError };

type Kind = 'text' | 'number' | 'bytes' | 'percent' | 'rate';

interface FieldDef {
  kind: Kind;
  /** What the field is, for help text. */
  help: string;
  /** For text fields: whether `field:value` means equality (else: contains). */
  exact?: boolean;
  text?: (t: ProcessTable, i: number) => string;
  num?: (t: ProcessTable, i: number) => number | null;
}

const FIELDS: Record<string, FieldDef> = {
  name: { kind: 'text', help: 'command name (comm)', text: (t, i) => t.comm[i] },
  cmd: { kind: 'text', help: 'command line', text: (t, i) => t.cmdline[i] },
  user: { kind: 'text', exact: true, help: 'user name', text: (t, i) => t.user[i] },
  state: { kind: 'text', exact: true, help: 'state letter R S D Z T t I, or running/sleeping/disk/zombie/stopped/idle', text: (t, i) => t.state[i] },
  tty: { kind: 'text', exact: true, help: 'controlling terminal, e.g. pts/3', text: (t, i) => t.tty[i] },
  cgroup: { kind: 'text', help: 'cgroup path', text: (t, i) => t.cgroup[i] },
  wchan: { kind: 'text', help: 'kernel function the process waits in', text: (t, i) => t.wchan[i] },
  pid: { kind: 'number', help: 'process id', num: (t, i) => t.pid[i] },
  ppid: { kind: 'number', help: 'parent process id', num: (t, i) => t.ppid[i] },
  uid: { kind: 'number', help: 'user id', num: (t, i) => t.uid[i] },
  cpu: { kind: 'percent', help: 'CPU % of one core', num: (t, i) => t.cpuPercent[i] },
  mem: { kind: 'percent', help: 'memory % of RAM', num: (t, i) => t.memPercent[i] },
  rss: { kind: 'bytes', help: 'resident memory (100M, 1.5G)', num: (t, i) => t.rssBytes[i] },
  vsz: { kind: 'bytes', help: 'virtual memory size', num: (t, i) => t.vszBytes[i] },
  swap: { kind: 'bytes', help: 'swapped-out memory', num: (t, i) => t.swapBytes[i] },
  threads: { kind: 'number', help: 'number of threads', num: (t, i) => t.threads[i] },
  nice: { kind: 'number', help: 'nice value', num: (t, i) => t.nice[i] },
  read: { kind: 'rate', help: 'disk read bytes per second', num: (t, i) => t.readBytesPerSec[i] },
  write: { kind: 'rate', help: 'disk write bytes per second', num: (t, i) => t.writeBytesPerSec[i] },
  ctx: { kind: 'number', help: 'context switches per second', num: (t, i) => t.ctxSwitchesPerSec[i] },
};

const ALIASES: Record<string, string> = { comm: 'name', cmdline: 'cmd', command: 'cmd', args: 'cmd', s: 'state', stat: 'state', '%cpu': 'cpu', '%mem': 'mem', nlwp: 'threads', ni: 'nice' };

/** The field names and what they mean, for the view's help popover and `vantage ps --help`. */
export const PROCESS_FILTER_FIELDS: readonly { name: string; kind: Kind; help: string }[] = Object.entries(FIELDS).map(([name, f]) => ({
  name,
  kind: f.kind,
  help: f.help,
}));

const STATE_WORDS: Record<string, string> = {
  running: 'R',
  sleeping: 'S',
  disk: 'D',
  uninterruptible: 'D',
  zombie: 'Z',
  stopped: 'T',
  traced: 't',
  idle: 'I',
  dead: 'X',
};

type Op = '>=' | '<=' | '!=' | '>' | '<' | '=' | ':' | '~';

type Matcher = (t: ProcessTable, i: number) => boolean;

class ParseError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

function parseNumber(field: string, def: FieldDef, raw: string, start: number, end: number): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([a-z%/]*)$/i.exec(raw);
  const fail = (why: string) => new ParseError(`${field} ${why}`, start, end);
  if (!m) {
    const example = def.kind === 'bytes' || def.kind === 'rate' ? '100M or 1.5G' : def.kind === 'percent' ? '5 or 2.5%' : '10';
    throw fail(raw ? `expects a number like ${example}, not "${raw}"` : `needs a number after the operator, e.g. ${example}`);
  }
  const value = Number(m[1]);
  let unit = m[2].toLowerCase();
  if (def.kind === 'percent') {
    if (unit !== '' && unit !== '%') throw fail(`is a percentage: write ${m[1]} or ${m[1]}%`);
    return value;
  }
  if (def.kind === 'bytes' || def.kind === 'rate') {
    if (def.kind === 'rate') unit = unit.replace(/\/s$/, '');
    const u = /^([kmgtp]?)(?:i?b)?$/.exec(unit);
    const scale = u ? UNITS[u[1]] : undefined;
    if (scale === undefined) throw fail(`has an unknown unit "${m[2]}" (use K, M, G or T, powers of 1024)`);
    return value * scale;
  }
  if (unit !== '') throw fail(`is a plain number: "${m[2]}" is not allowed`);
  return value;
}

function makeRegex(source: string, start: number, end: number): RegExp {
  try {
    return new RegExp(source, 'i');
  } catch (err) {
    throw new ParseError(`invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, start, end);
  }
}

function textMatcher(field: string, def: FieldDef, op: Op, value: string, vStart: number, vEnd: number, opStart: number, nameStart: number): Matcher {
  const get = def.text!;
  // A missing value is reported on the field and operator: there is nothing after them to mark.
  const opEnd = opStart + op.length;
  if (op === '~') {
    if (!value) throw new ParseError(`${field}~ needs a regular expression`, nameStart, opEnd);
    const re = makeRegex(value, vStart, vEnd);
    return (t, i) => re.test(get(t, i));
  }
  if (op !== ':' && op !== '=' && op !== '!=') {
    throw new ParseError(`${field} is text: use ${field}:TEXT, ${field}=TEXT, ${field}!=TEXT or ${field}~REGEX`, opStart, opStart + op.length);
  }
  if (!value) throw new ParseError(`${field}${op} needs a value`, nameStart, opEnd);
  let wanted = value;
  if (field === 'state') {
    const word = STATE_WORDS[value.toLowerCase()];
    if (word) wanted = word;
    else if (!/^[RSDZTtXIWPKx]$/.test(value)) {
      throw new ParseError(`unknown state "${value}": use a letter (R S D Z T t I) or running, sleeping, disk, zombie, stopped, idle`, vStart, vEnd);
    }
  }
  if (op === '=' || op === '!=' || def.exact) {
    const eq: Matcher = (t, i) => get(t, i) === wanted;
    return op === '!=' ? (t, i) => !eq(t, i) : eq;
  }
  const needle = wanted.toLowerCase();
  return (t, i) => get(t, i).toLowerCase().includes(needle);
}

function numberMatcher(field: string, def: FieldDef, op: Op, value: string, vStart: number, vEnd: number, opStart: number, nameStart: number): Matcher {
  if (op === '~') throw new ParseError(`${field} is a number: use ${field}>N, ${field}<N, ${field}=N ...`, opStart, opStart + 1);
  const n = value ? parseNumber(field, def, value, vStart, vEnd) : parseNumber(field, def, value, nameStart, opStart + op.length);
  const get = def.num!;
  const cmp: Record<Exclude<Op, '~'>, (a: number) => boolean> = {
    '>': (a) => a > n,
    '<': (a) => a < n,
    '>=': (a) => a >= n,
    '<=': (a) => a <= n,
    '=': (a) => a === n,
    ':': (a) => a === n,
    '!=': (a) => a !== n,
  };
  const test = cmp[op];
  // Unknown values (I/O rates of other users' processes) match no comparison.
  return (t, i) => {
    const v = get(t, i);
    return v !== null && test(v);
  };
}

interface Cursor {
  text: string;
  pos: number;
}

/** Reads a "quoted string" at the cursor (which is on the opening quote); \" and \\ escape. */
function readQuoted(c: Cursor): string {
  const open = c.pos;
  let out = '';
  c.pos++;
  while (c.pos < c.text.length) {
    const ch = c.text[c.pos];
    if (ch === '\\' && c.pos + 1 < c.text.length && (c.text[c.pos + 1] === '"' || c.text[c.pos + 1] === '\\')) {
      out += c.text[c.pos + 1];
      c.pos += 2;
      continue;
    }
    if (ch === '"') {
      c.pos++;
      if (c.pos < c.text.length && !/\s/.test(c.text[c.pos])) {
        throw new ParseError('a closing quote must end the term: put a space after it', c.pos, c.pos + 1);
      }
      return out;
    }
    out += ch;
    c.pos++;
  }
  throw new ParseError('unterminated quote: add a closing "', open, c.text.length);
}

function readWord(c: Cursor): string {
  const start = c.pos;
  while (c.pos < c.text.length && !/\s/.test(c.text[c.pos])) c.pos++;
  return c.text.slice(start, c.pos);
}

function parseTerm(c: Cursor): Matcher {
  const termStart = c.pos;
  let negate = false;
  if (c.text[c.pos] === '-') {
    negate = true;
    c.pos++;
    if (c.pos >= c.text.length || /\s/.test(c.text[c.pos])) throw new ParseError('"-" must be followed by a term to exclude', termStart, termStart + 1);
  }
  const m = /^([A-Za-z_%]+)(>=|<=|!=|>|<|=|:|~)/.exec(c.text.slice(c.pos));
  let matcher: Matcher;
  if (m) {
    const nameStart = c.pos;
    const rawName = m[1].toLowerCase();
    const name = ALIASES[rawName] ?? rawName;
    const def = FIELDS[name];
    const op = m[2] as Op;
    const opStart = c.pos + m[1].length;
    if (!def) {
      throw new ParseError(`unknown field "${m[1]}" (fields: ${Object.keys(FIELDS).join(', ')}; quote the text to search for it literally)`, nameStart, opStart);
    }
    c.pos = opStart + op.length;
    const vStart = c.pos;
    const value = c.text[c.pos] === '"' ? readQuoted(c) : readWord(c);
    const vEnd = c.pos;
    matcher =
      def.kind === 'text' ? textMatcher(name, def, op, value, vStart, vEnd, opStart, nameStart) : numberMatcher(name, def, op, value, vStart, vEnd, opStart, nameStart);
  } else {
    const word = c.text[c.pos] === '"' ? readQuoted(c) : readWord(c);
    const needle = word.toLowerCase();
    matcher = (t, i) => t.comm[i].toLowerCase().includes(needle) || t.cmdline[i].toLowerCase().includes(needle);
  }
  return negate ? (t, i) => !matcher(t, i) : matcher;
}

/** Parses a filter once; `match` is then cheap enough to run over every row at every tick. */
export function parseProcessFilter(text: string): ProcessFilter {
  const c: Cursor = { text, pos: 0 };
  const terms: Matcher[] = [];
  try {
    for (;;) {
      while (c.pos < text.length && /\s/.test(text[c.pos])) c.pos++;
      if (c.pos >= text.length) break;
      terms.push(parseTerm(c));
    }
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, error: { message: err.message, start: err.start, end: Math.max(err.end, err.start + 1) } };
    throw err;
  }
  return { ok: true, match: (t, i) => terms.every((m) => m(t, i)) };
}
