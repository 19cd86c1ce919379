import { createInterface } from 'node:readline';
import { realText } from '../contract/sql';
import { Database, SqlError } from '../engine/index';
import { EXIT, parseArgs, type Verb } from './verb';

function cell(v: unknown, cls: string | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Uint8Array) return 'x' + Buffer.from(v).toString('hex');
  if (typeof v === 'number' && cls === 'real' && Number.isInteger(v)) return realText(v);
  return String(v);
}

/**
 * Columns padded to their widest value, numbers right-aligned like most SQL shells. `classes` are
 * the values' storage classes (QueryResult.classes), when known.
 */
export function formatTable(columns: string[], rows: unknown[][], classes?: string[][]): string {
  if (!columns.length) return '';
  const text = rows.map((r, ri) => r.map((v, ci) => cell(v, classes?.[ri][ci])));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i].length)));
  const line = (vals: string[], raw?: unknown[]) =>
    vals.map((v, i) => (typeof raw?.[i] === 'number' ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map((r, i) => line(r, rows[i]))].join('\n') + '\n';
}

function runOne(db: Database, sql: string, json: boolean): void {
  const r = db.query(sql, undefined, { classes: true });
  const names = r.columns.map((c) => c.name);
  if (json) {
    const rows = r.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] instanceof Uint8Array ? Buffer.from(row[i] as Uint8Array).toString('hex') : row[i]])));
    process.stdout.write(JSON.stringify(rows) + '\n');
  } else process.stdout.write(formatTable(names, r.rows, r.classes));
}

function reportError(e: unknown): void {
  if (e instanceof SqlError) {
    const where = e.line !== undefined ? ` (line ${e.line}, column ${e.column})` : '';
    process.stderr.write(`error ${e.code}: ${e.message}${where}\n`);
  } else process.stderr.write(`error: ${(e as Error).message}\n`);
}

/** `vantage sql`: one-shot statements with -c, or an interactive shell on stdin. */
export const sql: Verb = {
  name: 'sql',
  usage: 'sql FILE|:memory: [-c SQL] [--json]',
  summary: 'run SQL against a Vantage engine database, or open an interactive shell',
  async run(args) {
    const { flags, positionals } = parseArgs(args, { booleans: ['json'], strings: ['c'] });
    const file = positionals[0] ?? ':memory:';
    let db: Database;
    try {
      db = Database.open(file);
    } catch (e) {
      reportError(e);
      return EXIT.failed;
    }
    try {
      if (typeof flags.c === 'string') {
        try {
          runOne(db, flags.c, !!flags.json);
          return EXIT.ok;
        } catch (e) {
          reportError(e);
          return EXIT.failed;
        }
      }
      return await shell(db, !!flags.json);
    } finally {
      db.close();
    }
  },
};

async function shell(db: Database, json: boolean): Promise<number> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let buffer = '';
  let failed = false;
  rl.setPrompt('vantage> ');
  if (process.stdin.isTTY) rl.prompt();
  for await (const line of rl) {
    const trimmed = line.trim();
    if (!buffer && trimmed.startsWith('.')) {
      const [cmd] = trimmed.split(/\s+/);
      if (cmd === '.quit' || cmd === '.exit') break;
      if (cmd === '.tables') process.stdout.write(db.schema().filter((s) => s.type !== 'index').map((s) => s.name).sort().join('  ') + '\n');
      else if (cmd === '.schema') process.stdout.write(db.schema().map((s) => s.sql + ';').join('\n') + '\n');
      else process.stderr.write(`unknown command ${cmd} (try .tables, .schema, .quit)\n`);
    } else {
      buffer += line + '\n';
      // A statement ends at a semicolon outside quotes; a cheap check is enough for a shell.
      if (/;\s*$/.test(trimmed)) {
        try {
          runOne(db, buffer, json);
        } catch (e) {
          failed = true;
          reportError(e);
        }
        buffer = '';
      }
    }
    if (process.stdin.isTTY) {
      rl.setPrompt(buffer ? '   ...> ' : 'vantage> ');
      rl.prompt();
    }
  }
  if (buffer.trim()) {
    try {
      runOne(db, buffer, json);
    } catch (e) {
      failed = true;
      reportError(e);
    }
  }
  rl.close();
  return failed ? EXIT.failed : EXIT.ok;
}
