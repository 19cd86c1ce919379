import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const require = createRequire(__filename);

describe('packaging', () => {
  it('the afterPack hook flips the fuses of the packaged binary to the hardened set', async () => {
    // A stand-in binary carrying Electron's fuse wire (sentinel, version 1, 8 fuses in their
    // shipped defaults: RunAsNode, cookies, NODE_OPTIONS, --inspect on; asar checks off).
    const dir = mkdtempSync(join(tmpdir(), 'vantage-fuses-'));
    try {
      const binary = join(dir, 'vantage');
      const wire = Buffer.concat([Buffer.from('junk'), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([0x01, 8]), Buffer.from('11110000'), Buffer.from('junk')]);
      writeFileSync(binary, wire);
      const hook = require(join(root, 'scripts', 'electron-fuses.cjs')) as (ctx: unknown) => Promise<void>;
      const log = console.log;
      console.log = () => {};
      try {
        await hook({ appOutDir: dir, packager: { executableName: 'vantage', appInfo: { productFilename: 'Vantage' } } });
      } finally {
        console.log = log;
      }
      const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as typeof import('@electron/fuses');
      const fuses = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
      const on = (o: number) => fuses[o] === 49;
      expect(on(FuseV1Options.RunAsNode)).toBe(false);
      expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(false);
      expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe(false);
      expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(true);
      expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe(true);
      expect(on(FuseV1Options.EnableCookieEncryption)).toBe(true);
      expect(readFileSync(binary).length).toBe(wire.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bundles main and a self-contained preload that exposes only invoke and subscribe', () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-electron.mjs')], { cwd: root, stdio: 'pipe' });
    const main = join(root, 'dist', 'electron', 'main.cjs');
    const preload = join(root, 'dist', 'electron', 'preload.cjs');
    expect(existsSync(main)).toBe(true);
    const requires = [...readFileSync(preload, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    // A sandboxed preload can require only 'electron'.
    expect([...new Set(requires)]).toEqual(['electron']);
    const exposed: Record<string, unknown> = {};
    const Module = require('node:module') as { _load: (req: string, ...rest: unknown[]) => unknown };
    const load = Module._load;
    Module._load = function (req: string, ...rest: unknown[]) {
      if (req === 'electron') {
        return {
          contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
          ipcRenderer: { invoke: async () => ({ ok: true, value: null }), on() {}, removeListener() {} },
        };
      }
      return load.call(this, req, ...rest);
    };
    try {
      delete require.cache[preload];
      require(preload);
    } finally {
      Module._load = load;
    }
    expect(Object.keys(exposed)).toEqual(['vantage']);
    expect(Object.keys(exposed.vantage as object).sort()).toEqual(['invoke', 'subscribe']);
  });

  it('the bundled main wires a hardened window, every contract channel, CSP, and a clean quit', async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-electron.mjs')], { cwd: root, stdio: 'pipe' });
    const dataDir = mkdtempSync(join(tmpdir(), 'vantage-main-'));
    const prevDataDir = process.env.VANTAGE_DATA_DIR;
    process.env.VANTAGE_DATA_DIR = dataDir;
    const handled = new Set<string>();
    const appEvents = new Map<string, (...a: unknown[]) => void>();
    const contentsEvents = new Map<string, (...a: unknown[]) => void>();
    let webPreferences: Record<string, unknown> = {};
    let loaded = '';
    let cspHook: ((d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | null = null;
    let permission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let windowOpen: ((d: { url: string }) => { action: string }) | null = null;
    let exited: number | null = null;
    const electron = {
      app: {
        requestSingleInstanceLock: () => true,
        on: (e: string, f: (...a: unknown[]) => void) => appEvents.set(e, f),
        whenReady: () => Promise.resolve(),
        isPackaged: false,
        quit() {},
        exit: (c: number) => (exited = c),
      },
      BrowserWindow: function (opts: { webPreferences: Record<string, unknown> }) {
        webPreferences = opts.webPreferences;
        return { once() {}, on() {}, show() {}, isMinimized: () => false, loadURL: async (u: string) => void (loaded = u) };
      },
      ipcMain: { handle: (ch: string) => handled.add(ch), removeHandler: (ch: string) => handled.delete(ch) },
      Menu: { setApplicationMenu() {}, buildFromTemplate: (t: unknown) => t },
      nativeImage: { createFromPath: () => ({ resize: () => ({}) }) },
      net: { fetch: async () => new Response('') },
      protocol: { registerSchemesAsPrivileged() {}, handle() {} },
      session: {
        defaultSession: {
          webRequest: { onHeadersReceived: (f: typeof cspHook) => (cspHook = f) },
          setPermissionRequestHandler: (f: typeof permission) => (permission = f),
          setPermissionCheckHandler() {},
        },
      },
      shell: { openExternal: async () => {} },
      Tray: function () {
        return { setToolTip() {}, setContextMenu() {}, destroy() {} };
      },
    };
    const Module = require('node:module') as { _load: (req: string, ...rest: unknown[]) => unknown };
    const load = Module._load;
    Module._load = function (req: string, ...rest: unknown[]) {
      return req === 'electron' ? electron : load.call(this, req, ...rest);
    };
    const main = join(root, 'dist', 'electron', 'main.cjs');
    try {
      delete require.cache[main];
      require(main);
      const { contract } = await import('../contract');
      const { listChannels } = await import('../contract/core');
      const channels = listChannels(contract).map((c) => c.channel);
      const t = Date.now() + 10_000;
      while (handled.size < channels.length && Date.now() < t) await new Promise((r) => setTimeout(r, 20));
      expect([...handled].sort()).toEqual(channels.sort());
      expect(webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      expect(webPreferences.webSecurity).not.toBe(false);
      expect(String(webPreferences.preload)).toMatch(/dist\/electron\/preload\.cjs$/);
      expect(loaded).toBe('vantage-app://app/index.html');
      let headers: Record<string, string[]> = {};
      cspHook!({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
      expect(headers['Content-Security-Policy'][0]).toMatch(/default-src 'self'; script-src 'self'/);
      let granted: boolean | null = null;
      permission!({}, 'media', (ok) => (granted = ok));
      expect(granted).toBe(false);
      // Every webContents: navigation prevented, window.open denied.
      appEvents.get('web-contents-created')!({}, {
        on: (e: string, f: (...a: unknown[]) => void) => contentsEvents.set(e, f),
        setWindowOpenHandler: (f: typeof windowOpen) => (windowOpen = f),
      });
      let prevented = 0;
      contentsEvents.get('will-navigate')!({ preventDefault: () => prevented++ });
      contentsEvents.get('will-redirect')!({ preventDefault: () => prevented++ });
      expect(prevented).toBe(2);
      expect(windowOpen!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
      // Quit: handlers removed, services closed, then exit 0.
      appEvents.get('before-quit')!({ preventDefault() {} });
      const q = Date.now() + 10_000;
      while (exited === null && Date.now() < q) await new Promise((r) => setTimeout(r, 20));
      expect(exited).toBe(0);
      expect(handled.size).toBe(0);
    } finally {
      Module._load = load;
      if (prevDataDir === undefined) delete process.env.VANTAGE_DATA_DIR;
      else process.env.VANTAGE_DATA_DIR = prevDataDir;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('ships icons at every size and a desktop entry', () => {
    for (const s of [16, 24, 32, 48, 64, 128, 256, 512]) {
      const png = readFileSync(join(root, 'resources', 'icons', `${s}x${s}.png`));
      expect(png.readUInt32BE(16)).toBe(s); // IHDR width
      expect(png.readUInt32BE(20)).toBe(s);
    }
    const desktop = readFileSync(join(root, 'resources', 'vantage.desktop'), 'utf8');
    expect(desktop).toMatch(/^\[Desktop Entry\]$/m);
    expect(desktop).toMatch(/^Exec=vantage/m);
    expect(desktop).toMatch(/^Icon=vantage$/m);
  });
});
