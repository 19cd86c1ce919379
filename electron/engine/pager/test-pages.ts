// Recognisable page contents for the pager tests and the crash writer.
export function stamp(page: Uint8Array, seed: number, usable: number): void {
  const v = new DataView(page.buffer, page.byteOffset, page.byteLength);
  for (let i = 0; i + 4 <= usable; i += 4) v.setUint32(i, (Math.imul(seed, 2654435761) + i) >>> 0, true);
}

export function hasStamp(page: Uint8Array, seed: number, usable: number): boolean {
  const v = new DataView(page.buffer, page.byteOffset, page.byteLength);
  for (let i = 0; i + 4 <= usable; i += 4) if (v.getUint32(i, true) !== (Math.imul(seed, 2654435761) + i) >>> 0) return false;
  return true;
}

/** The seed a stamped page was written with, or null when it is not a stamped page. */
export function stampSeed(page: Uint8Array, usable: number): number | null {
  const v = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const seed = Math.imul(v.getUint32(0, true), 244002641) >>> 0; // 2654435761⁻¹ mod 2³²
  return hasStamp(page, seed, usable) ? seed : null;
}
