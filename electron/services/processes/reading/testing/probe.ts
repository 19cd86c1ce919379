// Runs one reader in this process and prints the outcome as JSON; tests start it as an
// unprivileged user to see what Vantage reports without permission.
//   probe.ts details PID   → readProcessDetails(PID)
//   probe.ts table PID     → the batch reader's row for PID (twice, so kept files are re-read)
import { readProcessDetails } from '../details';
import { openReader, readerAddon } from '../reader';

const [what, pidArg] = process.argv.slice(2);
const pid = Number(pidArg);
try {
  const reader = openReader();
  let value: unknown;
  if (what === 'table') {
    reader.readAll();
    const t = reader.readAll();
    const i = t.pid.indexOf(pid);
    value = {
      count: t.count,
      keptFds: (t as { keptFds?: number }).keptFds ?? null,
      row: i < 0 ? null : { uid: t.uid[i], comm: t.comm[i], cmdline: t.cmdline[i], readBytes: t.readBytes[i], writeBytes: t.writeBytes[i], threads: t.threads[i] },
      self: (() => {
        const j = t.pid.indexOf(process.pid);
        return { readBytes: t.readBytes[j] };
      })(),
    };
  } else {
    const a = readerAddon();
    value = readProcessDetails(pid, { reader, addon: a.ok ? a.addon : null });
  }
  process.stdout.write(JSON.stringify({ ok: true, value, reader: reader.kind }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, code: (err as { code?: string }).code, message: (err as Error).message }));
}
