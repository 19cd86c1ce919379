import type { ProcessHistorySeries } from '@contract/processes';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api';
import type { DisplayTable, Rows } from './rows';
import { mergeSeries, pushLive, type LiveSamples } from './series';
import { processKey } from './tree';

interface Trend {
  key: string;
  pid: number;
  startTicks: number;
  live: LiveSamples;
}

const EMPTY: LiveSamples = { ts: [], cpu: [], rss: [] };

/**
 * CPU of the row under the cursor, for the tiny sparkline in that row: recorded history (asked
 * for once the cursor rests) followed by the ticks seen since.
 */
export function useCursorTrend(display: DisplayTable | null, rows: Rows | null, selected: number): number[] {
  const [trend, setTrend] = useState<Trend | null>(null);
  const [history, setHistory] = useState<{ key: string; series: ProcessHistorySeries | null } | null>(null);

  useEffect(() => {
    if (!display || !rows || selected < 0 || selected >= rows.order.length) return;
    const t = display.table;
    const i = rows.order[selected];
    if (i >= display.live) return;
    const key = processKey(t, i);
    setTrend((s) =>
      s && s.key === key
        ? { ...s, live: pushLive(s.live, t.ts, t.cpuPercent[i], t.rssBytes[i]) }
        : { key, pid: t.pid[i], startTicks: t.startTicks[i], live: pushLive(EMPTY, t.ts, t.cpuPercent[i], t.rssBytes[i]) },
    );
  }, [display, rows, selected]);

  const key = trend?.key ?? null;
  const pid = trend?.pid ?? 0;
  const startTicks = trend?.startTicks ?? 0;
  useEffect(() => {
    if (key === null) return;
    let live = true;
    // Moving the cursor quickly should not fire a history query per row passed.
    const timer = setTimeout(() => {
      api.processes.history({ processes: [{ pid, startTicks }], seconds: 120 }).then(
        (h) => live && setHistory({ key, series: h[0] ?? null }),
        () => live && setHistory({ key, series: null }),
      );
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, pid, startTicks]);

  return useMemo(() => {
    if (!trend) return [];
    const series = history && history.key === trend.key ? history.series : null;
    return mergeSeries(series, trend.live).cpu.slice(-120);
  }, [trend, history]);
}
