import { readFileSync } from 'node:fs';
import { toContractError } from '../contract/errors';
import { processes } from '../contract/processes';
import { parseCpuList } from '../services/processes/control/cpus';
import { EXIT, UsageError, parseArgs, type Verb } from './verb';
import { checked, controlService, pidArg, report } from './signal';

/** `vantage affinity PID [CPUS]`: restrict to CPUs like 0,2 or 0-3; without CPUS, show them. */
export const affinity: Verb = {
  name: 'affinity',
  usage: 'affinity PID [CPUS] [--json]',
  summary: 'show or set the CPUs a process may run on (CPUS like 0,1 or 0-3)',
  async run(args) {
    const { flags, positionals } = parseArgs(args, { booleans: ['json'] });
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('affinity needs a PID and optionally CPUs, e.g. `vantage affinity 1234 0-1`');
    const pid = pidArg(positionals[0]);
    if (positionals.length === 1) {
      let list: string | undefined;
      try {
        list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      } catch {
        process.stderr.write(`vantage affinity: ESRCH: no process ${pid}\n`);
        return EXIT.failed;
      }
      process.stdout.write(flags.json ? JSON.stringify({ pid, cpus: parseCpuList(list ?? '') }) + '\n' : `${pid}: CPUs ${list}\n`);
      return EXIT.ok;
    }
    let cpus: number[];
    try {
      cpus = parseCpuList(positionals[1]);
    } catch (err) {
      throw new UsageError(toContractError(err).message);
    }
    const input = checked(processes.affinity.input, { pid, cpus });
    return report('affinity', flags.json === true, () => controlService().affinity(input));
  },
};
