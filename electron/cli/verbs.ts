import type { Verb } from './verb';
import { serve } from './serve';

/** Every `vantage` verb, in the order `--help` lists them. Each capability adds its own here. */
export const verbs: Verb[] = [serve];
