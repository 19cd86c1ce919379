import { ServiceError } from '../contract/errors';
import { readProcessMaps } from '../services/memory/maps';
import { mib } from './mem';
import { EXIT, parseArgs, type Verb } from './verb';

/** `vantage maps PID`: one process's regions from smaps, grouped (heap, stacks, files, ...). */
export const maps: Verb = {
  name: 'maps',
  usage: 'maps PID [--json]',
  summary: "one process's memory regions grouped: heap, stacks, anonymous, per file, vdso",
  async run(args) {
    const { flags, positionals } = parseArgs(args, { booleans: ['json'] });
    const pid = Number(positionals[0]);
    if (positionals.length !== 1 || !Number.isInteger(pid) || pid < 1) {
      process.stderr.write('usage: vantage maps PID [--json]\n');
      return EXIT.usage;
    }
    let m;
    try {
      m = readProcessMaps(pid);
    } catch (err) {
      const code = err instanceof ServiceError ? err.code : 'INTERNAL';
      process.stderr.write(`vantage maps: ${code}: ${(err as Error).message}\n`);
      return code === 'EPERM' ? EXIT.permission : EXIT.failed;
    }
    if (flags.json) {
      process.stdout.write(JSON.stringify(m, null, 2) + '\n');
      return EXIT.ok;
    }
    let out = `${m.comm} (${m.pid}), ${m.threads} threads; thread stacks found by: ${m.stackDetection}\n`;
    out += `${'KIND'.padEnd(13)} ${'SIZE'.padStart(10)} ${'RSS'.padStart(9)} ${'PSS'.padStart(9)} ${'PRIV'.padStart(9)} ${'N'.padStart(4)}  PERMS           NAME  (MiB)\n`;
    for (const g of m.groups) {
      out += `${g.kind.padEnd(13)} ${mib(g.sizeBytes).padStart(10)} ${mib(g.rssBytes).padStart(9)} ${mib(g.pssBytes).padStart(9)} ${mib(g.privateBytes).padStart(9)} ${String(g.regions).padStart(4)}  ${g.perms.join(',').padEnd(15)} ${g.name}\n`;
    }
    process.stdout.write(out);
    return EXIT.ok;
  },
};
