import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../contract';
import type { ContractError } from '../contract/core';
import { listChannels } from '../contract/core';
import type { SystemSnapshot } from '../contract/system';
import { createBridge, type IpcRendererLike } from '../preload/bridge';
import { createDispatcher } from '../rpc/dispatcher';
import { createServices, type Services } from '../services';
import { APP_URL, isAppUrl, resolveAppFile } from './app-protocol';
import { bindIpc, type InvokeEventLike, type IpcBinding, type IpcMainLike, type SenderLike } from './ipc-binding';

/** ipcMain in memory: the handlers registered by bindIpc, reachable by fake renderers. */
class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

let nextWc = 1;

/** One window: a webContents (the sender main sees) and the ipcRenderer its preload sees. */
class FakeWindow extends EventEmitter implements SenderLike {
  readonly id = nextWc++;
  destroyed = false;
  sent: { channel: string; msg: unknown }[] = [];
  private rendererSide = new EventEmitter();
  constructor(
    private main: FakeIpcMain,
    public frameUrl: string,
  ) {
    super();
  }
  send(channel: string, ...args: unknown[]) {
    // Like Electron: what crosses IPC is a structured clone.
    const cloned = structuredClone(args);
    this.sent.push({ channel, msg: cloned[0] });
    this.rendererSide.emit(channel, {}, ...cloned);
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
    this.emit('destroyed');
  }
  ipcRenderer: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      const handler = this.main.handlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
      return structuredClone(await handler({ sender: this, senderFrame: { url: this.frameUrl } }, ...structuredClone(args)));
    },
    on: (channel, listener) => this.rendererSide.on(channel, listener),
    removeListener: (channel, listener) => this.rendererSide.removeListener(channel, listener),
  };
}

