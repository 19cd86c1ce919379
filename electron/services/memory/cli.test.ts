import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../history/store';
import { procSeriesName } from './leaks';
import { readStat } from './process-memory';

const root = new URL('../../../', import.meta.url).pathname;

function vantage(args: string[], env: Record<string, string>): { code: number; out: string; err: string } {
  try {
    const out = execFileSync(process.execPath, ['bin/vantage.mjs', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: 'pipe' }).toString();
    return { code: 0, out, err: '' };
  } catch (e) {
    const x = e as { status: number; stdout: Buffer; stderr: Buffer };
    return { code: x.status, out: x.stdout.toString(), err: x.stderr.toString() };
  }
}

describe('vantage mem / maps / leaks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vantage-memcli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('mem --json prints the breakdown and the top consumers ordered by PSS', () => {
    const r = vantage(['mem', '--json', '--top', '5'], { VANTAGE_DATA_DIR: dir });
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.out);
    expect(snap.breakdown.totalBytes).toBeGreaterThan(0);
    expect(snap.top.length).toBeLessThanOrEqual(5);
    const pss = snap.top.map((p: { pssBytes: number | null; rssBytes: number }) => p.pssBytes ?? p.rssBytes);
    expect([...pss].sort((a, b) => b - a)).toEqual(pss);
    expect(vantage(['mem'], { VANTAGE_DATA_DIR: dir }).out).toMatch(/commit limit/);
  });

  it('maps PID --json groups the regions; a bad pid is a usage error, a gone one fails with ESRCH', () => {
    const r = vantage(['maps', String(process.pid), '--json'], { VANTAGE_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).groups.some((g: { kind: string }) => g.kind === 'heap')).toBe(true);
    expect(vantage(['maps', 'abc'], { VANTAGE_DATA_DIR: dir }).code).toBe(2);
    const gone = vantage(['maps', '4000000'], { VANTAGE_DATA_DIR: dir });
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/ESRCH/);
  });

  it('leaks --json reads the recorded history and reports slope and fit', () => {
    // History as a running app would have written it, up to now (the window ends when the verb
    // runs): this test process "grows" 64 KiB/s, steadily.
    const history = new HistoryStore(join(dir, 'history.db'));
    const start = readStat(process.pid).startTime;
    const now = Date.now();
    for (let i = 30; i >= 0; i--) {
      history.record(now - i * 1000, { [procSeriesName(process.pid, start, 'uss')]: 100e6 + (30 - i) * 65536 });
    }
    history.close();
    const r = vantage(['leaks', '--json', '--window', '20'], { VANTAGE_DATA_DIR: dir });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { pid: number; comm: string; bytesPerSecond: number; r2: number; windowSeconds: number }[];
    const me = rows.find((x) => x.pid === process.pid)!;
    expect(me.bytesPerSecond).toBeCloseTo(65536, 0);
    expect(me.r2).toBeCloseTo(1, 5);
    expect(me.windowSeconds).toBe(20);
    expect(Object.keys(me).sort()).toEqual(['bytesPerSecond', 'comm', 'pid', 'r2', 'windowSeconds']);
  });
});
