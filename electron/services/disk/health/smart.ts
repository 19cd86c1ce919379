import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { MountHealth } from '../../../contract/disk';

type Smart = MountHealth['smart'];

const TTL_MS = 10 * 60_000;
const PATHS = ['/usr/sbin/smartctl', '/sbin/smartctl', '/usr/bin/smartctl', '/usr/local/sbin/smartctl'];

interface SmartctlJson {
  smart_status?: { passed?: boolean };
  model_name?: string;
  messages?: { string?: string; severity?: string }[];
  smartctl?: { messages?: { string?: string; severity?: string }[]; exit_status?: number };
}

/** SMART health (smartctl -H -j), cached 10 minutes per device. */
export class SmartCache {
  private readonly cache = new Map<string, { at: number; value: Promise<Smart> }>();

  constructor(private readonly smartctl: string | null = PATHS.find((p) => existsSync(p)) ?? null) {}

  get(device: string | null): Promise<Smart> {
    if (!this.smartctl) return Promise.resolve({ available: false, reason: 'smartctl is not installed (apt install smartmontools)' });
    if (!device) return Promise.resolve({ available: false, reason: 'not backed by a block device' });
    const hit = this.cache.get(device);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const value = this.query(this.smartctl, device);
    this.cache.set(device, { at: Date.now(), value });
    return value;
  }

  private query(smartctl: string, device: string): Promise<Smart> {
    const path = `/dev/${device}`;
    return new Promise((resolve) => {
      execFile(smartctl, ['-H', '-j', path], { timeout: 10_000 }, (err, stdout) => {
        let j: SmartctlJson;
        try {
          j = JSON.parse(stdout) as SmartctlJson;
        } catch {
          resolve({ available: false, reason: `smartctl gave no answer for ${path}${err ? `: ${err.message}` : ''}` });
          return;
        }
        const passed = j.smart_status?.passed;
        if (typeof passed === 'boolean') {
          resolve({
            available: true,
            device: path,
            passed,
            summary: `${j.model_name ?? path}: SMART overall-health ${passed ? 'PASSED' : 'FAILED'}`,
          });
          return;
        }
        const msgs = [...(j.smartctl?.messages ?? []), ...(j.messages ?? [])].map((m) => m.string).filter(Boolean);
        resolve({ available: false, reason: msgs.join('; ') || `smartctl reports no SMART status for ${path}` });
      });
    });
  }
}
