import { z } from 'zod';
import { call } from './core';

export const HISTORY_RANGES = ['5m', '1h', '24h', '7d', '90d'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export interface SeriesPoints {
  name: string;
  /** Milliseconds since the epoch, ascending. */
  ts: number[];
  values: number[];
}

export interface HistoryResult {
  tier: '1s' | '1m' | '15m';
  from: number;
  to: number;
  series: SeriesPoints[];
}

const seriesName = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:\-/%]+$/, 'series names use letters, digits and . _ : - / %');

export const history = {
  query: call<HistoryResult>()(
    z
      .object({
        series: z.array(seriesName).min(1).max(64),
        range: z.enum(HISTORY_RANGES).optional(),
        from: z.number().int().nonnegative().optional(),
        to: z.number().int().nonnegative().optional(),
        maxPoints: z.number().int().min(2).max(5000).default(600),
      })
      .strict()
      .refine((v) => v.range !== undefined || v.from !== undefined, 'give a range or a from time')
      .refine((v) => v.from === undefined || v.to === undefined || v.from <= v.to, 'from must not be after to'),
    'Points of the named series over a time range, from the tier that fits the range.',
  ),
  series: call<string[]>()(
    z.object({ prefix: z.string().max(200).default('') }).strict(),
    'Names of the recorded series that start with a prefix.',
  ),
};
