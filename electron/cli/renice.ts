import { processes } from '../contract/processes';
import { UsageError, parseArgs, type Verb } from './verb';
import { checked, controlService, pidArg, report } from './signal';

/** `vantage renice PID N`: the nice value of every thread; below the current one needs privilege. */
export const renice: Verb = {
  name: 'renice',
  usage: 'renice PID NICE [--json]',
  summary: 'set the nice value (-20 … 19) of every thread of a process',
  async run(args) {
    const { flags, positionals } = parseArgs(args, { booleans: ['json'] });
    if (positionals.length !== 2) throw new UsageError('renice needs a PID and a NICE value, e.g. `vantage renice 1234 10`');
    if (!/^-?\d{1,6}$/.test(positionals[1])) throw new UsageError(`"${positionals[1]}" is not a nice value (-20 … 19)`);
    const input = checked(processes.renice.input, { pid: pidArg(positionals[0]), nice: Number(positionals[1]) });
    return report('renice', flags.json === true, () => controlService().renice(input));
  },
};
