import type { FileCategory } from '@contract/disk';
import { CATEGORY_COLORS, CATEGORY_ORDER } from './colors';

/**
 * What the treemap's colours mean; folders take the colour of the category holding most bytes.
 * Pressing a category picks out where it lies in the map; pressing it again shows all.
 */
export function Legend({ highlight, onHighlight }: { highlight: FileCategory | null; onHighlight: (c: FileCategory | null) => void }) {
  return (
    <ul className="disk-legend" aria-label="Colours by file category" data-testid="disk-legend">
      {CATEGORY_ORDER.map((c) => (
        <li key={c}>
          <button className="disk-linkish" aria-pressed={highlight === c} title={`Pick out ${c} in the map`} onClick={() => onHighlight(highlight === c ? null : c)}>
            <span className="disk-swatch" style={{ background: CATEGORY_COLORS[c] }} /> {c}
          </button>
        </li>
      ))}
      <li className="dim">folders: colour of their largest category</li>
    </ul>
  );
}
