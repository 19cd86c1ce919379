import { readFileSync, readdirSync } from 'node:fs';

/** Reads a small kernel file; null when it does not exist or cannot be read. */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

export function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

export interface CpuTimes {
  busy: number;
  total: number;
  user: number;
  system: number;
  iowait: number;
  steal: number;
}

/** `/proc/stat` cpu lines: index 0 is the aggregate, then one per core. Values in clock ticks. */
export function parseCpuTimes(stat: string): CpuTimes[] {
  const out: CpuTimes[] = [];
  for (const line of stat.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const f = line.split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    // guest and guest_nice are already counted in user and nice.
    const idleAll = idle + iowait;
    const busy = user + nice + system + irq + softirq + steal;
    out.push({ busy, total: busy + idleAll, user: user + nice, system: system + irq + softirq, iowait, steal });
  }
  return out;
}

export function parseMeminfo(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) map.set(m[1], Number(m[2]) * (line.endsWith('kB') ? 1024 : 1));
  }
  return map;
}

export interface DiskCounters {
  name: string;
  readSectors: number;
  writeSectors: number;
  ioMs: number;
}

/** Whole devices only: partitions and virtual devices would double-count the same I/O. */
export function parseDiskstats(text: string, isWholeDevice: (name: string) => boolean): DiskCounters[] {
  const out: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const name = f[2];
    if (!isWholeDevice(name)) continue;
    out.push({ name, readSectors: Number(f[5]), writeSectors: Number(f[9]), ioMs: Number(f[12]) });
  }
  return out;
}

export interface NetCounters {
  name: string;
  rxBytes: number;
  txBytes: number;
}

export function parseNetDev(text: string): NetCounters[] {
  const out: NetCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    out.push({ name, rxBytes: f[0], txBytes: f[8] });
  }
  return out;
}
