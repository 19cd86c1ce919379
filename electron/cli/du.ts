import { ServiceError } from '../contract/errors';
import { Scan } from '../services/disk/scan/scan';
import { KIND } from '../services/disk/scan/tree';
import { EXIT, humanBytes, parseArgs, takeRepeated, UsageError, type Verb } from './verb';

/** `vantage du`: the disk scanner of the Disk view, once, from the command line. */
export const du: Verb = {
  name: 'du',
  usage: 'du PATH [--json] [--apparent] [-x] [--exclude GLOB] [--top N]',
  summary: 'disk usage of a folder (like du -s, hard links once) and its largest entries',
  async run(args) {
    let flags: Record<string, string | boolean>;
    let positionals: string[];
    const excludes: string[] = [];
    try {
      const taken = takeRepeated(args, 'exclude');
      excludes.push(...taken.values);
      ({ flags, positionals } = parseArgs(taken.rest, { booleans: ['json', 'apparent', 'x'], strings: ['top'] }));
      if (positionals.length !== 1) throw new UsageError('give one folder: vantage du PATH');
    } catch (err) {
      process.stderr.write(`vantage du: ${(err as Error).message}\nusage: vantage ${du.usage}\n`);
      return EXIT.usage;
    }
    const top = flags.top === undefined ? 20 : Number(flags.top);
    if (!Number.isInteger(top) || top < 0 || top > 10_000) {
      process.stderr.write('vantage du: --top must be 0–10000\n');
      return EXIT.usage;
    }
    let scan: Scan;
    try {
      // Sizes only: sniffing file heads for types would cost opens du does not make.
      scan = new Scan('s0', positionals[0], { oneFileSystem: flags.x === true, excludes, classifyMinSize: -1, log: (m) => process.stderr.write(`${m}\n`) });
    } catch (err) {
      if (err instanceof ServiceError) {
        process.stderr.write(`vantage du: ${err.message}\n`);
        return err.code === 'EPERM' ? EXIT.permission : err.code === 'INVALID_INPUT' ? EXIT.usage : EXIT.failed;
      }
      throw err;
    }
    const interrupt = () => scan.cancel();
    process.once('SIGINT', interrupt);
    await scan.whenDone();
    process.off('SIGINT', interrupt);
    if (scan.state === 'failed') {
      process.stderr.write(`vantage du: ${scan.failure?.message}\n`);
      return EXIT.failed;
    }
    const t = scan.tree;
    const key = flags.apparent ? t.apparent : t.allocated;
    const largest = t
      .children(0)
      .sort((a, b) => key[b] - key[a] || a - b)
      .slice(0, top)
      .map((i) => ({ path: t.path(i), kind: t.kind[i] === KIND.dir ? 'dir' : 'file', apparentBytes: t.apparent[i], allocatedBytes: t.allocated[i] }));
    const s = scan.summary();
    if (flags.json) {
      const out = {
        path: s.root,
        apparentBytes: s.apparentBytes,
        allocatedBytes: s.allocatedBytes,
        files: s.files,
        dirs: s.dirs,
        errors: s.errors,
        symlinks: s.symlinks,
        hardLinksSkipped: s.hardLinksSkipped,
        complete: s.complete,
        elapsedMs: s.elapsedMs,
        bytesPerEntry: s.bytesPerEntry,
        engine: scan.engine,
        firstErrors: s.firstErrors,
        largest,
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      const size = (a: number, b: number) => humanBytes(flags.apparent ? a : b);
      let out = `${size(s.apparentBytes, s.allocatedBytes).padStart(11)}  ${s.root}  (${flags.apparent ? 'apparent' : 'on disk'}; ${s.files} files, ${s.dirs} folders, ${s.elapsedMs} ms)\n`;
      if (largest.length) out += '\nLARGEST\n';
      for (const e of largest) out += `${size(e.apparentBytes, e.allocatedBytes).padStart(11)}  ${e.path}${e.kind === 'dir' ? '/' : ''}\n`;
      if (s.errors) {
        out += `\n${s.errors} entries could not be read:\n`;
        for (const e of s.firstErrors.slice(0, 10)) out += `  ${e.path}: ${e.error}\n`;
      }
      if (!s.complete) out += '\n(interrupted: partial totals)\n';
      process.stdout.write(out);
    }
    return s.errors ? EXIT.failed : EXIT.ok;
  },
};
