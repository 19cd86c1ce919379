import { readFileSync } from 'node:fs';
import { ServiceError } from '../../../contract/errors';

/** Parses a kernel CPU list ("0-3,8,10-11") into sorted CPU numbers; throws on anything else. */
export function parseCpuList(text: string, max = 8191): number[] {
  const out = new Set<number>();
  const trimmed = text.trim();
  if (!trimmed) throw new ServiceError('INVALID_INPUT', 'CPU list is empty: give CPUs like 0,1 or 0-3');
  for (const part of trimmed.split(',')) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part.trim());
    if (!m) throw new ServiceError('INVALID_INPUT', `"${part}" is not a CPU or CPU range (like 2 or 0-3)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > b) throw new ServiceError('INVALID_INPUT', `CPU range "${part}" runs backwards`);
    if (b > max) throw new ServiceError('INVALID_INPUT', `CPU ${b} is beyond the largest CPU number Linux supports here (${max})`);
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

/** Formats CPU numbers the way the kernel does: 0-3,8. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The CPUs that are online now (/sys/devices/system/cpu/online). */
export function onlineCpus(file = '/sys/devices/system/cpu/online'): number[] {
  return parseCpuList(readFileSync(file, 'utf8'));
}
