import { SqlError } from '../errors';
import type { Affinity, Value } from '../record/values';

/** Per-execution state shared by every expression of one statement run. */
export interface ExecCtx {
  params: Value[];
  named: Map<string, Value>;
  /** Results of uncorrelated subqueries and hash tables built for joins, valid for one run. */
  cache: Map<unknown, unknown>;
  /** Counts work so long queries can notice an interrupt without checking a clock per row. */
  steps: number;
  check(): void;
}

export interface Env {
  rows: Value[][];
  parent: Env | null;
  aggs: Value[] | null;
  ctx: ExecCtx;
}

export type Fn = (env: Env) => Value;

export interface SourceInfo {
  alias: string;
  cols: string[];
  types: string[];
  aff: Affinity[];
  /** Where the rowid lives in a row array, or -1 when the source has none (subqueries, virtual tables). */
  rowidIdx: number;
  /** Columns folded away by USING/NATURAL, left out of `*`. */
  hidden: Set<string>;
  /**
   * Stored tables: the columns some compiled expression reads (filled in by name resolution), so a
   * scan decodes only those. Complete once the statement is compiled.
   */
  used?: Set<number>;
}

class Ctx implements ExecCtx {
  steps = 0;
  private made: Map<unknown, unknown> | null = null;

  constructor(
    readonly params: Value[],
    readonly named: Map<string, Value>,
    private readonly interrupted: () => boolean,
    private readonly deadline: number | undefined,
  ) {}

  /** Most statements never cache anything: the map is made on first use. */
  get cache(): Map<unknown, unknown> {
    return (this.made ??= new Map());
  }

  check(): void {
    if (this.interrupted() || (this.deadline !== undefined && Date.now() > this.deadline)) throw new SqlError('SQL_INTERRUPTED', 'interrupted');
  }
}

export function makeCtx(params: Value[], named: Map<string, Value>, interrupted: () => boolean, deadline?: number): ExecCtx {
  return new Ctx(params, named, interrupted, deadline);
}
