import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWsTransport } from './transport-ws';

/** A WebSocket stand-in that records what the transport sends and opens when told to. */
class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: { t: string; id: number }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(text: string) {
    this.sent.push(JSON.parse(text) as { t: string; id: number });
  }
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
}

describe('WebSocket transport', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends a subscription made before the socket opens exactly once', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    const t = createWsTransport('ws://127.0.0.1:1/ws');
    t.subscribe('system.snapshots', {}, () => {}, () => {});
    void t.invoke('system.info', {});
    const socket = FakeSocket.last!;
    socket.open();
    expect(socket.sent.filter((m) => m.t === 'sub')).toHaveLength(1);
    expect(socket.sent.filter((m) => m.t === 'call')).toHaveLength(1);
  });

  it('forgets a subscription ended before the socket opened without telling the server', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    const t = createWsTransport('ws://127.0.0.1:1/ws');
    const stop = t.subscribe('system.snapshots', {}, () => {}, () => {});
    stop();
    const socket = FakeSocket.last!;
    socket.open();
    expect(socket.sent).toEqual([]);
  });
});
