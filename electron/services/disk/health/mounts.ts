import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync, statfsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { MountHealth } from '../../../contract/disk';
import { readMountinfo, type MountEntry } from './mountinfo';

/**
 * Which mounts are shown: file systems that hold data a user can fill. Kept: anything whose source
 * is a block device (/dev/...), tmpfs, overlay, zfs, btrfs and network/FUSE file systems. Left
 * out: kernel pseudo file systems (proc, sysfs, cgroup, devpts, devtmpfs, debugfs, tracefs, bpf,
 * mqueue, ...), anything mounted under /sys or /proc, bind mounts of single files (containers
 * mount /etc/hosts that way), and a mount point mounted twice counts once (the last, visible one).
 */
const KEEP_TYPES = new Set(['tmpfs', 'overlay', 'zfs', 'btrfs', 'nfs', 'nfs4', 'cifs', 'smb3', 'fuseblk', '9p', 'virtiofs']);
const PSEUDO_TYPES = new Set([
  'proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'devtmpfs', 'debugfs', 'tracefs', 'securityfs', 'pstore',
  'bpf', 'mqueue', 'configfs', 'fusectl', 'hugetlbfs', 'autofs', 'binfmt_misc', 'nsfs', 'rpc_pipefs',
  'efivarfs', 'selinuxfs', 'ramfs', 'squashfs',
]);

export function isDataMount(m: MountEntry): boolean {
  if (PSEUDO_TYPES.has(m.fsType)) return false;
  if (/^\/(sys|proc)(\/|$)/.test(m.mountPoint)) return false; // e.g. the tmpfs holding cgroup v1 hierarchies
  return m.source.startsWith('/dev/') || KEEP_TYPES.has(m.fsType) || m.fsType.startsWith('fuse.');
}

export function dataMounts(all: MountEntry[] = readMountinfo()): MountEntry[] {
  const byPoint = new Map<string, MountEntry>();
  for (const m of all) {
    if (!isDataMount(m)) continue;
    try {
      if (!lstatSync(m.mountPoint).isDirectory()) continue;
    } catch {
      continue;
    }
    byPoint.delete(m.mountPoint);
    byPoint.set(m.mountPoint, m);
  }
  return [...byPoint.values()];
}

export interface Usage {
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  inodesTotal: number;
  inodesUsed: number;
}

/** statfs the way df computes it: used = blocks − free, available = blocks free to users. */
export function usageOf(mountPoint: string): Usage {
  const s = statfsSync(mountPoint, { bigint: true });
  return {
    totalBytes: Number(s.blocks * s.bsize),
    usedBytes: Number((s.blocks - s.bfree) * s.bsize),
    availableBytes: Number(s.bavail * s.bsize),
    inodesTotal: Number(s.files),
    inodesUsed: Number(s.files - s.ffree),
  };
}

function readNumber(file: string): number | null {
  try {
    const v = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** The kernel name of a mount's block device (vda, nvme0n1p2, dm-0), or null. */
export function blockDeviceName(source: string): string | null {
  if (!source.startsWith('/dev/')) return null;
  try {
    return basename(realpathSync(source));
  } catch {
    return null;
  }
}

/** ext4 errors_count (+ first/last error time when there were errors), btrfs device error stats. */
export function errorCounters(m: MountEntry): { name: string; value: number }[] {
  const dev = blockDeviceName(m.source);
  if (!dev) return [];
  const out: { name: string; value: number }[] = [];
  if (m.fsType === 'ext4' || m.fsType === 'ext3' || m.fsType === 'ext2') {
    const dir = `/sys/fs/ext4/${dev}`;
    const count = readNumber(`${dir}/errors_count`);
    if (count !== null) {
      out.push({ name: 'errors_count', value: count });
      if (count > 0) {
        for (const f of ['first_error_time', 'last_error_time']) {
          const t = readNumber(`${dir}/${f}`);
          if (t !== null) out.push({ name: f, value: t });
        }
      }
    }
  } else if (m.fsType === 'btrfs' && existsSync('/sys/fs/btrfs')) {
    for (const uuid of readdirSync('/sys/fs/btrfs')) {
      if (!existsSync(`/sys/fs/btrfs/${uuid}/devices/${dev}`)) continue;
      const devinfo = `/sys/fs/btrfs/${uuid}/devinfo`;
      for (const id of existsSync(devinfo) ? readdirSync(devinfo) : []) {
        let text: string;
        try {
          text = readFileSync(`${devinfo}/${id}/error_stats`, 'utf8');
        } catch {
          continue;
        }
        for (const line of text.split('\n')) {
          const [name, value] = line.trim().split(/\s+/);
          if (name && value !== undefined) out.push({ name: `dev${id}.${name}`, value: Number(value) });
        }
      }
    }
  } else if (m.fsType === 'xfs') {
    // XFS exposes error *handling* settings under /sys/fs/xfs/<dev>/error, not counts; a
    // shutdown shows as the mount turning read-only, which the state reports.
  }
  return out;
}

/** A counter that means "errors happened" (not a timestamp). */
function isErrorCount(name: string): boolean {
  return name === 'errors_count' || /_errs$/.test(name);
}

export function mountState(u: Usage, readOnly: boolean, counters: { name: string; value: number }[]): MountHealth['state'] {
  if (counters.some((c) => isErrorCount(c.name) && c.value > 0)) return 'errors';
  if (readOnly) return 'read-only';
  const full = u.totalBytes > 0 && (u.totalBytes - u.availableBytes) / u.totalBytes >= 0.95;
  const inodesFull = u.inodesTotal > 0 && u.inodesUsed / u.inodesTotal >= 0.95;
  if (full || inodesFull) return 'full';
  return 'ok';
}

export function isReadOnly(m: MountEntry): boolean {
  return m.options.split(',').includes('ro') || m.superOptions.split(',').includes('ro');
}

/** The whole disk holding a partition (nvme0n1p2 → nvme0n1), for SMART. */
export function wholeDisk(dev: string): string {
  try {
    if (existsSync(`/sys/class/block/${dev}/partition`)) return basename(dirname(realpathSync(`/sys/class/block/${dev}`)));
  } catch {
    // fall through
  }
  return dev;
}
