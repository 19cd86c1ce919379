import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartCache } from './smart';

// smartctl itself needs real disks; these stand-ins print what smartctl -H -j prints in each case.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vantage-smart-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeSmartctl(name: string, json: object, exitCode = 0): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho '${JSON.stringify(json)}'\necho "$@" >> '${path}.calls'\nexit ${exitCode}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('SMART status', () => {
  it('says how to get smartctl when it is not installed', async () => {
    expect(await new SmartCache(null).get('sda')).toEqual({
      available: false,
      reason: 'smartctl is not installed (apt install smartmontools)',
    });
  });

  it('reports PASSED/FAILED with the model', async () => {
    const ok = fakeSmartctl('ok', { model_name: 'Disk X', smart_status: { passed: true } });
    expect(await new SmartCache(ok).get('sda')).toEqual({
      available: true,
      device: '/dev/sda',
      passed: true,
      summary: 'Disk X: SMART overall-health PASSED',
    });
    const bad = fakeSmartctl('bad', { model_name: 'Disk Y', smart_status: { passed: false } }, 8);
    expect(await new SmartCache(bad).get('sdb')).toMatchObject({ available: true, passed: false });
  });

  it("passes on smartctl's own reason for a virtual disk", async () => {
    const virt = fakeSmartctl('virt', {
      smartctl: { messages: [{ string: '/dev/vda: Unable to detect device type', severity: 'error' }], exit_status: 1 },
    }, 1);
    expect(await new SmartCache(virt).get('vda')).toEqual({ available: false, reason: '/dev/vda: Unable to detect device type' });
  });

  it('asks smartctl once per device within ten minutes', async () => {
    const ok = fakeSmartctl('cached', { smart_status: { passed: true } });
    const cache = new SmartCache(ok);
    await cache.get('sdc');
    await cache.get('sdc');
    expect(readFileSync(`${ok}.calls`, 'utf8').trim().split('\n')).toEqual(['-H -j /dev/sdc']);
  });

  it('has nothing to ask for a file system without a block device', async () => {
    const ok = fakeSmartctl('none', { smart_status: { passed: true } });
    expect(await new SmartCache(ok).get(null)).toEqual({ available: false, reason: 'not backed by a block device' });
  });
});
