import { spawn, type ChildProcess } from 'node:child_process';

/** A Node child that allocates and touches `kib` KiB every `everyMs` (0 = allocate once, then idle). */
export const LEAKER = (kib: number, everyMs: number, initialMiB = 0) => `
const keep = [];
if (${initialMiB}) { const b = Buffer.alloc(${initialMiB} * 1048576, 1); keep.push(b); }
if (${kib}) setInterval(() => { const b = Buffer.allocUnsafe(${kib} * 1024); b.fill(7); keep.push(b); }, ${everyMs});
else setInterval(() => {}, 1000);
process.stdout.write('ready\\n');
`;

export async function startNode(script: string, nodeArgs: string[] = [], opts: { uid?: number; gid?: number } = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    child.stdout!.once('data', () => resolve());
  });
  return child;
}

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}
