import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import v8 from 'node:v8';
import WebSocket from 'ws';
import type { GcKindStats, GcStats } from '../../contract/memory';
import { ServiceError } from '../../contract/errors';

const KIND_NAMES: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor (scavenge)',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major (mark-sweep-compact)',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

let selfGc: { since: number; kinds: Map<string, GcKindStats> } | null = null;

/** Vantage's own heap: v8 statistics plus a GC observer installed on first use. */
export function selfGcStats(): GcStats {
  if (!selfGc) {
    const state = { since: Date.now(), kinds: new Map<string, GcKindStats>() };
    selfGc = state;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = KIND_NAMES[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
        const k = state.kinds.get(kind) ?? { kind, count: 0, totalMs: 0 };
        k.count++;
        k.totalMs += e.duration;
        state.kinds.set(kind, k);
      }
    });
    obs.observe({ entryTypes: ['gc'] });
  }
  const h = v8.getHeapStatistics();
  return {
    pid: process.pid,
    source: 'self',
    endpoint: null,
    heapUsedBytes: h.used_heap_size,
    heapTotalBytes: h.total_heap_size,
    externalBytes: process.memoryUsage().external,
    gc: [...selfGc.kinds.values()],
    since: selfGc.since,
  };
}

/** `--inspect`, `--inspect=9230`, `--inspect=host:0`, `--inspect-brk=...`, `--inspect-port=N`. */
export function inspectPortFromArgs(args: string[]): { port: number; host: string } | null {
  let found: { port: number; host: string } | null = null;
  let port: number | null = null;
  for (const a of args) {
    const m = /^--inspect(?:-brk|-wait)?(?:=(?:([^:]+):)?(\d+))?$/.exec(a);
    if (m) found = { host: m[1] ?? '127.0.0.1', port: m[2] === undefined ? 9229 : Number(m[2]) };
    const p = /^--inspect-port=(?:([^:]+):)?(\d+)$/.exec(a);
    if (p) port = Number(p[2]);
  }
  if (found && port !== null) found.port = port;
  return found;
}

/** Listening TCP ports (state 0A) of sockets this process holds open, from /proc/net/tcp{,6}. */
export function listeningPortsOf(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // fd closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9])) continue;
      ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

async function debuggerUrl(port: number): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1500) });
    const list = (await res.json()) as { webSocketDebuggerUrl?: string; type?: string }[];
    return list.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl ?? null;
  } catch {
    return null;
  }
}

/** Installed once per inspected process; counts GC entries by kind from then on. */
const INSTALL_AND_READ = `(() => {
  const g = globalThis;
  if (!g.__vantageGc) {
    const s = { since: Date.now(), kinds: {} };
    const names = { 1: 'minor (scavenge)', 4: 'major (mark-sweep-compact)', 8: 'incremental marking', 16: 'weak callbacks' };
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = names[(e.detail && e.detail.kind)] || 'other';
        const k = s.kinds[kind] || (s.kinds[kind] = { kind, count: 0, totalMs: 0 });
        k.count++; k.totalMs += e.duration;
      }
    });
    obs.observe({ entryTypes: ['gc'] });
    g.__vantageGc = s;
  }
  const m = process.memoryUsage();
  return JSON.stringify({ since: g.__vantageGc.since, kinds: Object.values(g.__vantageGc.kinds), heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external });
})()`;

function cdp(url: string, calls: { method: string; params?: unknown }[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const results: unknown[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new ServiceError('UNAVAILABLE', `the inspector at ${url} did not answer within 3 s`));
    }, 3000);
    ws.on('open', () => calls.forEach((c, i) => ws.send(JSON.stringify({ id: i + 1, method: c.method, params: c.params ?? {} }))));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (!msg.id) return;
      if (msg.error) {
        clearTimeout(timer);
        ws.close();
        reject(new ServiceError('UNAVAILABLE', `inspector: ${msg.error.message}`));
        return;
      }
      results[msg.id - 1] = msg.result;
      if (results.filter((r) => r !== undefined).length === calls.length) {
        clearTimeout(timer);
        ws.close();
        resolve(results);
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(new ServiceError('UNAVAILABLE', `cannot reach the inspector at ${url}: ${err.message}`));
    });
  });
}

/**
 * Heap and GC of another Node.js process through its inspector. The port comes from its command
 * line; `--inspect=0` picks a random port, found among the listening sockets the process owns.
 */
export async function inspectorGcStats(pid: number): Promise<GcStats> {
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
  } catch {
    throw new ServiceError('ESRCH', `process ${pid} has exited`);
  }
  const flag = inspectPortFromArgs(args);
  if (!flag) {
    throw new ServiceError('UNAVAILABLE', `process ${pid} is not a Node.js process started with --inspect; GC statistics need its inspector`);
  }
  let candidates: { port: number; how: string }[] = [];
  if (flag.port !== 0) candidates.push({ port: flag.port, how: 'from its command line' });
  else {
    try {
      candidates = listeningPortsOf(pid).map((port) => ({ port, how: 'from --inspect=0 via /proc/net/tcp' }));
    } catch {
      throw new ServiceError('EPERM', `no permission to list the sockets of process ${pid} (to find its --inspect=0 port)`);
    }
  }
  for (const c of candidates) {
    const url = await debuggerUrl(c.port);
    if (!url) continue;
    const [usage, evaluated] = (await cdp(url, [
      { method: 'Runtime.getHeapUsage' },
      { method: 'Runtime.evaluate', params: { expression: INSTALL_AND_READ, returnByValue: true } },
    ])) as [{ usedSize: number; totalSize: number }, { result?: { value?: string } }];
    const v = JSON.parse(evaluated.result?.value ?? '{}') as { since?: number; kinds?: GcKindStats[]; external?: number };
    return {
      pid,
      source: 'inspector',
      endpoint: `127.0.0.1:${c.port} (${c.how})`,
      heapUsedBytes: usage.usedSize,
      heapTotalBytes: usage.totalSize,
      externalBytes: v.external ?? null,
      gc: v.kinds ?? [],
      since: v.since ?? Date.now(),
    };
  }
  throw new ServiceError('UNAVAILABLE', `process ${pid} has --inspect but no inspector answered on ${candidates.map((c) => c.port).join(', ') || 'any port it listens on'}`);
}

export function gcStats(pid: number): Promise<GcStats> {
  return pid === process.pid ? Promise.resolve(selfGcStats()) : inspectorGcStats(pid);
}
