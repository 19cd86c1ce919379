// Engine benchmark: our engine vs better-sqlite3 (both file-backed in a temp dir) vs sql.js (memory).
// Run: node --import tsx bench/engine/run.ts [--rows N] [--repeat R] [--memory] [--only vantage|better-sqlite3|sql.js]
//        [--engines vantage,sql.js] [--better-binding FILE] [--processes P]
//
// First runs depend on the JavaScript engine's tiers, so the header names the Node and V8 that ran.
// The app itself runs on Electron's newer V8. To measure under another Node, point
// --better-binding at a better_sqlite3.node built for it (node-gyp rebuild --nodedir=...), or leave
// better-sqlite3 out with --engines.
//
// Our engine and better-sqlite3 write to files (WAL, fsync at commit, checkpoints); sql.js can only
// keep its database in memory. --memory opens all three in memory, which compares the engines
// without the cost of durability.
//
// The insert runs 3 times per engine, each into a fresh, empty database (the read cases use the last
// one); every read case runs R times (default 10). The first run pays for warming up (V8 compiling
// our engine's hot paths; sql.js tiering up its WebAssembly), and it takes V8 a few runs to finish
// optimising the scan loops. Both are printed: the first run, and the steady state of a long-lived
// process as the median of the last half of the runs. (One insert of a few seconds on a shared
// machine is too noisy to compare alone.)
//
// A first run happens once per process, so one process gives one sample of it. --processes P runs
// the whole protocol in P fresh processes, one after another, and prints the median of each cell.
import BetterSqlite from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import initSqlJs from 'sql.js';
import { Database } from '../../electron/engine/index';

const argRows = process.argv.indexOf('--rows');
const N = argRows > 0 ? Number(process.argv[argRows + 1]) : 1_000_000;
const POINT = Math.min(200_000, N);
const LOOKUPS = Math.min(10_000, N);
const argRepeat = process.argv.indexOf('--repeat');
const REPEAT = Math.max(2, argRepeat > 0 ? Number(process.argv[argRepeat + 1]) : 10);
const INSERT_REPEAT = 3;
const memory = process.argv.includes('--memory');
const argBinding = process.argv.indexOf('--better-binding');
const nativeBinding = argBinding > 0 ? path.resolve(process.argv[argBinding + 1]) : undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'vantage-bench-'));

/** Deletes a closed database's files from the temp dir (the WAL and lock files too, where left). */
function dropFiles(name: string): void {
  for (const suffix of ['', '-wal', '-shm', '-lock']) rmSync(path.join(dir, name + suffix), { force: true });
}

/** The three engines behind one tiny interface so every case runs the same SQL. */
interface Engine {
  name: string;
  /** Closes the database and opens a new, empty one in its place. */
  fresh(): void;
  exec(sql: string): void;
  /** Prepared statement run many times; returns rows of the last run for a sanity check. */
  many(sql: string, params: unknown[][]): unknown[][];
  all(sql: string): unknown[][];
  close(): void;
}

function ours(): Engine {
  let n = 0;
  const open = () => Database.open(memory ? ':memory:' : path.join(dir, `ours-${n++}.db`));
  let db = open();
  return {
    name: 'vantage',
    fresh() {
      db.close();
      dropFiles(`ours-${n - 1}.db`);
      db = open();
    },
    exec: (sql) => db.exec(sql),
    many(sql, params) {
      const st = db.prepare(sql);
      let last: unknown[][] = [];
      for (const p of params) last = st.all(p);
      return last;
    },
    all: (sql) => db.query(sql).rows,
    close: () => db.close(),
  };
}

function better(): Engine {
  let n = 0;
  const open = () => {
    const db = new BetterSqlite(memory ? ':memory:' : path.join(dir, `better-${n++}.db`), { nativeBinding });
    if (!memory) db.pragma('journal_mode = WAL');
    return db;
  };
  let db = open();
  return {
    name: 'better-sqlite3',
    fresh() {
      db.close();
      dropFiles(`better-${n - 1}.db`);
      db = open();
    },
    exec: (sql) => db.exec(sql),
    many(sql, params) {
      const st = db.prepare(sql);
      let last: unknown[][] = [];
      if (st.reader) for (const p of params) last = st.raw().all(...p) as unknown[][];
      else for (const p of params) st.run(...p);
      return last;
    },
    all: (sql) => db.prepare(sql).raw().all() as unknown[][],
    close: () => db.close(),
  };
}

