import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { ParsedInputOf } from '../../../contract/core';
import { ServiceError } from '../../../contract/errors';
import type { LaunchEvent, LaunchedProcess, processes } from '../../../contract/processes';
import type { DomainHandlers } from '../../../rpc/handlers';
import { controlAddon } from '../control/native';
import { checkCwd, resolveProgram } from './program';
import { OutputRing } from './ring';

export type LaunchHandlers = Pick<DomainHandlers<typeof processes>, 'launch' | 'launched' | 'launchOutput'>;

export interface LaunchOptions {
  /** Output kept per command (its tail). */
  outputCapacity?: number;
  /** Commands remembered; the oldest finished ones are forgotten first. */
  maxRemembered?: number;
  /** How nice values are applied (default: the vantage_proc addon, else nice(1)). */
  addon?: ReturnType<typeof controlAddon>;
}

interface Launch {
  info: LaunchedProcess;
  child: ChildProcess;
  ring: OutputRing;
  listeners: Set<(e: LaunchEvent) => void>;
  /** Set once stdout and stderr are closed after the exit: the stream's last event. */
  final: LaunchEvent | null;
}

const snapshot = (l: Launch): LaunchedProcess => ({ ...l.info, argv: [...l.info.argv], outputBytes: l.ring.keptBytes });

/**
 * Commands started from Vantage: detached (own session and process group, so they outlive Vantage
 * and a Ctrl+C to it), no shell, output captured into a bounded ring per command.
 * Caveat: output goes through pipes, so what a command prints after Vantage has exited is lost
 * (and a command that keeps writing then gets SIGPIPE, as when a terminal closes).
 */
export function createLaunchService(options: LaunchOptions = {}): { handlers: LaunchHandlers; stop(): void } {
  const capacity = options.outputCapacity ?? 1024 * 1024;
  const maxRemembered = options.maxRemembered ?? 200;
  const launches = new Map<string, Launch>();
  let seq = 0;

  function forgetOld(): void {
    if (launches.size <= maxRemembered) return;
    for (const [id, l] of launches) {
      if (launches.size <= maxRemembered) break;
      if (l.info.exited) launches.delete(id);
    }
  }

  function broadcast(l: Launch, e: LaunchEvent): void {
    for (const listener of l.listeners) listener(e);
  }

  async function launch(input: ParsedInputOf<typeof processes.launch>): Promise<LaunchedProcess> {
    const cwd = checkCwd(input.cwd);
    // ELECTRON_RUN_AS_NODE would turn any Electron app the user launches into plain Node.
    const { ELECTRON_RUN_AS_NODE: _notInherited, ...inherited } = process.env;
    const env = { ...inherited, ...input.env };
    const program = resolveProgram(input.argv[0], cwd, env.PATH);
    const addon = options.addon ?? controlAddon();
    // Without the addon, nice(1) applies the value before exec; with it, setpriority right after.
    const viaNice = input.nice !== undefined && !addon.ok;
    const argv = viaNice ? ['nice', '-n', String(input.nice), program, ...input.argv.slice(1)] : [program, ...input.argv.slice(1)];
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env,
      // The program sees the name it was asked by (as a shell would run it), not the resolved path.
      argv0: viaNice ? 'nice' : input.argv[0],
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      const code = (err as NodeJS.ErrnoException).code;
      throw new ServiceError(code === 'ENOENT' ? 'NOT_FOUND' : code === 'EACCES' ? 'EPERM' : 'INTERNAL', `cannot start ${input.argv[0]}: ${err.message}`);
    }
    const pid = child.pid;
    if (input.nice !== undefined && addon.ok) {
      try {
        addon.addon.setPriority(pid, input.nice);
      } catch (err) {
        // Nothing half-done: a command that cannot get the asked priority does not keep running.
        process.kill(-pid, 'SIGKILL');
        const code = (err as { code?: string }).code;
        if (code === 'EACCES' || code === 'EPERM') {
          throw new ServiceError('NEEDS_PRIVILEGE', `cannot start ${input.argv[0]} at nice ${input.nice}: raising priority needs privilege (CAP_SYS_NICE, or a higher RLIMIT_NICE); the command was stopped at once`);
        }
        throw new ServiceError('INTERNAL', `cannot set nice ${input.nice} on ${input.argv[0]}: ${(err as Error).message}`);
      }
    }
    const id = `l${(++seq).toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
    const l: Launch = {
      info: { id, pid, argv: [...input.argv], cwd, startedAt: Date.now(), exited: null, outputBytes: 0 },
      child,
      ring: new OutputRing(capacity),
      listeners: new Set(),
      final: null,
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      const pipe = child[stream];
      pipe?.on('data', (buf: Buffer) => {
        const data = decoder.write(buf);
        if (!data) return;
        l.ring.push({ stream, data });
        broadcast(l, { type: 'output', stream, data });
      });
      pipe?.on('end', () => {
        const data = decoder.end();
        if (!data) return;
        l.ring.push({ stream, data });
        broadcast(l, { type: 'output', stream, data });
      });
    }
    child.on('exit', (code, signal) => {
      l.info.exited = { code, signal, at: Date.now() };
    });
    child.on('close', (code, signal) => {
      l.info.exited ??= { code, signal, at: Date.now() };
      l.final = { type: 'exit', code: l.info.exited.code, signal: l.info.exited.signal };
      broadcast(l, l.final);
      l.listeners.clear();
      forgetOld();
    });
    child.unref();
    launches.set(id, l);
    forgetOld();
    return snapshot(l);
  }

  const handlers: LaunchHandlers = {
    launch,
    launched: () => [...launches.values()].map(snapshot),
    launchOutput(params, emit) {
      const l = launches.get(params.id);
      if (!l) throw new ServiceError('NOT_FOUND', `no launched command ${params.id} (Vantage remembers commands started in this session)`);
      if (l.ring.droppedBytes > 0) {
        emit({ type: 'output', stream: 'stderr', data: `[vantage: ${l.ring.droppedBytes} earlier bytes of output were dropped; the last ${l.ring.keptBytes} are kept]\n` });
      }
      for (const chunk of l.ring.contents()) emit({ type: 'output', stream: chunk.stream, data: chunk.data });
      if (l.final) {
        emit(l.final);
        return () => {};
      }
      l.listeners.add(emit);
      return () => l.listeners.delete(emit);
    },
  };

  return {
    handlers,
    stop() {
      // Launched commands are not ours to end: they keep running; our listeners go, and their
      // pipes no longer keep this process alive.
      for (const l of launches.values()) {
        l.listeners.clear();
        for (const pipe of [l.child.stdout, l.child.stderr]) (pipe as unknown as { unref?: () => void } | null)?.unref?.();
      }
    },
  };
}
