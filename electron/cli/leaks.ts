import { join } from 'node:path';
import { dataDir } from '../services/history/data-dir';
import { HistoryStore } from '../services/history/store';
import { detectLeaks, leakRulesFromEnv } from '../services/memory/leaks';
import { EXIT, parseArgs, type Verb } from './verb';

/** `vantage leaks`: fits the per-process series a running app/agent recorded to history. */
export const leaks: Verb = {
  name: 'leaks',
  usage: 'leaks [--json] [--window SECONDS] [--all]',
  summary: 'processes whose private memory rises steadily (slope and R² from recorded history)',
  async run(args) {
    const { flags } = parseArgs(args, { booleans: ['json', 'all'], strings: ['window'] });
    const rules = leakRulesFromEnv();
    if (flags.window !== undefined) {
      const w = Number(flags.window);
      if (!Number.isInteger(w) || w < 10 || w > 3600) {
        process.stderr.write('vantage leaks: --window must be 10–3600 seconds\n');
        return EXIT.usage;
      }
      rules.windowSeconds = w;
    }
    const history = new HistoryStore(join(dataDir(), 'history.db'));
    try {
      const report = detectLeaks(history, rules);
      const shown = report.candidates.filter((c) => flags.all || c.flagged);
      if (flags.json) {
        const rows = shown.map((c) => ({ pid: c.pid, comm: c.comm, bytesPerSecond: c.bytesPerSecond, r2: c.r2, windowSeconds: c.windowSeconds }));
        process.stdout.write(JSON.stringify(rows) + '\n');
        return EXIT.ok;
      }
      if (!report.candidates.length) {
        process.stdout.write('No per-process memory history yet: leaks are found from what a running `vantage serve` (or the app) records each second.\n');
        return EXIT.ok;
      }
      let out = `Window ${report.windowSeconds} s; flagged when slope ≥ ${(report.minBytesPerSecond / 1024).toFixed(0)} KiB/s and R² ≥ ${report.minR2}\n`;
      out += `${'PID'.padStart(8)} ${'KiB/s'.padStart(10)} ${'R²'.padStart(6)} ${'N'.padStart(5)} METRIC  COMMAND\n`;
      for (const c of shown) {
        out += `${String(c.pid).padStart(8)} ${(c.bytesPerSecond / 1024).toFixed(1).padStart(10)} ${c.r2.toFixed(3).padStart(6)} ${String(c.samples).padStart(5)} ${c.metric.padEnd(7)} ${c.comm}${c.flagged ? '  LEAK?' : ''}\n`;
      }
      if (!shown.length) out += '  none flagged (use --all to see every tracked process)\n';
      process.stdout.write(out);
      return EXIT.ok;
    } finally {
      history.close();
    }
  },
};
