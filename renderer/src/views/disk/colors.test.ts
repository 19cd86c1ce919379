import { describe, expect, it } from 'vitest';
import { CATEGORY_COLORS, CATEGORY_ORDER, categoryColor, shade } from './colors';

describe('category colours', () => {
  it('gives every category its own colour', () => {
    expect(CATEGORY_ORDER).toEqual(['video', 'image', 'audio', 'archive', 'document', 'code', 'text', 'binary', 'database', 'font', 'other']);
    expect(new Set(Object.values(CATEGORY_COLORS)).size).toBe(CATEGORY_ORDER.length);
  });

  it('falls back to "other" for a category it does not know', () => {
    expect(categoryColor('hologram')).toBe(CATEGORY_COLORS.other);
    expect(categoryColor('video')).toBe(CATEGORY_COLORS.video);
  });

  it('darkens and lightens within 0–255', () => {
    expect(shade('#808080', 0.5)).toBe('#404040');
    expect(shade('#808080', 2)).toBe('#ffffff');
    expect(shade('#808080', 1)).toBe('#808080');
  });
});
