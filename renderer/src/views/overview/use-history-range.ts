import type { HistoryRange, HistoryResult } from '@contract/history';
import { useEffect, useState } from 'react';
import { api } from '../../api';

type Rows = Record<string, number>[];

function merge(result: HistoryResult, rename: Record<string, string>): Rows {
  const byTs = new Map<number, Record<string, number>>();
  for (const s of result.series) {
    const key = rename[s.name] ?? s.name;
    s.ts.forEach((t, i) => {
      let row = byTs.get(t);
      if (!row) byTs.set(t, (row = { ts: t }));
      row[key] = s.values[i];
    });
  }
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

/** Reads the overview's series from the history store for a range, refreshing every 30 s. */
export function useHistoryRange(range: HistoryRange | null, disks: string[], ifaces: string[]) {
  const [state, setState] = useState<{ rows: { cpu: Rows; mem: Rows; disk: Rows; net: Rows }; tier: string | null; error: unknown; empty: boolean }>({
    rows: { cpu: [], mem: [], disk: [], net: [] },
    tier: null,
    error: null,
    empty: false,
  });
  const diskKey = disks.join(',');
  const ifaceKey = ifaces.join(',');
  useEffect(() => {
    if (!range) return;
    let cancelled = false;
    const load = async () => {
      try {
        const q = (series: string[]) => api.history.query({ series, range, maxPoints: 400 });
        const diskNames = diskKey ? diskKey.split(',') : [];
        const ifaceNames = ifaceKey ? ifaceKey.split(',') : [];
        const [cpu, mem, disk, net] = await Promise.all([
          q(['cpu.user', 'cpu.system', 'cpu.iowait']),
          q(['mem.used', 'mem.cached', 'swap.used']),
          diskNames.length ? q(diskNames.flatMap((d) => [`disk.${d}.read`, `disk.${d}.write`]).slice(0, 64)) : null,
          ifaceNames.length ? q(ifaceNames.flatMap((n) => [`net.${n}.rx`, `net.${n}.tx`]).slice(0, 64)) : null,
        ]);
        if (cancelled) return;
        const strip = (prefix: string) => (r: HistoryResult | null) =>
          r ? merge(r, Object.fromEntries(r.series.map((s) => [s.name, s.name.slice(prefix.length)]))) : [];
        setState({
          rows: {
            cpu: merge(cpu, { 'cpu.user': 'user', 'cpu.system': 'system', 'cpu.iowait': 'iowait' }),
            mem: merge(mem, { 'mem.used': 'used', 'mem.cached': 'cached', 'swap.used': 'swap' }),
            disk: strip('disk.')(disk),
            net: strip('net.')(net),
          },
          tier: cpu.tier,
          error: null,
          empty: cpu.series.every((s) => s.ts.length === 0),
        });
      } catch (error) {
        if (!cancelled) setState((s) => ({ ...s, error }));
      }
    };
    load();
    const t = setInterval(load, 30_000);
    return () => {
      cancelled = true;
      clearInterval(t);
    };
  }, [range, diskKey, ifaceKey]);
  return state;
}
