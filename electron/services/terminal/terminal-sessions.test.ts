import { afterEach, describe, expect, it } from 'vitest';
import type { TerminalEvent } from '../../contract/terminal';
import { TerminalSessions } from './terminal-sessions';

const until = async (cond: () => boolean, what: string) => {
  const t = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > t) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

function collect(sessions: TerminalSessions, owner: string, id: string) {
  const events: TerminalEvent[] = [];
  const stop = sessions.attach(owner, id, (e) => events.push(e));
  const text = () => events.map((e) => (e.type === 'data' ? e.data : '')).join('');
  const exit = () => events.find((e) => e.type === 'exit') as Extract<TerminalEvent, { type: 'exit' }> | undefined;
  return { events, stop, text, exit };
}

describe('TerminalSessions (real pseudo-terminals)', () => {
  const sessions = new TerminalSessions();
  afterEach(() => sessions.closeAll());

  it('echoes what is typed through a real shell', async () => {
    const t = sessions.open('c1', { cols: 80, rows: 24, command: ['/bin/sh'] });
    expect(t.pid).toBeGreaterThan(0);
    const out = collect(sessions, 'c1', t.id);
    sessions.write('c1', t.id, 'echo vantage-$((6*7))\n');
    await until(() => out.text().includes('vantage-42'), 'the echo');
  });

  it('resizes the pty: stty size reports the new size', async () => {
    const t = sessions.open('c1', { cols: 80, rows: 24, command: ['/bin/sh'] });
    const out = collect(sessions, 'c1', t.id);
    sessions.resize('c1', t.id, 132, 40);
    sessions.write('c1', t.id, 'stty size\n');
    await until(() => out.text().includes('40 132'), 'stty size');
    expect(sessions.list('c1').find((s) => s.id === t.id)).toMatchObject({ cols: 132, rows: 40 });
  });

  it('reports the exit status, and replays scrollback and exit to a late attach', async () => {
    const t = sessions.open('c1', { cols: 80, rows: 24, command: ['/bin/sh', '-c', 'echo bye; exit 3'] });
    const out = collect(sessions, 'c1', t.id);
    await until(() => out.exit() !== undefined, 'exit');
    expect(out.exit()).toMatchObject({ exitCode: 3 });
    const late = collect(sessions, 'c1', t.id);
    expect(late.text()).toContain('bye');
    expect(late.exit()).toMatchObject({ exitCode: 3 });
    expect(() => sessions.write('c1', t.id, 'x')).toThrow(/exited/);
  });

  it('keeps clients apart: another client cannot see or touch a terminal', () => {
    const t = sessions.open('c1', { cols: 80, rows: 24, command: ['/bin/sh'] });
    expect(sessions.list('c2')).toEqual([]);
    expect(() => sessions.write('c2', t.id, 'x')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('refuses a missing working directory or program with NOT_FOUND', () => {
    expect(() => sessions.open('c1', { cols: 80, rows: 24, cwd: '/no/such/dir' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('closeAll ends every terminal of a client with SIGHUP', async () => {
    const a = sessions.open('c1', { cols: 80, rows: 24, command: ['/bin/sh'] });
    const b = sessions.open('c1', { cols: 80, rows: 24, command: ['sleep', '60'] });
    const other = sessions.open('c2', { cols: 80, rows: 24, command: ['/bin/sh'] });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    sessions.closeAll('c1');
    expect(sessions.list('c1')).toEqual([]);
    await until(() => !alive(a.pid) && !alive(b.pid), 'both gone');
    expect(alive(other.pid)).toBe(true);
  });
});
