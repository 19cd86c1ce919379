import { resolve } from 'node:path';
import { ServiceError } from '../contract/errors';
import { dataDir } from '../services/history/data-dir';
import { createDupesService } from '../services/disk/dupes/service';
import { searchToEnd } from '../services/disk/dupes/run';
import { EXIT, humanBytes, parseArgs, takeRepeated, UsageError, type Verb } from './verb';

/** `vantage dupes`: the duplicate search of the Disk view, once, from the command line. */
export const dupes: Verb = {
  name: 'dupes',
  usage: 'dupes PATH... [--json] [--min-size N] [-x] [--exclude GLOB]... [--no-cache]',
  summary: 'duplicate files under folders (size, first/last block, full hash; hard links once)',
  async run(args) {
    let flags: Record<string, string | boolean>;
    let positionals: string[];
    const excludes: string[] = [];
    try {
      const taken = takeRepeated(args, 'exclude');
      excludes.push(...taken.values);
      ({ flags, positionals } = parseArgs(taken.rest, { booleans: ['json', 'x', 'no-cache'], strings: ['min-size'] }));
      if (!positionals.length) throw new UsageError('give at least one folder');
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      process.stderr.write(`vantage dupes: ${err.message}\nusage: vantage ${dupes.usage}\n`);
      return EXIT.usage;
    }
    const minSize = flags['min-size'] === undefined ? 1 : Number(flags['min-size']);
    if (!Number.isInteger(minSize) || minSize < 0) {
      process.stderr.write('vantage dupes: --min-size must be a whole number of bytes (0 counts empty files)\n');
      return EXIT.usage;
    }
    const svc = createDupesService({ dataDir: dataDir(), cache: !flags['no-cache'] });
    try {
      const roots = positionals.map((p) => resolve(p));
      const { result } = await searchToEnd(svc.handlers, { roots, minSize, oneFileSystem: flags.x === true, excludes });
      if (flags.json) {
        const groups = result.groups.map((g) => ({
          size: g.size,
          hash: g.hash,
          wastedBytes: g.wastedBytes,
          paths: g.files.map((f) => f.path),
          hardLinks: g.files.map((f) => f.hardLinks),
        }));
        const out = { roots, complete: result.complete, wastedBytes: result.wastedBytes, groups, stats: result.stats };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return EXIT.ok;
      }
      let out = '';
      for (const g of result.groups) {
        out += `${humanBytes(g.size)} × ${g.files.length}, ${humanBytes(g.wastedBytes)} wasted\n`;
        for (const f of g.files) {
          out += `  ${JSON.stringify(f.path).slice(1, -1)}\n`;
          for (const h of f.hardLinks) out += `    = ${JSON.stringify(h).slice(1, -1)} (hard link)\n`;
        }
      }
      const s = result.stats;
      out +=
        `\n${result.groups.length} groups, ${humanBytes(result.wastedBytes)} wasted; ${s.filesSeen} files seen, ` +
        `${s.partialHashed} partial and ${s.fullHashed} full hashes, ${s.cacheHits} from cache, ${humanBytes(s.bytesHashed)} read, ${s.elapsedMs} ms\n`;
      process.stdout.write(out);
      return EXIT.ok;
    } catch (err) {
      const code = err instanceof ServiceError ? err.code : 'INTERNAL';
      process.stderr.write(`vantage dupes: ${code}: ${(err as Error).message}\n`);
      return code === 'NOT_FOUND' ? EXIT.usage : EXIT.failed;
    } finally {
      svc.stop();
    }
  },
};
