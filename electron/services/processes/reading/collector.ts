import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { ProcessSnapshot, ProcessTable } from '../../../contract/processes';
import { ttyName, type ProcReader, type RawProcessTable } from './raw';

function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

/** Wall-clock ms of boot, from /proc/uptime (finer than /proc/stat's btime seconds). */
export function bootTimeMs(): number {
  const up = Number(readText('/proc/uptime').split(' ')[0]);
  return Date.now() - (Number.isFinite(up) ? up * 1000 : 0);
}

export function memTotalBytes(): number {
  const m = /^MemTotal:\s+(\d+)/m.exec(readText('/proc/meminfo'));
  return m ? Number(m[1]) * 1024 : 0;
}

const ttyNames = new Map<number, string>();
/** Character devices ps does not name by rule: their name from sysfs, once. */
function ttyByDevice(major: number, minor: number): string | null {
  const m = /^DEVNAME=(.+)$/m.exec(readText(`/sys/dev/char/${major}:${minor}/uevent`));
  return m ? m[1] : null;
}
export function cachedTtyName(nr: number): string {
  if (nr === 0) return '';
  let name = ttyNames.get(nr);
  if (name === undefined) {
    name = ttyName(nr, ttyByDevice);
    ttyNames.set(nr, name);
  }
  return name;
}

const RELEASE_AFTER_MS = 30_000;

/**
 * Turns successive raw reads into snapshots: CPU%, I/O and context-switch rates come from the
 * difference with the previous read of the same process (pid + start time, so a reused pid starts
 * from zero instead of inheriting someone else's counters).
 */
export class ProcessCollector {
  readonly cpuCount = cpus().length || 1;
  readonly memTotalBytes = memTotalBytes();
  private readonly bootMs = bootTimeMs();
  private prev: { raw: RawProcessTable; at: number; index: Map<number, number> } | null = null;
  /** The latest snapshot and when it was taken (performance.now()). */
  last: { at: number; snapshot: ProcessSnapshot } | null = null;
  /** Called with each snapshot (history recording). */
  onSample: ((s: ProcessSnapshot) => void) | null = null;

  private idleTimer: NodeJS.Timeout | null = null;

  constructor(readonly reader: ProcReader) {}

  get hasPrevious(): boolean {
    return this.prev !== null;
  }

  /** Milliseconds since the previous read, or null. */
  sincePrevious(): number | null {
    return this.prev ? performance.now() - this.prev.at : null;
  }

  sample(): ProcessSnapshot {
    const t0 = performance.now();
    const raw = this.reader.readAll();
    // Processes are read one after another over the call: its midpoint is the best single time
    // for all of them, and the offsets cancel between two reads of similar length.
    const at = (t0 + performance.now()) / 2;
    const table = this.toTable(raw, at);
    const index = new Map<number, number>();
    for (let i = 0; i < raw.count; i++) index.set(raw.pid[i], i);
    this.prev = { raw, at, index };
    const snapshot: ProcessSnapshot = {
      table,
      cpuCount: this.cpuCount,
      memTotalBytes: this.memTotalBytes,
      readMs: performance.now() - t0,
      reader: this.reader.kind === 'native' ? { kind: 'native' } : { kind: 'fallback', reason: this.reader.reason ?? 'native reader unavailable' },
    };
    this.last = { at: performance.now(), snapshot };
    this.onSample?.(snapshot);
    this.releaseWhenIdle();
    return snapshot;
  }

