import { readFileSync } from 'node:fs';
import type { LeakCandidate, LeakReport } from '../../contract/memory';
import type { HistoryStore } from '../history/store';

export interface Fit {
  /** Units of y per second. */
  slope: number;
  r2: number;
}

/** Ordinary least squares of values over time (ms); R² says how well a straight line explains them. */
export function leastSquares(ts: number[], values: number[]): Fit {
  const n = ts.length;
  if (n < 2) return { slope: 0, r2: 0 };
  const t0 = ts[0];
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += (ts[i] - t0) / 1000;
    sy += values[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (ts[i] - t0) / 1000 - mx;
    const dy = values[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: 0, r2: 0 };
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, r2 };
}

export interface LeakRules {
  windowSeconds: number;
  /** Growth slower than this is noise (allocator slack, JIT warm-up). */
  minBytesPerSecond: number;
  /** Below this the growth is not steady (a single jump fits a line poorly). */
  minR2: number;
  /** The series must cover this share of the window: a process seen for 3 s is not judged. */
  minCoverage: number;
}

export function leakRulesFromEnv(env: NodeJS.ProcessEnv = process.env): LeakRules {
  const w = Number(env.VANTAGE_LEAK_WINDOW_S);
  return {
    windowSeconds: Number.isFinite(w) && w >= 10 && w <= 3600 ? Math.round(w) : 300,
    minBytesPerSecond: 16 * 1024,
    minR2: 0.9,
    minCoverage: 0.75,
  };
}

/** `mem.proc.<pid>.<starttime>.<uss|rss>`: the start time keeps a reused pid from joining two lives. */
export function procSeriesName(pid: number, startTime: number, metric: 'uss' | 'rss'): string {
  return `mem.proc.${pid}.${startTime}.${metric}`;
}

function parseSeriesName(name: string): { pid: number; startTime: number; metric: 'uss' | 'rss' } | null {
  const m = /^mem\.proc\.(\d+)\.(\d+)\.(uss|rss)$/.exec(name);
  return m ? { pid: Number(m[1]), startTime: Number(m[2]), metric: m[3] as 'uss' | 'rss' } : null;
}

function liveComm(pid: number, startTime: number): { comm: string; alive: boolean } {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const close = text.lastIndexOf(')');
    const start = Number(text.slice(close + 2).split(' ')[19]);
    if (start === startTime) return { comm: text.slice(text.indexOf('(') + 1, close), alive: true };
  } catch {
    // exited
  }
  return { comm: '(exited)', alive: false };
}

/**
 * Fits every tracked process's private memory over the window. USS is used when it was recorded,
 * RSS otherwise. Flagged = steady (R²) and fast enough (slope) over most of the window.
 */
export function detectLeaks(history: HistoryStore, rules: LeakRules, opts: { now?: number; comms?: Map<string, string> } = {}): LeakReport {
  const now = opts.now ?? Date.now();
  const from = now - rules.windowSeconds * 1000;
  const names = history.listSeries('mem.proc.');
  const byProc = new Map<string, { pid: number; startTime: number; uss?: string; rss?: string }>();
  for (const name of names) {
    const p = parseSeriesName(name);
    if (!p) continue;
    const key = `${p.pid}.${p.startTime}`;
    const entry = byProc.get(key) ?? { pid: p.pid, startTime: p.startTime };
    entry[p.metric] = name;
    byProc.set(key, entry);
  }
  const candidates: LeakCandidate[] = [];
  for (const [key, p] of byProc) {
    // The series table keeps every pid ever tracked; judge only the living and those this
    // session saw (an exited leaker stays listed for its window), so the cost stays bounded.
    const live = liveComm(p.pid, p.startTime);
    if (!live.alive && !opts.comms?.has(key)) continue;
    const pick = (metric: 'uss' | 'rss') => {
      const name = p[metric];
      if (!name) return null;
      const s = history.query({ series: [name], from, to: now, maxPoints: 5000 }).series[0];
      return s.ts.length ? { name, metric, s } : null;
    };
    const chosen = pick('uss') ?? pick('rss');
    if (!chosen) continue;
    const { ts, values } = chosen.s;
    const fit = leastSquares(ts, values);
    const spanSeconds = ts.length > 1 ? (ts[ts.length - 1] - ts[0]) / 1000 : 0;
    const covered = spanSeconds >= rules.windowSeconds * rules.minCoverage;
    const flagged = covered && ts.length >= 5 && fit.slope >= rules.minBytesPerSecond && fit.r2 >= rules.minR2;
    candidates.push({
      pid: p.pid,
      comm: opts.comms?.get(key) ?? live.comm,
      startTime: p.startTime,
      metric: chosen.metric,
      series: chosen.name,
      bytesPerSecond: fit.slope,
      r2: fit.r2,
      samples: ts.length,
      windowSeconds: rules.windowSeconds,
      flagged,
      alive: live.alive,
      lastBytes: values[values.length - 1],
      evidence: { ts, values },
    });
  }
  candidates.sort((a, b) => Number(b.flagged) - Number(a.flagged) || b.bytesPerSecond * b.r2 - a.bytesPerSecond * a.r2);
  return { windowSeconds: rules.windowSeconds, minBytesPerSecond: rules.minBytesPerSecond, minR2: rules.minR2, candidates };
}
