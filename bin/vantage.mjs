#!/usr/bin/env node
// Runs the TypeScript sources directly from a checkout (tsx), so `npx vantage <verb>` works after
// `npm install` without a build step. Packaged builds bundle electron/cli.ts instead.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli.ts');
process.exitCode = await main(process.argv.slice(2));
