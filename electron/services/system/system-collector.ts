import type { SystemSnapshot } from '../../contract/system';
import {
  listDir,
  parseCpuTimes,
  parseDiskstats,
  parseMeminfo,
  parseNetDev,
  readText,
  type CpuTimes,
  type DiskCounters,
  type NetCounters,
} from './procfs';

const SECTOR = 512;

function pct(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, (part / whole) * 100)) : 0;
}

function isWholeDevice(name: string): boolean {
  // /sys/block lists whole devices; loop and ram devices are noise on a workstation overview.
  return !/^(loop|ram|zram)\d/.test(name) && existsInSysBlock(name);
}

const sysBlock = new Set(listDir('/sys/block'));
function existsInSysBlock(name: string): boolean {
  return sysBlock.has(name);
}

function readTemperatures(): { label: string; celsius: number }[] {
  const out: { label: string; celsius: number }[] = [];
  for (const hw of listDir('/sys/class/hwmon')) {
    const dir = `/sys/class/hwmon/${hw}`;
    const chip = readText(`${dir}/name`)?.trim() ?? hw;
    for (const file of listDir(dir)) {
      const m = /^temp(\d+)_input$/.exec(file);
      if (!m) continue;
      const milli = Number(readText(`${dir}/${file}`));
      if (!Number.isFinite(milli)) continue;
      const label = readText(`${dir}/temp${m[1]}_label`)?.trim() ?? `temp${m[1]}`;
      out.push({ label: `${chip} ${label}`, celsius: milli / 1000 });
    }
  }
  if (out.length === 0) {
    for (const zone of listDir('/sys/class/thermal')) {
      if (!zone.startsWith('thermal_zone')) continue;
      const milli = Number(readText(`/sys/class/thermal/${zone}/temp`));
      if (!Number.isFinite(milli)) continue;
      const type = readText(`/sys/class/thermal/${zone}/type`)?.trim() ?? zone;
      out.push({ label: type, celsius: milli / 1000 });
    }
  }
  return out;
}

function readBattery(): SystemSnapshot['battery'] {
  for (const ps of listDir('/sys/class/power_supply')) {
    const dir = `/sys/class/power_supply/${ps}`;
    if (readText(`${dir}/type`)?.trim() !== 'Battery') continue;
    const capacity = Number(readText(`${dir}/capacity`));
    if (!Number.isFinite(capacity)) continue;
    return { percent: capacity, status: readText(`${dir}/status`)?.trim() ?? 'Unknown' };
  }
  return null;
}

/**
 * Whole-machine counters turned into rates. Reads a handful of small /proc and /sys files per tick
 * (no process spawning), so it costs well under a millisecond.
 */
export class SystemCollector {
  private prev: { at: number; cpu: CpuTimes[]; disks: DiskCounters[]; net: NetCounters[] } | null = null;
  // Sensors and batteries do not appear or vanish often; re-discover them every 30 ticks.
  private sensorTick = 0;
  private temperatures: SystemSnapshot['temperatures'] = [];
  private battery: SystemSnapshot['battery'] = null;

