import type { SystemSnapshot } from '../../contract/system';
import type { MetricFamily } from '../metrics/registry';
import type { CollectorRegistry } from '../scheduler/polled-source';

export function systemMetrics(s: SystemSnapshot, collectors: CollectorRegistry): MetricFamily[] {
  return [
    {
      name: 'vantage_cpu_busy_percent',
      help: 'CPU busy share over the last collector interval.',
      type: 'gauge',
      samples: [{ labels: { cpu: 'all' }, value: s.cpu.total }, ...s.cpu.perCore.map((v, i) => ({ labels: { cpu: String(i) }, value: v }))],
    },
    { name: 'vantage_load_average', help: 'Load average.', type: 'gauge', samples: ['1', '5', '15'].map((m, i) => ({ labels: { minutes: m }, value: s.load[i] })) },
    { name: 'vantage_memory_total_bytes', help: 'Physical memory.', type: 'gauge', samples: [{ value: s.memory.totalBytes }] },
    { name: 'vantage_memory_available_bytes', help: 'Memory available for new work (MemAvailable).', type: 'gauge', samples: [{ value: s.memory.availableBytes }] },
    { name: 'vantage_swap_used_bytes', help: 'Swap in use.', type: 'gauge', samples: [{ value: s.memory.swapUsedBytes }] },
    { name: 'vantage_network_receive_bytes_total', help: 'Bytes received per interface.', type: 'counter', samples: s.interfaces.map((n) => ({ labels: { interface: n.name }, value: n.rxBytes })) },
    { name: 'vantage_network_transmit_bytes_total', help: 'Bytes sent per interface.', type: 'counter', samples: s.interfaces.map((n) => ({ labels: { interface: n.name }, value: n.txBytes })) },
    { name: 'vantage_uptime_seconds', help: 'Seconds since boot.', type: 'gauge', samples: [{ value: s.uptimeSeconds }] },
    {
      name: 'vantage_collector_tick_cpu_seconds',
      help: "Mean CPU time per tick of each of Vantage's collectors.",
      type: 'gauge',
      samples: collectors.costs().map((c) => ({ labels: { collector: c.name }, value: c.meanCpuMs / 1000 })),
    },
  ];
}
