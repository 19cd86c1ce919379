export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels?: Record<string, string>; value: number }[];
}

/** Domains register what they can report; `/metrics` asks all of them at scrape time. */
export class MetricsRegistry {
  private providers: (() => MetricFamily[])[] = [];

  register(provider: () => MetricFamily[]): void {
    this.providers.push(provider);
  }

  collect(): MetricFamily[] {
    const out: MetricFamily[] = [];
    for (const p of this.providers) {
      try {
        out.push(...p());
      } catch (err) {
        console.error('metrics provider failed:', err);
      }
    }
    return out;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Prometheus text exposition format 0.0.4. */
export function formatExposition(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = s.labels && Object.keys(s.labels).length
        ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
        : '';
      const value = Number.isFinite(s.value) ? String(s.value) : s.value > 0 ? '+Inf' : s.value < 0 ? '-Inf' : 'NaN';
      lines.push(`${f.name}${labels} ${value}`);
    }
  }
  return lines.join('\n') + '\n';
}
