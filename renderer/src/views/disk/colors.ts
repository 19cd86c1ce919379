import type { FileCategory } from '@contract/disk';

/**
 * One colour per file category, for the treemap canvas and its legend alike (canvas needs
 * concrete colours, not CSS variables). Chosen to stay apart on the dark theme.
 */
export const CATEGORY_COLORS: Record<FileCategory, string> = {
  video: '#c77dff',
  image: '#3fb97a',
  audio: '#f28cb1',
  archive: '#e0a33a',
  document: '#4fa3ff',
  code: '#3ec7c7',
  text: '#9cc4e4',
  binary: '#ef5f5f',
  database: '#b5884f',
  font: '#c9c36a',
  other: '#7d8894',
};

export const CATEGORY_ORDER = Object.keys(CATEGORY_COLORS) as FileCategory[];

export function categoryColor(category: string): string {
  return (CATEGORY_COLORS as Record<string, string>)[category] ?? CATEGORY_COLORS.other;
}

/** #rrggbb scaled towards black (f < 1) or white (f > 1), for cushion shading and headers. */
export function shade(hex: string, f: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const v = f <= 1 ? c * f : c + (255 - c) * (f - 1);
    return Math.max(0, Math.min(255, Math.round(v)));
  });
  return `#${ch.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
