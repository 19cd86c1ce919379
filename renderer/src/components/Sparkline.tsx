import { memo } from 'react';

/** A tiny inline SVG line for table cells; cheaper than a chart component per row. */
export const Sparkline = memo(function Sparkline({
  values,
  width = 60,
  height = 16,
  color = 'var(--accent)',
  max,
}: {
  values: number[];
  width?: number;
  height?: number;
  color?: string;
  max?: number;
}) {
  if (values.length < 2) return <svg width={width} height={height} aria-hidden />;
  const top = max ?? Math.max(...values, 1e-9);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (Math.min(v, top) / top) * (height - 1) - 0.5).toFixed(1)}`).join(' ');
  return (
    <svg width={width} height={height} aria-hidden>
      <polyline points={points} fill="none" stroke={color} strokeWidth={1} />
    </svg>
  );
});
