/**
 * Run by unprivileged.test.ts as a throwaway unprivileged user: acts on its own child and on a
 * root-owned process through the real control service, and prints what each action returned.
 * Usage: node --import tsx as-user.probe.ts ROOT_PID
 */
import { spawn } from 'node:child_process';
import { createLaunchService } from '../launch/service';
import { createControl } from './handlers';

const rootPid = Number(process.argv[2]);
const control = createControl();
const own = spawn('sleep', ['300'], { stdio: 'ignore' });
const ownPid = own.pid as number;

async function attempt(name: string, action: () => Promise<unknown>): Promise<[string, unknown]> {
  try {
    return [name, { ok: true, value: await action() }];
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return [name, { ok: false, code: e.code, message: e.message }];
  }
}

const launcher = createLaunchService();
const ctx = { clientId: 'probe', signal: new AbortController().signal };

const results = [
  await attempt('launch at nice -5', async () => launcher.handlers.launch({ argv: ['sleep', '300'], nice: -5 }, ctx)),
  await attempt('launched after refusal', async () => launcher.handlers.launched(undefined, ctx)),
  await attempt('privilege', async () => control.privilege()),
  await attempt('renice own +5', () => control.renice({ pid: ownPid, nice: 5 })),
  await attempt('renice own -5', () => control.renice({ pid: ownPid, nice: -5 })),
  await attempt('signal root TERM', () => control.signal({ pid: rootPid, signal: 'TERM' })),
  await attempt('renice root 10', () => control.renice({ pid: rootPid, nice: 10 })),
  await attempt('oom root 900', () => control.oomScoreAdj({ pid: rootPid, value: 900 })),
  await attempt('signal own STOP', () => control.signal({ pid: ownPid, signal: 'STOP' })),
  await attempt('signal own KILL', () => control.signal({ pid: ownPid, signal: 'KILL' })),
];
process.stdout.write(JSON.stringify({ ownPid, results: Object.fromEntries(results) }) + '\n');
own.kill('SIGKILL');