const waitFor = async (cond: () => boolean, what: string, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('Electron IPC: bindIpc + the preload bridge, against the real dispatcher and services', () => {
  let dir: string;
  let services: Services;
  let main: FakeIpcMain;
  let binding: IpcBinding;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vantage-ipc-'));
    services = createServices({ dataDir: dir });
    main = new FakeIpcMain();
    binding = bindIpc(main, contract, createDispatcher(contract, services.handlers), { isTrustedFrame: isAppUrl });
  });
  afterAll(async () => {
    binding.dispose();
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (url = APP_URL) => {
    const win = new FakeWindow(main, url);
    return { win, bridge: createBridge(win.ipcRenderer, listChannels(contract)) };
  };

  it('registers exactly one handler per contract channel, derived from the contract', () => {
    const expected = listChannels(contract).map((c) => c.channel).sort();
    expect([...main.handlers.keys()].sort()).toEqual(expected);
    expect(binding.channels.sort()).toEqual(expected);
  });

  it('answers a call with the envelope from the real service', async () => {
    const { bridge } = open();
    const env = await bridge.invoke('system.info', {});
    expect(env.ok).toBe(true);
    if (env.ok) expect((env.value as { cores: number }).cores).toBeGreaterThan(0);
  });

  it('answers invalid input with INVALID_INPUT naming the field', async () => {
    const { bridge } = open();
    const env = await bridge.invoke('history.query', { series: [], range: '1h' });
    expect(env.ok).toBe(false);
    if (!env.ok) {
      expect(env.error.code).toBe('INVALID_INPUT');
      expect(env.error.message).toMatch(/series/);
    }
  });

  it('answers a frame that is not the app with UNAUTHORIZED, for calls and streams', async () => {
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'vantage-app://other/index.html', '']) {
      const { bridge } = open(url);
      const env = await bridge.invoke('system.info', {});
      expect(env).toEqual({ ok: false, error: expect.objectContaining({ code: 'UNAUTHORIZED' }) });
      const errors: ContractError[] = [];
      const events: unknown[] = [];
      bridge.subscribe('system.snapshots', { intervalMs: 250 }, (e) => events.push(e), (e) => errors.push(e));
      await waitFor(() => errors.length > 0, 'the refusal');
      expect(errors[0].code).toBe('UNAUTHORIZED');
      expect(events).toEqual([]);
    }
    expect(binding.liveStreams()).toBe(0);
  });

  it('refuses in the bridge a channel the contract does not declare, without touching IPC', async () => {
    const { win, bridge } = open();
    let invoked = 0;
    const inner = win.ipcRenderer.invoke;
    win.ipcRenderer.invoke = (...args) => (invoked++, inner(...args));
    const guarded = createBridge(win.ipcRenderer, listChannels(contract));
    expect(await guarded.invoke('fs.readFile', { path: '/etc/shadow' })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'UNKNOWN_CHANNEL' }),
    });
    // A stream cannot be invoked as a call, nor a call subscribed as a stream.
    expect((await guarded.invoke('system.snapshots', { intervalMs: 1000 })).ok).toBe(false);
    const errors: ContractError[] = [];
    guarded.subscribe('system.info', {}, () => {}, (e) => errors.push(e));
    expect(errors.map((e) => e.code)).toEqual(['UNKNOWN_CHANNEL']);
    expect(invoked).toBe(0);
    void bridge;
  });

  it('delivers system.snapshots events to the subscribing window and stops on unsubscribe', async () => {
    const { win, bridge } = open();
    const events: SystemSnapshot[] = [];
    const stop = bridge.subscribe('system.snapshots', { intervalMs: 250 }, (e) => events.push(e as SystemSnapshot), (e) => {
      throw new Error(e.message);
    });
    await waitFor(() => events.length >= 2, 'two snapshots');
    expect(events[0].cpu.total).toBeGreaterThanOrEqual(0);
    expect(events[0].memory.totalBytes).toBeGreaterThan(0);
    expect(binding.liveStreams()).toBe(1);
    stop();
    await waitFor(() => binding.liveStreams() === 0, 'the stream to stop');
    const seen = win.sent.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(win.sent.length).toBe(seen);
  });

  it('rejects invalid stream parameters with INVALID_INPUT', async () => {
    const { bridge } = open();
    const errors: ContractError[] = [];
    bridge.subscribe('system.snapshots', { intervalMs: 1 }, () => {}, (e) => errors.push(e));
    await waitFor(() => errors.length > 0, 'the error');
    expect(errors[0].code).toBe('INVALID_INPUT');
    expect(binding.liveStreams()).toBe(0);
  });

  it("stops a window's streams when its webContents is destroyed, and leaves other windows' streams alone", async () => {
    const a = open();
    const b = open();
    const aEvents: unknown[] = [];
    const bEvents: unknown[] = [];
    a.bridge.subscribe('system.snapshots', { intervalMs: 250 }, (e) => aEvents.push(e), () => {});
    a.bridge.subscribe('system.snapshots', { intervalMs: 500 }, () => {}, () => {});
    b.bridge.subscribe('system.snapshots', { intervalMs: 250 }, (e) => bEvents.push(e), () => {});
    await waitFor(() => aEvents.length > 0 && bEvents.length > 0 && binding.liveStreams() === 3, 'three live streams');
    a.win.destroy();
    expect(binding.liveStreams()).toBe(1);
    const aSent = a.win.sent.length;
    const bBefore = bEvents.length;
    await waitFor(() => bEvents.length > bBefore + 1, 'b to keep receiving');
    expect(a.win.sent.length).toBe(aSent);
    b.win.destroy();
    expect(binding.liveStreams()).toBe(0);
  });

  it('gives each window its own client id and aborts its signal when the window goes away', async () => {
    const seen: { clientId: string; signal: AbortSignal }[] = [];
    const probeMain = new FakeIpcMain();
    const probeContract = { probe: { who: contract.system.info } };
    const probeBinding = bindIpc(
      probeMain,
      probeContract,
      createDispatcher(probeContract, { probe: { who: (_input, ctx) => (seen.push(ctx), {} as never) } }),
      { isTrustedFrame: isAppUrl },
    );
    const w1 = new FakeWindow(probeMain, APP_URL);
    const w2 = new FakeWindow(probeMain, APP_URL);
    const b1 = createBridge(w1.ipcRenderer, listChannels(probeContract));
    const b2 = createBridge(w2.ipcRenderer, listChannels(probeContract));
    await b1.invoke('probe.who', {});
    await b1.invoke('probe.who', {});
    await b2.invoke('probe.who', {});
    expect(seen[0].clientId).toBe(seen[1].clientId);
    expect(seen[0].clientId).not.toBe(seen[2].clientId);
    expect(seen[0].signal.aborted).toBe(false);
    w1.destroy();
    expect(seen[0].signal.aborted).toBe(true);
    expect(seen[2].signal.aborted).toBe(false);
    probeBinding.dispose();
    expect(probeMain.handlers.size).toBe(0);
  });

  it('ends a page’s streams when it reloads, so the new page does not receive them', async () => {
    const { win, bridge } = open();
    const events: unknown[] = [];
    bridge.subscribe('system.snapshots', { intervalMs: 250 }, (e) => events.push(e), () => {});
    await waitFor(() => events.length > 0 && binding.liveStreams() === 1, 'a live stream');
    win.emit('did-start-loading');
    expect(binding.liveStreams()).toBe(0);
    const sent = win.sent.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(win.sent.length).toBe(sent);
    // The reloaded page starts afresh with a new client id.
    const reloaded = createBridge(win.ipcRenderer, listChannels(contract));
    const again: unknown[] = [];
    const stop = reloaded.subscribe('system.snapshots', { intervalMs: 250 }, (e) => again.push(e), () => {});
    await waitFor(() => again.length > 0, 'events after reload');
    stop();
    win.destroy();
  });

  it("closes a window's terminals when the window is destroyed", async () => {
    const { win, bridge } = open();
    const env = await bridge.invoke('terminal.open', { command: ['sleep', '60'] });
    expect(env.ok).toBe(true);
    const pid = (env as { ok: true; value: { pid: number } }).value.pid;
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    win.destroy();
    await waitFor(() => !alive(), 'the terminal to end');
  });

  it('refuses a malformed stream request reaching ipcMain directly', async () => {
    const win = new FakeWindow(main, APP_URL);
    expect(await win.ipcRenderer.invoke('system.snapshots', { op: 'nope' })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'INVALID_INPUT' }),
    });
  });
});

describe('the app protocol', () => {
  it('trusts only the app origin', () => {
    expect(isAppUrl('vantage-app://app/index.html')).toBe(true);
    expect(isAppUrl('vantage-app://app/#/overview')).toBe(true);
    expect(isAppUrl('http://127.0.0.1:8080/')).toBe(false);
    expect(isAppUrl('vantage-app://evil/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
  it('maps app URLs into the renderer directory and never out of it', () => {
    expect(resolveAppFile('/r', 'vantage-app://app/assets/x.js')).toEqual({ file: '/r/assets/x.js', type: 'text/javascript; charset=utf-8' });
    expect(resolveAppFile('/r', 'vantage-app://app/')?.file).toBe('/r/index.html');
    // Encoded `..` segments are normalised against the root: they cannot climb out of it.
    expect(resolveAppFile('/r', 'vantage-app://app/..%2f..%2fetc/passwd')?.file).toBe('/r/etc/passwd');
    expect(resolveAppFile('/r', 'vantage-app://app/%E0%A4%A')).toBeNull();
    expect(resolveAppFile('/r', 'http://app/index.html')).toBeNull();
  });
});
