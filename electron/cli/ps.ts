import { parseProcessFilter, PROCESS_FILTER_FIELDS } from '../contract/process-filter';
import type { ProcessTable } from '../contract/processes';
import { ProcessCollector } from '../services/processes/reading/collector';
import { openReader } from '../services/processes/reading/reader';
import { EXIT, parseArgs, type Verb } from './verb';

/** Rates need two reads; 200 ms is enough for /proc's 10 ms clock ticks. */
const INTERVAL_MS = 200;

type Row = { [K in Exclude<keyof ProcessTable, 'ts' | 'count'>]: ProcessTable[K][number] };

/** One process as an object: every column of the table under its own name. */
export function rowObject(t: ProcessTable, i: number): Row {
  const out: Record<string, unknown> = {};
  for (const [key, col] of Object.entries(t)) if (Array.isArray(col)) out[key] = col[i];
  return out as Row;
}

/** `--sort` keys: numbers sort largest first (as a "top" list reads), pid and name ascending. */
export const SORT_KEYS: Record<string, (t: ProcessTable, a: number, b: number) => number> = {
  pid: (t, a, b) => t.pid[a] - t.pid[b],
  name: (t, a, b) => t.comm[a].localeCompare(t.comm[b]) || t.pid[a] - t.pid[b],
  cpu: (t, a, b) => t.cpuPercent[b] - t.cpuPercent[a] || t.pid[a] - t.pid[b],
  mem: (t, a, b) => t.rssBytes[b] - t.rssBytes[a] || t.pid[a] - t.pid[b],
  rss: (t, a, b) => t.rssBytes[b] - t.rssBytes[a] || t.pid[a] - t.pid[b],
  threads: (t, a, b) => t.threads[b] - t.threads[a] || t.pid[a] - t.pid[b],
  time: (t, a, b) => t.cpuTimeMs[b] - t.cpuTimeMs[a] || t.pid[a] - t.pid[b],
  start: (t, a, b) => t.startTicks[b] - t.startTicks[a] || t.pid[a] - t.pid[b],
};

