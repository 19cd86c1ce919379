import { readFileSync } from 'node:fs';

/** One line of /proc/self/mountinfo (proc(5)), with the octal escapes (\040 …) undone. */
export interface MountEntry {
  mountId: number;
  parentId: number;
  /** "major:minor" of the device as the kernel reports it in mountinfo. */
  majorMinor: string;
  root: string;
  mountPoint: string;
  options: string;
  fsType: string;
  source: string;
  superOptions: string;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 6 || right.length < 2) continue;
    out.push({
      mountId: Number(left[0]),
      parentId: Number(left[1]),
      majorMinor: left[2],
      root: unescapeMountField(left[3]),
      mountPoint: unescapeMountField(left[4]),
      options: left[5],
      fsType: right[0],
      source: unescapeMountField(right[1]),
      superOptions: right[2] ?? '',
    });
  }
  return out;
}

export function readMountinfo(): MountEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The mount holding an absolute, symlink-free path: the longest mount point that prefixes it (last mounted wins). */
export function mountOf(realPath: string, mounts: MountEntry[] = readMountinfo()): MountEntry | null {
  let best: MountEntry | null = null;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = mp === '/' || realPath === mp || realPath.startsWith(mp.endsWith('/') ? mp : `${mp}/`);
    if (!inside) continue;
    if (!best || mp.length >= best.mountPoint.length) best = m;
  }
  return best;
}