async function sqljs(): Promise<Engine> {
  const SQL = await initSqlJs();
  let db = new SQL.Database();
  return {
    name: 'sql.js',
    fresh() {
      db.close();
      db = new SQL.Database();
    },
    exec: (sql) => db.exec(sql),
    many(sql, params) {
      const st = db.prepare(sql);
      let last: unknown[][] = [];
      for (const p of params) {
        st.bind(p as never);
        last = [];
        while (st.step()) last.push(st.get());
        st.reset();
      }
      st.free();
      return last;
    },
    all: (sql) => db.exec(sql)[0]?.values ?? [],
    close: () => db.close(),
  };
}

const cases: { name: string; repeat?: number; run(e: Engine): unknown }[] = [
  {
    name: `insert ${N} rows (1 tx)`,
    repeat: INSERT_REPEAT,
    run(e) {
      e.fresh();
      e.exec('CREATE TABLE items(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, score REAL)');
      e.exec('CREATE TABLE groups(id INTEGER PRIMARY KEY, label TEXT)');
      e.exec('CREATE TABLE tags(item INTEGER, tag TEXT)');
      const rows = Array.from({ length: N }, (_, i) => [i + 1, i % 1000, `name-${i}`, (i * 7919) % 10007 / 3]);
      e.exec('BEGIN');
      e.many('INSERT INTO items VALUES(?, ?, ?, ?)', rows);
      e.many('INSERT INTO groups VALUES(?, ?)', Array.from({ length: 1000 }, (_, i) => [i, `g${i}`]));
      e.many('INSERT INTO tags VALUES(?, ?)', Array.from({ length: Math.min(N, 100_000) }, (_, i) => [i * 3 + 1, `t${i % 50}`]));
      e.exec('COMMIT');
      e.exec('CREATE INDEX items_name ON items(name)');
    },
  },
  {
    name: `${POINT} point selects by PK`,
    run: (e) => e.many('SELECT name FROM items WHERE id = ?', Array.from({ length: POINT }, (_, i) => [((i * 7919) % N) + 1])),
  },
  { name: 'range scan (10% of rows)', run: (e) => e.all(`SELECT count(*), sum(score) FROM items WHERE id BETWEEN ${Math.floor(N / 2)} AND ${Math.floor(N / 2 + N / 10)}`) },
  {
    name: `${LOOKUPS} lookups on secondary index`,
    run: (e) => e.many('SELECT id FROM items WHERE name = ?', Array.from({ length: LOOKUPS }, (_, i) => [`name-${(i * 104729) % N}`])),
  },
  { name: `GROUP BY over ${N} rows`, run: (e) => e.all('SELECT grp, count(*), avg(score) FROM items GROUP BY grp') },
  { name: 'three-table join', run: (e) => e.all("SELECT g.label, count(*) FROM tags t JOIN items i ON i.id = t.item JOIN groups g ON g.id = i.grp WHERE t.tag = 't7' GROUP BY g.label") },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** What one process measured: engine names, and first[case][engine] and steady[case][engine] in ms. */
interface Measured {
  names: string[];
  first: number[][];
  steady: number[][];
}

/** Runs the protocol over the chosen engines in this process. */
async function measure(makers: [string, () => Engine | Promise<Engine>][]): Promise<Measured> {
  const first: number[][] = cases.map(() => []);
  const steady: number[][] = cases.map(() => []);
  // Each engine is opened just before its own cases: sql.js compiles its WebAssembly module on V8's
  // background threads, which would otherwise still be busy (and delay the JIT of whichever engine
  // runs first) during another engine's timings.
  for (const [ei, [, make]] of makers.entries()) {
    const e = await make();
    for (const [ci, c] of cases.entries()) {
      const runs: number[] = [];
      for (let r = 0; r < (c.repeat ?? REPEAT); r++) {
        const t0 = performance.now();
        c.run(e);
        runs.push(performance.now() - t0);
      }
      first[ci][ei] = runs[0];
      steady[ci][ei] = median(runs.slice(Math.floor(runs.length / 2)));
      process.stderr.write(`${e.name}: ${c.name}: ${runs.map((t) => t.toFixed(1)).join(' ')} ms\n`);
    }
    e.close();
  }
  return { names: makers.map(([name]) => name), first, steady };
}

/** Runs this script again in `count` fresh processes (without --processes) and collects what each measured. */
function inProcesses(count: number): Measured[] {
  const at = process.argv.indexOf('--processes');
  const args = [...process.argv.slice(1, at), ...process.argv.slice(at + 2), '--json'];
  const out: Measured[] = [];
  for (let i = 0; i < count; i++) {
    process.stderr.write(`process ${i + 1} of ${count}\n`);
    const child = spawnSync(process.execPath, [...process.execArgv, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    const line = child.stdout.split('\n').find((l) => l.startsWith(JSON_MARK));
    if (child.status !== 0 || !line) throw new Error(`bench process ${i + 1} failed (exit ${child.status})`);
    out.push(JSON.parse(line.slice(JSON_MARK.length)) as Measured);
  }
  return out;
}

const JSON_MARK = '@@bench ';

async function main(): Promise<void> {
  // `--only vantage` (or better-sqlite3, sql.js) runs one engine, for quick profiling runs.
  const argOnly = process.argv.indexOf('--only');
  const only = argOnly > 0 ? process.argv[argOnly + 1] : null;
  const engines: [string, () => Engine | Promise<Engine>][] = [['vantage', ours], ['better-sqlite3', better], ['sql.js', sqljs]];
  const argEngines = process.argv.indexOf('--engines');
  const chosen = argEngines > 0 ? process.argv[argEngines + 1].split(',') : null;
  const makers = chosen ? engines.filter(([name]) => chosen.includes(name)) : engines;
  if (makers[0]?.[0] !== 'vantage') throw new Error(`--engines: name vantage and any of better-sqlite3, sql.js (got ${chosen})`);
  if (only) {
    const e = await engines.find(([name]) => name === only)![1]();
    for (const c of cases) {
      const t0 = performance.now();
      c.run(e);
      console.log(`${c.name}: ${(performance.now() - t0).toFixed(1)} ms`);
    }
    e.close();
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const argProcesses = process.argv.indexOf('--processes');
  const processes = argProcesses > 0 ? Number(process.argv[argProcesses + 1]) : 0;
  if (argProcesses > 0 && !(Number.isInteger(processes) && processes >= 1)) throw new Error(`--processes: a whole number of at least 1 (got ${process.argv[argProcesses + 1]})`);
  let measured: Measured;
  if (processes > 0) {
    const all = inProcesses(processes);
    const cell = (pick: (m: Measured) => number[][]) => cases.map((_, ci) => makers.map((__, ei) => median(all.map((m) => pick(m)[ci][ei]))));
    measured = { names: all[0].names, first: cell((m) => m.first), steady: cell((m) => m.steady) };
  } else measured = await measure(makers);
  rmSync(dir, { recursive: true, force: true });
  if (process.argv.includes('--json')) {
    console.log(JSON_MARK + JSON.stringify(measured));
    return;
  }
  const { names, first, steady } = measured;
  const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
  const table = (title: string, times: number[][], rows: number[]) => {
    console.log(`\n${title}`);
    const others = names.slice(1);
    const header = ['case', ...names, ...others.map((o) => `ours/${o === 'better-sqlite3' ? 'better' : o}`)];
    const body = rows.map((i) => [cases[i].name, ...times[i].map(fmt), ...others.map((_, k) => (times[i][0] / times[i][k + 1]).toFixed(2) + '×')]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    for (const r of [header, widths.map((w) => '-'.repeat(w)), ...body]) console.log(r.map((v, i) => (i ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  '));
  };
  const all = cases.map((_, i) => i);
  const over = processes > 0 ? `, median over ${processes} processes` : '';
  console.log(`\nNode ${process.version}, V8 ${process.versions.v8}`);
  console.log(memory ? 'Every engine in memory (--memory)' : 'vantage and better-sqlite3 on files (WAL, fsync at commit); sql.js in memory');
  table(`Steady state (median of runs ${Math.floor(REPEAT / 2) + 1}-${REPEAT}; of the insert's ${INSERT_REPEAT} runs, ${Math.floor(INSERT_REPEAT / 2) + 1}-${INSERT_REPEAT}${over})`, steady, all);
  table(`First run of each case (includes warm-up${over})`, first, all);
}

await main();
