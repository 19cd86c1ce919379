import type { Verb } from './verb';
import { dupes } from './dupes';
import { sql } from './sql';
import { slt } from './slt';
import { serve } from './serve';
import { mem } from './mem';
import { maps } from './maps';
import { leaks } from './leaks';
import { bench } from './bench';
import { ps } from './ps';
import { du } from './du';
import { signal } from './signal';
import { renice } from './renice';
import { affinity } from './affinity';

/** Every `vantage` verb, in the order `--help` lists them. Each capability adds its own here. */
export const verbs: Verb[] = [serve, mem, maps, leaks, bench, sql, slt, du, ps, signal, renice, affinity, dupes];