  /**
   * The native reader keeps a few /proc files open per process between reads; when nobody has
   * read for RELEASE_AFTER_MS (no view open), they are closed and the next read reopens them.
   */
  private releaseWhenIdle() {
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        this.reader.release();
      }, RELEASE_AFTER_MS);
      this.idleTimer.unref?.();
    }
  }

  private toTable(raw: RawProcessTable, at: number): ProcessTable {
    const n = raw.count;
    const prev = this.prev;
    const dtSec = prev ? (at - prev.at) / 1000 : 0;
    const hz = this.reader.clockTicks;
    const cpuPercent = new Array<number>(n);
    const readRate = new Array<number | null>(n);
    const writeRate = new Array<number | null>(n);
    const ctxRate = new Array<number>(n);
    const user = new Array<string>(n);
    const state = new Array<string>(n);
    const tty = new Array<string>(n);
    const startedAt = new Array<number>(n);
    const cpuTimeMs = new Array<number>(n);
    const memPercent = new Array<number>(n);
    const kernel = new Array<boolean>(n);
    const memTotal = this.memTotalBytes || 1;
    const nowUptimeSec = (Date.now() - this.bootMs) / 1000;
    for (let i = 0; i < n; i++) {
      const j = prev && dtSec > 0 ? prev.index.get(raw.pid[i]) : undefined;
      const same = j !== undefined && prev!.raw.startTicks[j] === raw.startTicks[i];
      if (same) {
        const p = prev!.raw;
        cpuPercent[i] = Math.max(0, ((raw.cpuTicks[i] - p.cpuTicks[j]) / hz / dtSec) * 100);
        readRate[i] = raw.readBytes[i] < 0 || p.readBytes[j] < 0 ? null : Math.max(0, (raw.readBytes[i] - p.readBytes[j]) / dtSec);
        writeRate[i] = raw.writeBytes[i] < 0 || p.writeBytes[j] < 0 ? null : Math.max(0, (raw.writeBytes[i] - p.writeBytes[j]) / dtSec);
        ctxRate[i] = Math.max(0, (raw.ctxSwitches[i] - p.ctxSwitches[j]) / dtSec);
      } else {
        // New since the previous read: its whole life is the interval (as ps computes %CPU). On
        // the very first read there is no interval at all, and every rate is 0.
        const ageSec = prev ? nowUptimeSec - raw.startTicks[i] / hz : 0;
        const life = ageSec > 0.05 ? ageSec : 0;
        cpuPercent[i] = life ? Math.min(((raw.cpuTicks[i] / hz) / life) * 100, 100 * this.cpuCount) : 0;
        readRate[i] = raw.readBytes[i] < 0 ? null : life ? raw.readBytes[i] / life : 0;
        writeRate[i] = raw.writeBytes[i] < 0 ? null : life ? raw.writeBytes[i] / life : 0;
        ctxRate[i] = life ? raw.ctxSwitches[i] / life : 0;
      }
      user[i] = this.reader.userName(raw.uid[i]);
      state[i] = String.fromCharCode(raw.state[i]);
      tty[i] = cachedTtyName(raw.ttyNr[i]);
      startedAt[i] = Math.round(this.bootMs + (raw.startTicks[i] / hz) * 1000);
      cpuTimeMs[i] = (raw.cpuTicks[i] / hz) * 1000;
      memPercent[i] = (raw.rssBytes[i] / memTotal) * 100;
      kernel[i] = raw.kernel[i] === 1;
    }
    return {
      ts: Date.now(),
      count: n,
      pid: Array.from(raw.pid),
      ppid: Array.from(raw.ppid),
      uid: Array.from(raw.uid),
      user,
      state,
      threads: Array.from(raw.threads),
      nice: Array.from(raw.nice),
      priority: Array.from(raw.priority),
      rssBytes: Array.from(raw.rssBytes),
      vszBytes: Array.from(raw.vszBytes),
      swapBytes: Array.from(raw.swapBytes),
      cpuPercent,
      memPercent,
      cpuTimeMs,
      readBytesPerSec: readRate,
      writeBytesPerSec: writeRate,
      ctxSwitchesPerSec: ctxRate,
      startTicks: Array.from(raw.startTicks),
      startedAt,
      comm: raw.comm,
      cmdline: raw.cmdline,
      cgroup: raw.cgroup,
      wchan: raw.wchan,
      tty,
      kernel,
    };
  }
}
