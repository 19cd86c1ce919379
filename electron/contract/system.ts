import { z } from 'zod';
import { call, stream } from './core';

export interface CpuSample {
  /** Busy share of all CPUs, 0–100. */
  total: number;
  user: number;
  system: number;
  iowait: number;
  steal: number;
  perCore: number[];
}

export interface MemorySample {
  totalBytes: number;
  availableBytes: number;
  usedBytes: number;
  cachedBytes: number;
  buffersBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

export interface DiskDeviceSample {
  name: string;
  readBytesPerSec: number;
  writeBytesPerSec: number;
  /** Share of the interval the device had I/O in flight, 0–100. */
  busyPercent: number;
}

export interface InterfaceSample {
  name: string;
  up: boolean;
  rxBytesPerSec: number;
  txBytesPerSec: number;
  rxBytes: number;
  txBytes: number;
}

export interface SystemSnapshot {
  ts: number;
  cpu: CpuSample;
  load: [number, number, number];
  memory: MemorySample;
  disks: DiskDeviceSample[];
  interfaces: InterfaceSample[];
  temperatures: { label: string; celsius: number }[];
  battery: { percent: number; status: string } | null;
  uptimeSeconds: number;
  tasks: { total: number; running: number };
}

export interface HostInfo {
  hostname: string;
  os: string;
  kernel: string;
  arch: string;
  cpuModel: string;
  cores: number;
  threads: number;
  memoryBytes: number;
  bootTime: number;
  virtualization: string | null;
}

export interface CollectorCost {
  name: string;
  intervalMs: number;
  subscribers: number;
  ticks: number;
  /** Mean CPU time (user+system) the collector spent per tick, in ms. */
  meanCpuMs: number;
  meanWallMs: number;
  lastWallMs: number;
}

export interface MonitorCost {
  collectors: CollectorCost[];
  /** Vantage's main side as a whole. */
  rssBytes: number;
  cpuPercent: number;
  uptimeSeconds: number;
}

const interval = z.number().int().min(250).max(60_000).default(1000);

export const system = {
  info: call<HostInfo>()(z.object({}).strict().optional(), 'Static host facts: OS, kernel, CPU model, memory.'),
  snapshots: stream<SystemSnapshot>()(
    z.object({ intervalMs: interval }).strict(),
    'CPU, load, memory, disk and network rates, temperatures, battery, at the asked cadence.',
  ),
  cost: call<MonitorCost>()(z.object({}).strict().optional(), "The monitor's own cost: per-collector time per tick, RSS."),
};
