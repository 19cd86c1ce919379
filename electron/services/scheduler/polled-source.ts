import type { CollectorCost } from '../../contract/system';

type Listener<T> = (sample: T) => void;

interface Subscription<T> {
  intervalMs: number;
  lastDelivered: number;
  listener: Listener<T>;
}

/**
 * A collector that only runs while somebody listens. It ticks at the fastest cadence any
 * subscriber asked for, hands each subscriber the samples at its own cadence, and measures what
 * every tick costs so the app can show its own overhead.
 */
export class PolledSource<T> {
  private subs = new Set<Subscription<T>>();
  private timer: NodeJS.Timeout | null = null;
  private tickMs = 0;
  private last: { at: number; sample: T } | null = null;
  private ticks = 0;
  private cpuMicros = 0;
  private wallMs = 0;
  private lastWallMs = 0;

  constructor(
    readonly name: string,
    private readonly sample: () => T,
    /** Sources whose samples are deltas need one warm-up read before the first useful sample. */
    private readonly primeOnStart = false,
  ) {}

  subscribe(intervalMs: number, listener: Listener<T>): () => void {
    const sub: Subscription<T> = { intervalMs, lastDelivered: 0, listener };
    this.subs.add(sub);
    // A fresh sample from another subscriber is handed over at once, so a new view shows data
    // without waiting a whole interval.
    if (this.last && Date.now() - this.last.at < Math.max(intervalMs, 1000)) {
      sub.lastDelivered = this.last.at;
      queueMicrotask(() => this.subs.has(sub) && listener(this.last!.sample));
    }
    this.reschedule();
    return () => {
      this.subs.delete(sub);
      this.reschedule();
    };
  }

  /** Takes one sample now, outside the schedule (used by one-shot callers such as the CLI). */
  sampleNow(): T {
    return this.measure();
  }

  cost(): CollectorCost {
    return {
      name: this.name,
      intervalMs: this.tickMs,
      subscribers: this.subs.size,
      ticks: this.ticks,
      meanCpuMs: this.ticks ? this.cpuMicros / 1000 / this.ticks : 0,
      meanWallMs: this.ticks ? this.wallMs / this.ticks : 0,
      lastWallMs: this.lastWallMs,
    };
  }

  private measure(): T {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const sample = this.sample();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    this.ticks++;
    this.cpuMicros += cpu.user + cpu.system;
    this.wallMs += wall;
    this.lastWallMs = wall;
    this.last = { at: Date.now(), sample };
    return sample;
  }

  private tick = () => {
    let sample: T;
    try {
      sample = this.measure();
    } catch (err) {
      console.error(`collector ${this.name} failed:`, err);
      return;
    }
    const now = Date.now();
    for (const sub of this.subs) {
      // Deliver when this subscriber's own interval has (almost) passed; timers jitter a little.
      if (now - sub.lastDelivered >= sub.intervalMs - this.tickMs / 2) {
        sub.lastDelivered = now;
        try {
          sub.listener(sample);
        } catch (err) {
          console.error(`listener of ${this.name} failed:`, err);
        }
      }
    }
  };

  private reschedule() {
    const wanted = this.subs.size ? Math.min(...[...this.subs].map((s) => s.intervalMs)) : 0;
    if (wanted === this.tickMs) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tickMs = wanted;
    if (!wanted) return;
    if (this.primeOnStart && (!this.last || Date.now() - this.last.at > wanted * 2)) {
      try {
        this.measure();
      } catch {
        // The first real tick reports the failure.
      }
      // The first delta needs a little elapsed time to mean anything; 200 ms is enough for /proc
      // counters and keeps "live data within 1.5 s of opening" true.
      setTimeout(() => this.subs.size && this.tick(), 200).unref?.();
    } else if (!this.last) {
      queueMicrotask(this.tick);
    }
    this.timer = setInterval(this.tick, wanted);
    this.timer.unref?.();
  }
}

/** All collectors, so the "about this monitor" panel and the bench can read their costs. */
export class CollectorRegistry {
  private sources: PolledSource<unknown>[] = [];
  add<T>(source: PolledSource<T>): PolledSource<T> {
    this.sources.push(source as PolledSource<unknown>);
    return source;
  }
  costs(): CollectorCost[] {
    return this.sources.map((s) => s.cost());
  }
}