/** Indices in display order with their depth: sorted (pid by default), children under parents when `tree`. */
export function orderRows(t: ProcessTable, rows: number[], tree: boolean, sort = 'pid'): { i: number; depth: number }[] {
  const by = SORT_KEYS[sort] ?? SORT_KEYS.pid;
  const sorted = [...rows].sort((a, b) => by(t, a, b));
  if (!tree) return sorted.map((i) => ({ i, depth: 0 }));
  const present = new Set(sorted.map((i) => t.pid[i]));
  const children = new Map<number, number[]>();
  const roots: number[] = [];
  for (const i of sorted) {
    const parent = t.ppid[i];
    if (parent !== t.pid[i] && present.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(i);
      children.set(parent, list);
    } else roots.push(i);
  }
  const out: { i: number; depth: number }[] = [];
  const visit = (i: number, depth: number) => {
    out.push({ i, depth });
    for (const c of children.get(t.pid[i]) ?? []) visit(c, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  return out;
}

function kib(bytes: number): string {
  return String(Math.round(bytes / 1024));
}

/** The table as `ps` prints it: PID PPID USER STAT NLWP RSS VSZ NI %CPU %MEM COMMAND. */
export function formatTable(t: ProcessTable, order: { i: number; depth: number }[], width = Infinity): string {
  const header = ['PID', 'PPID', 'USER', 'S', 'NLWP', 'RSS', 'VSZ', 'NI', '%CPU', '%MEM'];
  const cells = order.map(({ i }) => [
    String(t.pid[i]),
    String(t.ppid[i]),
    t.user[i],
    t.state[i],
    String(t.threads[i]),
    kib(t.rssBytes[i]),
    kib(t.vszBytes[i]),
    String(t.nice[i]),
    t.cpuPercent[i].toFixed(1),
    t.memPercent[i].toFixed(1),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  const left = new Set([2, 3]);
  const line = (r: string[]) => r.map((v, c) => (left.has(c) ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(' ');
  let out = `${line(header)} COMMAND\n`;
  order.forEach(({ i, depth }, k) => {
    const command = t.cmdline[i] || `[${t.comm[i]}]`;
    const text = `${line(cells[k])} ${depth ? `${'  '.repeat(depth - 1)} \\_ ` : ''}${command}`;
    out += (text.length > width ? text.slice(0, width) : text) + '\n';
  });
  return out;
}

/** What `vantage ps --help` prints: the options and the filter language with every field. */
export function helpText(): string {
  const fields = PROCESS_FILTER_FIELDS.map((f) => `    ${f.name.padEnd(8)} ${f.kind.padEnd(8)} ${f.help}`).join('\n');
  return `usage: vantage ps [--json] [--tree] [--sort KEY] [--filter EXPR]

Every process once, like ps, with CPU% measured over 200 ms.
  --json          one object per process with every column
  --tree          children under their parents
  --sort KEY      ${Object.keys(SORT_KEYS).join(', ')} (numbers largest first; default pid)
  --filter EXPR   keep the processes that match every term of EXPR:
    firefox              name or command line contains it
    "web content"        quoted words are one term
    user:root            field:value (user/state/tty/pid equal; name/cmd/cgroup contain)
    name~^kworker        regular expression
    cpu>5 rss>=100M      numbers: > < >= <= = != (sizes take K M G T)
    -term                exclude what matches
  fields:
${fields}
`;
}

/** `vantage ps`: every process once, with CPU% over a short interval, like ps but with the filter language. */
export const ps: Verb = {
  name: 'ps',
  usage: 'ps [--json] [--tree] [--sort KEY] [--filter EXPR]',
  summary: 'every process once (CPU% over 200 ms); --filter "user:root cpu>5 rss>100M -name~^kworker"',
  async run(args) {
    const { flags, positionals } = parseArgs(args, { booleans: ['json', 'tree', 'help'], strings: ['filter', 'sort'] });
    if (flags.help) {
      process.stdout.write(helpText());
      return EXIT.ok;
    }
    const sort = typeof flags.sort === 'string' ? flags.sort : 'pid';
    if (!SORT_KEYS[sort]) {
      process.stderr.write(`vantage ps: cannot sort by "${sort}"; use one of ${Object.keys(SORT_KEYS).join(', ')}\n`);
      return EXIT.usage;
    }
    if (positionals.length) {
      process.stderr.write(`vantage ps: unexpected argument "${positionals[0]}" (quote the filter: --filter "${positionals.join(' ')}")\n`);
      return EXIT.usage;
    }
    const text = typeof flags.filter === 'string' ? flags.filter : '';
    const filter = parseProcessFilter(text);
    if (!filter.ok) {
      const { message, start, end } = filter.error;
      process.stderr.write(`vantage ps: bad filter: ${message}\n  ${text}\n  ${' '.repeat(start)}${'^'.repeat(end - start)}\n`);
      return EXIT.usage;
    }
    const reader = openReader();
    if (reader.kind === 'fallback') process.stderr.write(`vantage ps: using the slower TypeScript reader: ${reader.reason}\n`);
    const collector = new ProcessCollector(reader);
    collector.sample();
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    const t = collector.sample().table;
    const self = process.pid;
    const rows: number[] = [];
    for (let i = 0; i < t.count; i++) if (t.pid[i] !== self && filter.match(t, i)) rows.push(i);
    const order = orderRows(t, rows, Boolean(flags.tree), sort);
    if (flags.json) {
      const list = order.map(({ i, depth }) => (flags.tree ? { ...rowObject(t, i), depth } : rowObject(t, i)));
      process.stdout.write(JSON.stringify(list, null, 1) + '\n');
      return EXIT.ok;
    }
    process.stdout.write(formatTable(t, order, process.stdout.isTTY ? process.stdout.columns : Infinity));
    return EXIT.ok;
  },
};
