// Runs one memory reader in this process and prints its outcome as JSON; tests start it as an
// unprivileged user to see what Vantage reports without permission.
import { readRollup, writeOomScoreAdj } from '../process-memory';
import { readProcessMaps } from '../maps';

const [what, pidArg, valueArg] = process.argv.slice(2);
const pid = Number(pidArg);
try {
  let value: unknown = null;
  if (what === 'rollup') value = readRollup(pid);
  else if (what === 'maps') value = readProcessMaps(pid).groups.length;
  else if (what === 'oom') writeOomScoreAdj(pid, Number(valueArg));
  process.stdout.write(JSON.stringify({ ok: true, value }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, code: (err as { code?: string }).code, message: (err as Error).message }));
}
