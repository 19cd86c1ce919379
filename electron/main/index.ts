// The Electron entry: wiring only. Services, the dispatcher and the IPC binding are built here and
// attached to one sandboxed window; everything with logic lives in services/, rpc/ and ipc-binding.
import { app, BrowserWindow, ipcMain, Menu, nativeImage, net, protocol, session, shell, Tray } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contract } from '../contract';
import type { SystemSnapshot } from '../contract/system';
import { createDispatcher } from '../rpc/dispatcher';
import { createServices, type Services } from '../services';
import { APP_SCHEME, APP_URL, isAppUrl, resolveAppFile, SECURITY_HEADERS } from './app-protocol';
import { bindIpc, type IpcBinding } from './ipc-binding';

// dist/electron/main.cjs → the app root is two levels up (also inside app.asar).
const root = join(__dirname, '..', '..');
const rendererDir = join(root, 'dist', 'renderer');
const preloadPath = join(__dirname, 'preload.cjs');
const iconPath = join(root, 'resources', 'icons', '256x256.png');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

let services: Services | null = null;
let binding: IpcBinding | null = null;
let window: BrowserWindow | null = null;
let tray: Tray | null = null;
let stopTray: (() => void) | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.whenReady().then(start, (err: unknown) => {
    console.error('vantage: failed to start:', err);
    app.exit(1);
  });
}

function serveApp(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    let target = resolveAppFile(rendererDir, request.url);
    if (!target) return new Response('forbidden', { status: 403 });
    if (!existsSync(target.file)) target = resolveAppFile(rendererDir, APP_URL)!;
    const res = await net.fetch(pathToFileURL(target.file).toString());
    const headers = new Headers(SECURITY_HEADERS);
    headers.set('content-type', target.type);
    return new Response(res.body, { status: res.status, headers });
  });
}

function harden(): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [SECURITY_HEADERS['content-security-policy']] } });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser, never inside the app.
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    title: 'Vantage',
    show: false,
    backgroundColor: '#111418',
    icon: existsSync(iconPath) ? iconPath : undefined,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (window === win) window = null;
  });
  void win.loadURL(APP_URL);
  return win;
}

function buildMenu(): void {
  const isDev = !app.isPackaged;
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { label: 'File', submenu: [{ role: 'quit' }] },
      { label: 'Edit', submenu: [{ role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
      {
        label: 'View',
        submenu: [
          { role: 'reload' },
          ...(isDev ? [{ role: 'toggleDevTools' as const }] : []),
          { type: 'separator' },
          { role: 'resetZoom' },
          { role: 'zoomIn' },
          { role: 'zoomOut' },
          { role: 'togglefullscreen' },
        ],
      },
    ]),
  );
}

function percent(n: number): string {
  return `${n.toFixed(0)}%`;
}

/** A tray icon whose tooltip shows CPU and memory use, fed by the same system stream as the app. */
async function createTray(): Promise<void> {
  if (!existsSync(iconPath)) return;
  tray = new Tray(nativeImage.createFromPath(iconPath).resize({ width: 22, height: 22 }));
  tray.setToolTip('Vantage');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show Vantage', click: () => (window ? window.show() : (window = createWindow())) },
      { type: 'separator' },
      { role: 'quit' },
    ]),
  );
  const abort = new AbortController();
  const dispatcher = createDispatcher(contract, services!.handlers);
  const env = await dispatcher.subscribe(
    'system.snapshots',
    { intervalMs: 5000 },
    (e) => {
      const s = e as SystemSnapshot;
      const mem = s.memory.totalBytes ? (s.memory.usedBytes / s.memory.totalBytes) * 100 : 0;
      tray?.setToolTip(`Vantage — CPU ${percent(s.cpu.total)}, memory ${percent(mem)}`);
    },
    { clientId: 'tray', signal: abort.signal },
  );
  stopTray = () => {
    if (env.ok) env.value();
    abort.abort();
  };
}

async function start(): Promise<void> {
  serveApp();
  harden();
  services = createServices({ record: true });
  const dispatcher = createDispatcher(contract, services.handlers);
  binding = bindIpc(ipcMain, contract, dispatcher, { isTrustedFrame: isAppUrl });
  buildMenu();
  window = createWindow();
  await createTray().catch((err: unknown) => console.warn('vantage: no tray icon:', err));
}

let closing = false;
app.on('before-quit', (event) => {
  if (closing || !services) return;
  closing = true;
  event.preventDefault();
  stopTray?.();
  tray?.destroy();
  binding?.dispose();
  void services.close().finally(() => app.exit(0));
});

app.on('window-all-closed', () => app.quit());
