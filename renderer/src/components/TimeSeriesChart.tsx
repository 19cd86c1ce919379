import { memo } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDateTime, formatTime } from './format';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

interface Props {
  /** Rows of `{ts, [series.key]: value}`, ascending by ts. */
  data: Record<string, number>[];
  series: ChartSeries[];
  height?: number;
  stacked?: boolean;
  yMax?: number | 'auto';
  formatValue?: (v: number) => string;
  /** Long ranges show dates on the axis. */
  longRange?: boolean;
  testId?: string;
}

/**
 * Live and historical series. Animation is off and props are stable so a 1 Hz stream redraws
 * only the path, not the whole chart.
 */
export const TimeSeriesChart = memo(function TimeSeriesChart({
  data,
  series,
  height = 140,
  stacked = false,
  yMax = 'auto',
  formatValue = (v) => v.toFixed(1),
  longRange = false,
  testId,
}: Props) {
  const tickFormatter = longRange ? formatDateTime : (t: number) => formatTime(t, false);
  const common = (
    <>
      <CartesianGrid stroke="#222a33" vertical={false} />
      <XAxis dataKey="ts" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={tickFormatter} stroke="#5d6874" fontSize={10} minTickGap={40} />
      <YAxis domain={[0, yMax === 'auto' ? 'auto' : yMax]} tickFormatter={formatValue} stroke="#5d6874" fontSize={10} width={62} />
      <Tooltip
        isAnimationActive={false}
        contentStyle={{ background: '#161b21', border: '1px solid #262e37', fontSize: 12 }}
        labelFormatter={(t) => (longRange ? formatDateTime(Number(t)) : formatTime(Number(t)))}
        formatter={(v) => formatValue(Number(v))}
      />
      {series.length > 1 && <Legend iconType="plainline" iconSize={10} wrapperStyle={{ fontSize: 11 }} />}
    </>
  );
  return (
    <div data-testid={testId} data-points={data.length} style={{ width: '100%', height }}>
      <ResponsiveContainer width="100%" height="100%">
        {stacked ? (
          <AreaChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            {common}
            {series.map((s) => (
              <Area key={s.key} dataKey={s.key} name={s.label} stackId="1" stroke={s.color} fill={s.color} fillOpacity={0.35} isAnimationActive={false} dot={false} />
            ))}
          </AreaChart>
        ) : (
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            {common}
            {series.map((s) => (
              <Line key={s.key} dataKey={s.key} name={s.label} stroke={s.color} strokeWidth={1.5} isAnimationActive={false} dot={false} />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </div>
  );
});
