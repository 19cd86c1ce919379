#!/usr/bin/env node
// Bundles the Electron main process and the sandboxed preload into CommonJS files under
// dist/electron/. A sandboxed preload can only require('electron'), so it must be one file;
// native modules stay external and are loaded from node_modules / build/Release at run time.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'electron');
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  absWorkingDir: root,
  external: ['electron', 'better-sqlite3', 'node-pty', '*.node'],
  // Shared modules locate the project root from import.meta.url (native/load.ts: three levels up
  // from electron/services/native). The bundle lives in dist/electron, so give it a URL that sits
  // where those modules expect to be: the same root, also inside app.asar.
  define: { 'import.meta.url': 'import_meta_url' },
  banner: {
    js: "const import_meta_url = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', '..', 'electron', 'services', 'native', 'bundle.cjs')).href;",
  },
};

await Promise.all([
  build({ ...common, entryPoints: [join(root, 'electron/main/index.ts')], outfile: join(outdir, 'main.cjs') }),
  build({
    ...common,
    entryPoints: [join(root, 'electron/preload/index.ts')],
    outfile: join(outdir, 'preload.cjs'),
    // The sandboxed preload has no Node builtins besides a few; keep it free of them.
    external: ['electron'],
    define: {},
    banner: {},
    minify: true,
  }),
]);
console.log(`built ${join('dist', 'electron', 'main.cjs')} and ${join('dist', 'electron', 'preload.cjs')}`);