  sample(): SystemSnapshot {
    const now = Date.now();
    const cpu = parseCpuTimes(readText('/proc/stat') ?? '');
    const disks = parseDiskstats(readText('/proc/diskstats') ?? '', isWholeDevice);
    const net = parseNetDev(readText('/proc/net/dev') ?? '');
    const mem = parseMeminfo(readText('/proc/meminfo') ?? '');
    const loadParts = (readText('/proc/loadavg') ?? '0 0 0 0/0').split(/\s+/);
    const [running, total] = (loadParts[3] ?? '0/0').split('/').map(Number);
    const uptime = Number((readText('/proc/uptime') ?? '0').split(' ')[0]);
    if (this.sensorTick++ % 30 === 0) {
      this.temperatures = readTemperatures();
      this.battery = readBattery();
    }

    const prev = this.prev;
    const seconds = prev ? Math.max(0.001, (now - prev.at) / 1000) : 1;
    const cpuDelta = (i: number) => {
      const a = prev?.cpu[i];
      const b = cpu[i];
      if (!a || !b) return { busy: 0, total: 0, user: 0, system: 0, iowait: 0, steal: 0 };
      return {
        busy: b.busy - a.busy,
        total: b.total - a.total,
        user: b.user - a.user,
        system: b.system - a.system,
        iowait: b.iowait - a.iowait,
        steal: b.steal - a.steal,
      };
    };
    const all = cpuDelta(0);
    const perCore = cpu.slice(1).map((_, i) => {
      const d = cpuDelta(i + 1);
      return pct(d.busy, d.total);
    });

    const totalBytes = mem.get('MemTotal') ?? 0;
    const availableBytes = mem.get('MemAvailable') ?? mem.get('MemFree') ?? 0;
    const cachedBytes = (mem.get('Cached') ?? 0) + (mem.get('SReclaimable') ?? 0);
    const swapTotal = mem.get('SwapTotal') ?? 0;

    const snapshot: SystemSnapshot = {
      ts: now,
      cpu: {
        total: pct(all.busy, all.total),
        user: pct(all.user, all.total),
        system: pct(all.system, all.total),
        iowait: pct(all.iowait, all.total),
        steal: pct(all.steal, all.total),
        perCore,
      },
      load: [Number(loadParts[0]), Number(loadParts[1]), Number(loadParts[2])],
      memory: {
        totalBytes,
        availableBytes,
        usedBytes: totalBytes - availableBytes,
        cachedBytes,
        buffersBytes: mem.get('Buffers') ?? 0,
        swapTotalBytes: swapTotal,
        swapUsedBytes: swapTotal - (mem.get('SwapFree') ?? 0),
      },
      disks: disks.map((d) => {
        const p = prev?.disks.find((x) => x.name === d.name);
        return {
          name: d.name,
          readBytesPerSec: p ? ((d.readSectors - p.readSectors) * SECTOR) / seconds : 0,
          writeBytesPerSec: p ? ((d.writeSectors - p.writeSectors) * SECTOR) / seconds : 0,
          busyPercent: p ? pct(d.ioMs - p.ioMs, seconds * 1000) : 0,
        };
      }),
      interfaces: net.map((n) => {
        const p = prev?.net.find((x) => x.name === n.name);
        const oper = readText(`/sys/class/net/${n.name}/operstate`)?.trim();
        return {
          name: n.name,
          // Loopback reports "unknown" although it carries traffic.
          up: oper === 'up' || (oper === 'unknown' && n.name === 'lo'),
          rxBytesPerSec: p ? Math.max(0, n.rxBytes - p.rxBytes) / seconds : 0,
          txBytesPerSec: p ? Math.max(0, n.txBytes - p.txBytes) / seconds : 0,
          rxBytes: n.rxBytes,
          txBytes: n.txBytes,
        };
      }),
      temperatures: this.temperatures,
      battery: this.battery,
      uptimeSeconds: uptime,
      tasks: { total: total || 0, running: running || 0 },
    };
    this.prev = { at: now, cpu, disks, net };
    return snapshot;
  }
}

/** Flattens a snapshot to named series for the history store. */
export function systemSeries(s: SystemSnapshot): Record<string, number> {
  const out: Record<string, number> = {
    'cpu.total': s.cpu.total,
    'cpu.user': s.cpu.user,
    'cpu.system': s.cpu.system,
    'cpu.iowait': s.cpu.iowait,
    'load.1': s.load[0],
    'load.5': s.load[1],
    'load.15': s.load[2],
    'mem.used': s.memory.usedBytes,
    'mem.available': s.memory.availableBytes,
    'mem.cached': s.memory.cachedBytes,
    'swap.used': s.memory.swapUsedBytes,
    'tasks.total': s.tasks.total,
  };
  s.cpu.perCore.forEach((v, i) => (out[`cpu.core.${i}`] = v));
  for (const d of s.disks) {
    out[`disk.${d.name}.read`] = d.readBytesPerSec;
    out[`disk.${d.name}.write`] = d.writeBytesPerSec;
  }
  for (const n of s.interfaces) {
    out[`net.${n.name}.rx`] = n.rxBytesPerSec;
    out[`net.${n.name}.tx`] = n.txBytesPerSec;
  }
  for (const t of s.temperatures) out[`temp.${t.label.replace(/[^A-Za-z0-9_.-]+/g, '_')}`] = t.celsius;
  return out;
}
