import { readFileSync } from 'node:fs';
import { runSlt } from '../engine/slt/runner';
import { EXIT, parseArgs, type Verb } from './verb';

/** `vantage slt`: runs sqllogictest files against the built-in engine. */
export const slt: Verb = {
  name: 'slt',
  usage: 'slt FILE... [--verbose]',
  summary: 'run sqllogictest files against the Vantage SQL engine',
  async run(args) {
    const { flags, positionals } = parseArgs(args, { booleans: ['verbose'] });
    if (!positionals.length) {
      process.stderr.write('vantage slt: give at least one .test file\n');
      return EXIT.usage;
    }
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const file of positionals) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        process.stderr.write(`vantage slt: ${(e as Error).message}\n`);
        return EXIT.failed;
      }
      const r = runSlt(text);
      passed += r.passed;
      failed += r.failed;
      skipped += r.skipped;
      for (const f of r.failures.slice(0, flags.verbose ? undefined : 20)) {
        process.stdout.write(`${file}:${f.line}: ${f.message}\n  ${f.sql.replace(/\n/g, '\n  ')}\n`);
      }
      if (flags.verbose) process.stdout.write(`${file}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped\n`);
    }
    process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
    return failed ? EXIT.failed : EXIT.ok;
  },
};
