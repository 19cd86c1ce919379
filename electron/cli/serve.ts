import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contract } from '../contract';
import { createDispatcher } from '../rpc/dispatcher';
import { ServerConfigError, startServer } from '../server/server';
import { createServices } from '../services';
import { EXIT, parseArgs, UsageError, type Verb } from './verb';

export const rendererDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/renderer');

export const serve: Verb = {
  name: 'serve',
  usage: 'serve [--host ADDR] [--port N] [--allow-remote] [--no-record] [--token T]',
  summary: 'browser mode: serve the app and its API on loopback, print the URL with its token',
  async run(args) {
    const { flags } = parseArgs(args, { booleans: ['allow-remote', 'no-record', 'json'], strings: ['host', 'port', 'token'] });
    const port = flags.port === undefined ? 0 : Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got ${flags.port}`);
    if (typeof flags.token === 'string' && flags.token.length < 16) throw new UsageError('--token must be at least 16 characters');
    if (!existsSync(join(rendererDir, 'index.html'))) {
      process.stderr.write('vantage serve: the renderer is not built; run `npm run build:renderer` (npm run serve does it).\n');
      return EXIT.failed;
    }
    const services = createServices({ record: !flags['no-record'] });
    const dispatcher = createDispatcher(contract, services.handlers);
    let running;
    try {
      running = await startServer({
        host: flags.host as string | undefined,
        port,
        allowRemote: Boolean(flags['allow-remote']),
        token: flags.token as string | undefined,
        rendererDir,
        dispatcher,
        metrics: services.metrics,
      });
    } catch (err) {
      await services.close();
      if (err instanceof ServerConfigError) {
        process.stderr.write(`vantage serve: ${err.message}\n`);
        return EXIT.usage;
      }
      process.stderr.write(`vantage serve: ${(err as Error).message}\n`);
      return EXIT.failed;
    }
    if (flags.json) {
      process.stdout.write(JSON.stringify({ url: running.url, port: running.port, token: running.token }) + '\n');
    } else {
      process.stdout.write(`Vantage is serving on ${running.url}\nMetrics: http://${running.host}:${running.port}/metrics (Authorization: Bearer <token>)\nData: ${services.dataDir}\n`);
    }
    await new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.close();
    await services.close();
    return EXIT.ok;
  },
};
