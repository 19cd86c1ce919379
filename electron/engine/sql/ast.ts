/** The parsed form of SQL. Plain data, so the planner and tests can inspect it freely. */
export type Expr =
  | { k: 'lit'; v: unknown }
  | { k: 'col'; table?: string; name: string; pos: number; dq?: boolean }
  | { k: 'param'; index: number; name?: string }
  | { k: 'un'; op: '-' | '+' | 'NOT' | '~'; e: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'like'; op: 'LIKE' | 'GLOB'; not: boolean; l: Expr; r: Expr; esc?: Expr }
  | { k: 'between'; not: boolean; e: Expr; lo: Expr; hi: Expr }
  | { k: 'in'; not: boolean; e: Expr; list?: Expr[]; sel?: Select; table?: string }
  | { k: 'isnull'; not: boolean; e: Expr }
  | { k: 'case'; base?: Expr; whens: [Expr, Expr][]; else?: Expr }
  | { k: 'cast'; e: Expr; type: string }
  | { k: 'fn'; name: string; args: Expr[]; distinct: boolean; star: boolean; pos: number }
  | { k: 'sub'; sel: Select }
  | { k: 'exists'; not: boolean; sel: Select };

export interface ResultCol {
  star?: boolean;
  table?: string;
  expr?: Expr;
  alias?: string;
  text: string;
}

export type Source =
  | { k: 'table'; name: string; alias?: string; pos: number }
  | { k: 'sub'; sel: Select; alias?: string };

export interface JoinItem {
  source: Source;
  join: 'first' | 'inner' | 'left' | 'cross';
  on?: Expr;
  using?: string[];
  natural?: boolean;
}

export interface SelectCore {
  distinct: boolean;
  cols: ResultCol[];
  from: JoinItem[];
  where?: Expr;
  groupBy?: Expr[];
  having?: Expr;
  values?: Expr[][];
}

export interface OrderTerm {
  e: Expr;
  desc: boolean;
}

export interface Select {
  k: 'select';
  core: SelectCore;
  compound: { op: 'UNION' | 'UNION ALL' | 'INTERSECT' | 'EXCEPT'; core: SelectCore }[];
  orderBy?: OrderTerm[];
  limit?: Expr;
  offset?: Expr;
}

export interface ColumnDef {
  name: string;
  type: string;
  notNull: boolean;
  pk: boolean;
  pkDesc: boolean;
  unique: boolean;
  dflt?: Expr;
}

export type Conflict = 'ABORT' | 'REPLACE' | 'IGNORE' | 'FAIL' | 'ROLLBACK';

export type Stmt =
  | Select
  | { k: 'createTable'; name: string; ifNotExists: boolean; cols: ColumnDef[]; pk?: string[]; uniques: string[][]; as?: Select }
  | { k: 'createIndex'; name: string; table: string; cols: string[]; unique: boolean; ifNotExists: boolean }
  | { k: 'createView'; name: string; ifNotExists: boolean; sel: Select; sql: string }
  | { k: 'drop'; what: 'TABLE' | 'INDEX' | 'VIEW' | 'TRIGGER'; name: string; ifExists: boolean }
  | { k: 'insert'; table: string; cols?: string[]; rows?: Expr[][]; sel?: Select; conflict: Conflict; defaults?: boolean }
  | { k: 'update'; table: string; sets: { col: string; e: Expr }[]; where?: Expr; conflict: Conflict }
  | { k: 'delete'; table: string; where?: Expr }
  | { k: 'begin' }
  | { k: 'commit' }
  | { k: 'rollback' }
  | { k: 'explain'; stmt: Stmt }
  | { k: 'pragma'; name: string; arg?: string }
  | { k: 'reindex'; name?: string }
  | { k: 'unsupported'; what: string };
