import type { ThreadSample } from '../../../contract/processes';
import type { ProcReader } from './raw';

/**
 * The threads of one process over time: each thread's CPU share comes from its own previous
 * read (tid + start time), so a busy worker shows next to idle ones.
 */
export class ThreadSampler {
  private prev = new Map<number, { startTicks: number; cpuTicks: number }>();
  private prevAt = 0;

  constructor(
    private readonly reader: ProcReader,
    readonly pid: number,
  ) {}

  /** null when the process is gone. */
  sample(): ThreadSample | null {
    const raw = this.reader.readThreads(this.pid);
    const at = performance.now();
    if (!raw) return null;
    const dtSec = this.prevAt ? (at - this.prevAt) / 1000 : 0;
    const hz = this.reader.clockTicks;
    const next = new Map<number, { startTicks: number; cpuTicks: number }>();
    const threads: ThreadSample['threads'] = [];
    for (let i = 0; i < raw.count; i++) {
      const tid = raw.tid[i];
      const p = this.prev.get(tid);
      const cpuPercent = p && dtSec > 0 && p.startTicks === raw.startTicks[i] ? Math.max(0, ((raw.cpuTicks[i] - p.cpuTicks) / hz / dtSec) * 100) : 0;
      next.set(tid, { startTicks: raw.startTicks[i], cpuTicks: raw.cpuTicks[i] });
      threads.push({
        tid,
        comm: raw.comm[i],
        state: String.fromCharCode(raw.state[i]),
        cpuPercent,
        cpuTimeMs: (raw.cpuTicks[i] / hz) * 1000,
        nice: raw.nice[i],
        priority: raw.priority[i],
        processor: raw.processor[i],
        voluntaryCtxSwitches: raw.voluntary[i],
        involuntaryCtxSwitches: raw.involuntary[i],
        wchan: raw.wchan[i],
      });
    }
    this.prev = next;
    this.prevAt = at;
    return { pid: this.pid, ts: Date.now(), threads };
  }
}
