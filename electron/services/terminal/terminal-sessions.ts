import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import * as pty from 'node-pty';
import type { TerminalEvent, TerminalSession } from '../../contract/terminal';
import { ServiceError } from '../../contract/errors';

const SCROLLBACK_BYTES = 256 * 1024;
const MAX_SESSIONS_PER_CLIENT = 32;

interface Session {
  info: TerminalSession;
  owner: string;
  pty: pty.IPty;
  scrollback: string[];
  scrollbackBytes: number;
  listeners: Set<(e: TerminalEvent) => void>;
}

/** The user's login shell: $SHELL if it exists, else the passwd entry, else /bin/sh. */
export function userShell(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHELL && existsSync(env.SHELL)) return env.SHELL;
  try {
    const shell = userInfo().shell;
    if (shell && existsSync(shell)) return shell;
  } catch {
    // No passwd entry (containers); fall through.
  }
  return '/bin/sh';
}

/**
 * Pseudo-terminals owned by clients (one renderer window or one WebSocket). Output is kept in a
 * bounded scrollback so a view that re-attaches shows what it missed.
 */
export class TerminalSessions {
  private sessions = new Map<string, Session>();
  private nextId = 1;

  open(
    owner: string,
    opts: { cols: number; rows: number; cwd?: string; command?: string[]; env?: Record<string, string>; title?: string },
  ): TerminalSession {
    const mine = [...this.sessions.values()].filter((s) => s.owner === owner && !s.info.exited);
    if (mine.length >= MAX_SESSIONS_PER_CLIENT) {
      throw new ServiceError('CONFLICT', `at most ${MAX_SESSIONS_PER_CLIENT} terminals can be open at once`);
    }
    const cwd = opts.cwd ?? process.env.HOME ?? '/';
    let isDir: boolean;
    try {
      isDir = statSync(cwd).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new ServiceError('NOT_FOUND', `working directory ${cwd} does not exist`);
    const [file, ...args] = opts.command ?? [userShell()];
    let proc: pty.IPty;
    try {
      proc = pty.spawn(file, args, {
        name: 'xterm-256color',
        cols: opts.cols,
        rows: opts.rows,
        cwd,
        env: { ...process.env, ...opts.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' } as Record<string, string>,
      });
    } catch (err) {
      throw new ServiceError('NOT_FOUND', `cannot start ${file}: ${(err as Error).message}`);
    }
    const id = `t${(this.nextId++).toString(36)}`;
    const session: Session = {
      info: { id, pid: proc.pid, shell: file, title: opts.title ?? file.split('/').pop()!, cols: opts.cols, rows: opts.rows, exited: null },
      owner,
      pty: proc,
      scrollback: [],
      scrollbackBytes: 0,
      listeners: new Set(),
    };
    proc.onData((data) => {
      session.scrollback.push(data);
      session.scrollbackBytes += data.length;
      while (session.scrollbackBytes > SCROLLBACK_BYTES && session.scrollback.length > 1) {
        session.scrollbackBytes -= session.scrollback.shift()!.length;
      }
      for (const l of session.listeners) l({ type: 'data', data });
    });
    proc.onExit(({ exitCode, signal }) => {
      session.info.exited = { exitCode, signal: signal ?? null };
      for (const l of session.listeners) l({ type: 'exit', exitCode, signal: signal ?? null });
    });
    this.sessions.set(id, session);
    return { ...session.info };
  }

  write(owner: string, id: string, data: string): void {
    const s = this.get(owner, id);
    if (s.info.exited) throw new ServiceError('CONFLICT', `terminal ${id} has exited`);
    s.pty.write(data);
  }

  resize(owner: string, id: string, cols: number, rows: number): void {
    const s = this.get(owner, id);
    if (s.info.exited) return;
    s.pty.resize(cols, rows);
    s.info.cols = cols;
    s.info.rows = rows;
  }

  close(owner: string, id: string): void {
    const s = this.get(owner, id);
    this.sessions.delete(id);
    if (!s.info.exited) s.pty.kill('SIGHUP');
  }

  list(owner: string): TerminalSession[] {
    return [...this.sessions.values()].filter((s) => s.owner === owner).map((s) => ({ ...s.info }));
  }

  attach(owner: string, id: string, emit: (e: TerminalEvent) => void): () => void {
    const s = this.get(owner, id);
    if (s.scrollback.length) emit({ type: 'data', data: s.scrollback.join('') });
    if (s.info.exited) emit({ type: 'exit', ...s.info.exited });
    s.listeners.add(emit);
    return () => s.listeners.delete(emit);
  }

  /** Ends every terminal of a client that went away. */
  closeAll(owner?: string): void {
    for (const [id, s] of this.sessions) {
      if (owner !== undefined && s.owner !== owner) continue;
      this.sessions.delete(id);
      if (!s.info.exited) s.pty.kill('SIGHUP');
    }
  }

  private get(owner: string, id: string): Session {
    const s = this.sessions.get(id);
    if (!s || s.owner !== owner) throw new ServiceError('NOT_FOUND', `no terminal ${id}`);
    return s;
  }
}
