import os from 'node:os';
import si from 'systeminformation';
import type { DomainHandlers } from '../../rpc/handlers';
import type { system } from '../../contract/system';
import type { HostInfo } from '../../contract/system';
import type { CollectorRegistry, PolledSource } from '../scheduler/polled-source';
import type { SystemSnapshot } from '../../contract/system';

let hostInfo: Promise<HostInfo> | null = null;

/** Static facts change only across reboots; systeminformation's breadth is worth its cost once. */
function loadHostInfo(): Promise<HostInfo> {
  hostInfo ??= (async () => {
    const [osInfo, cpu, mem] = await Promise.all([si.osInfo(), si.cpu(), si.mem()]);
    const virtualization = await si.system().then(
      (sys) => (sys.virtual ? sys.virtualHost || 'virtual machine' : null),
      () => null,
    );
    return {
      hostname: os.hostname(),
      os: `${osInfo.distro} ${osInfo.release}`.trim(),
      kernel: osInfo.kernel,
      arch: osInfo.arch,
      cpuModel: `${cpu.manufacturer} ${cpu.brand}`.trim(),
      cores: cpu.physicalCores,
      threads: cpu.cores,
      memoryBytes: mem.total,
      bootTime: Date.now() - os.uptime() * 1000,
      virtualization,
    };
  })();
  return hostInfo;
}

export function createSystemHandlers(deps: {
  source: PolledSource<SystemSnapshot>;
  collectors: CollectorRegistry;
  startedAt: number;
}): DomainHandlers<typeof system> {
  let lastCpu = { at: Date.now(), usage: process.cpuUsage() };
  return {
    info: () => loadHostInfo(),
    snapshots: ({ intervalMs }, emit) => deps.source.subscribe(intervalMs, emit),
    cost: () => {
      const now = Date.now();
      const usage = process.cpuUsage();
      const spentMicros = usage.user - lastCpu.usage.user + (usage.system - lastCpu.usage.system);
      const cpuPercent = now > lastCpu.at ? (spentMicros / 1000 / (now - lastCpu.at)) * 100 : 0;
      lastCpu = { at: now, usage };
      return {
        collectors: deps.collectors.costs(),
        rssBytes: process.memoryUsage.rss(),
        cpuPercent,
        uptimeSeconds: (now - deps.startedAt) / 1000,
      };
    },
  };
}
