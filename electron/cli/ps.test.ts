import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boostAutogroup, busyCommand, startReady, stopChild } from '../services/processes/reading/testing/children';

const root = new URL('../../', import.meta.url).pathname;

/** Runs `vantage ps ARGS` (the verb itself, as bin/vantage.mjs does) and collects its output. */
function vantagePs(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `import(${JSON.stringify(new URL('./ps.ts', import.meta.url).pathname)}).then(async (m) => { process.exitCode = await m.ps.run(${JSON.stringify(args)}); })`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, maxBuffer: 64 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function psPids(): Set<number> {
  return new Set(
    execFileSync('ps', ['-e', '-o', 'pid='])
      .toString()
      .split('\n')
      .filter(Boolean)
      .map(Number),
  );
}

describe('vantage ps', () => {
  let sleeper: ChildProcess;
  let grandchild: ChildProcess;
  let busy: ChildProcess;

  beforeAll(async () => {
    sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    // A shell with a child of its own, for the tree.
    grandchild = spawn('sh', ['-c', 'sleep 601 & wait'], { stdio: 'ignore', detached: true });
    busy = (await startReady(...busyCommand([process.execPath, '-e', 'process.stdout.write("ready\\n"); for (;;) {}']))).child;
    boostAutogroup(busy.pid!);
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    sleeper.kill('SIGKILL');
    process.kill(-grandchild.pid!, 'SIGKILL');
    await stopChild(busy);
  });

  it('--json lists every process ps lists, with the fields ps shows and the collector adds', async () => {
    const before = psPids();
    const r = await vantagePs(['--json']);
    const after = psPids();
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    const ours = new Set(rows.map((p) => p.pid as number));
    for (const pid of before) if (after.has(pid)) expect(ours.has(pid), `pid ${pid} seen by ps`).toBe(true);
    const s = rows.find((p) => p.pid === sleeper.pid)!;
    expect(s).toMatchObject({ ppid: process.pid, user: 'root', state: 'S', threads: 1, nice: 0, comm: 'sleep', cmdline: 'sleep 600', kernel: false });
    expect(s.rssBytes as number).toBeGreaterThan(0);
    expect(s.vszBytes as number).toBeGreaterThan(s.rssBytes as number);
    for (const key of ['cpuPercent', 'memPercent', 'readBytesPerSec', 'ctxSwitchesPerSec', 'startTicks', 'startedAt', 'cgroup', 'tty', 'wchan']) {
      expect(s, key).toHaveProperty(key);
    }
    // CPU% is measured over two reads, so a busy process shows it on the first run (how much of
    // a core it got in those 200 ms depends on the neighbours on a shared machine).
    expect(rows.find((p) => p.pid === busy.pid)!.cpuPercent as number).toBeGreaterThan(10);
    expect(s.cpuPercent).toBe(0);
  });

  it('prints a table like ps, with the command line last', async () => {
    const r = await vantagePs([]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^\s*PID\s+PPID\s+USER\s+S\s+NLWP\s+RSS\s+VSZ\s+NI\s+%CPU\s+%MEM\s+COMMAND$/);
    const line = lines.find((l) => l.trim().startsWith(`${sleeper.pid} `))!;
    expect(line).toMatch(new RegExp(`^\\s*${sleeper.pid}\\s+${process.pid}\\s+root\\s+S\\s+1\\s+\\d+\\s+\\d+\\s+0\\s+\\d+\\.\\d\\s+\\d+\\.\\d sleep 600$`));
    expect(lines.some((l) => / \[kthreadd\]$/.test(l))).toBe(true);
  });

  it('--tree puts children under their parent', async () => {
    const r = await vantagePs(['--tree', '--filter', 'cmd:"sleep 601" -name=sh']);
    expect(r.code).toBe(0);
    // The filter keeps only the sleep; its shell parent is filtered out, so it is a root.
    const kept = r.stdout.split('\n').filter(Boolean);
    expect(kept).toHaveLength(2);
    expect(kept[1]).toMatch(/\d sleep 601$/);
    const all = await vantagePs(['--tree']);
    const lines = all.stdout.split('\n');
    const shell = lines.findIndex((l) => l.endsWith("sh -c sleep 601 & wait"));
    expect(shell).toBeGreaterThan(0);
    const indent = (l: string) => l.indexOf('\\_');
    expect(lines[shell + 1]).toMatch(/\\_ sleep 601$/);
    expect(indent(lines[shell + 1])).toBeGreaterThan(indent(lines[shell]));
  });

  it('--filter keeps only matching processes', async () => {
    const r = await vantagePs(['--json', '--filter', `pid=${sleeper.pid}`]);
    expect((JSON.parse(r.stdout) as { pid: number }[]).map((p) => p.pid)).toEqual([sleeper.pid]);
    const sleeps = JSON.parse((await vantagePs(['--json', '--filter', 'name=sleep user:root -cmd:601'])).stdout) as { pid: number; cmdline: string }[];
    expect(sleeps.map((p) => p.pid)).toContain(sleeper.pid);
    expect(sleeps.every((p) => !p.cmdline.includes('601'))).toBe(true);
  });

  it('says so on stderr when it falls back to the TypeScript reader, and still lists everything', async () => {
    const r = await vantagePs(['--json', '--filter', `pid=${sleeper.pid}`], { VANTAGE_PROC_READER: 'fallback' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('using the slower TypeScript reader: forced by VANTAGE_PROC_READER=fallback');
    expect(JSON.parse(r.stdout)).toMatchObject([{ pid: sleeper.pid, comm: 'sleep', cmdline: 'sleep 600' }]);
  });

  it('--help explains the options and every filter field', async () => {
    const r = await vantagePs(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: vantage ps \[--json\] \[--tree\] \[--sort KEY\] \[--filter EXPR\]/);
    for (const field of ['user', 'cpu', 'rss', 'cgroup', 'read']) expect(r.stdout).toMatch(new RegExp(`^    ${field} `, 'm'));
  });

  it('--sort orders by a column, largest first for numbers; an unknown key exits 2', async () => {
    const rows = JSON.parse((await vantagePs(['--json', '--sort', 'rss'])).stdout) as { pid: number; rssBytes: number }[];
    for (let k = 1; k < rows.length; k++) expect(rows[k - 1].rssBytes).toBeGreaterThanOrEqual(rows[k].rssBytes);
    const byCpu = JSON.parse((await vantagePs(['--json', '--sort', 'cpu'])).stdout) as { pid: number; cpuPercent: number }[];
    for (let k = 1; k < byCpu.length; k++) expect(byCpu[k - 1].cpuPercent).toBeGreaterThanOrEqual(byCpu[k].cpuPercent);
    const bad = await vantagePs(['--sort', 'colour']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot sort by "colour"');
  });

  it('a bad filter exits 2 and points at the mistake', async () => {
    const r = await vantagePs(['--filter', 'cpu>lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad filter: cpu expects a number');
    expect(r.stderr).toContain('  cpu>lots\n      ^^^^\n');
    expect(r.stdout).toBe('');
  });
});
