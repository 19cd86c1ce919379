import type { Verb } from './verb';
import { sql } from './sql';
import { slt } from './slt';
import { serve } from './serve';
import { mem } from './mem';
import { maps } from './maps';
import { leaks } from './leaks';
import { bench } from './bench';

/** Every `vantage` verb, in the order `--help` lists them. Each capability adds its own here. */
export const verbs: Verb[] = [serve, mem, maps, leaks, bench, sql, slt];
