import { SqlError } from '../errors';
import type { ColumnDef, Conflict, Expr, JoinItem, OrderTerm, ResultCol, Select, SelectCore, Source, Stmt } from './ast';
import { tokenize, type Token } from './tokenizer';
import { Real } from '../record/values';

/** Recursive-descent parser. Precedence levels follow SQLite's lang_expr table. */
export class Parser {
  private toks: Token[];
  private i = 0;
  private paramCount = 0;
  /** Statement boundaries, so callers can keep each statement's own text (views store theirs). */
  constructor(private sql: string) {
    this.toks = tokenize(sql);
  }

  static parseAll(sql: string): { stmt: Stmt; text: string }[] {
    const p = new Parser(sql);
    const out: { stmt: Stmt; text: string }[] = [];
    for (;;) {
      while (p.eatOp(';'));
      if (p.peek().kind === 'eof') break;
      const start = p.peek().pos;
      const stmt = p.statement();
      const end = p.peek().pos;
      if (!p.isOp(';') && p.peek().kind !== 'eof') p.fail(`near "${p.peek().text}": syntax error`);
      out.push({ stmt, text: sql.slice(start, end) });
    }
    return out;
  }

  get paramsUsed(): number {
    return this.paramCount;
  }

  // ---- token helpers
  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  private next(): Token {
    return this.toks[this.i < this.toks.length - 1 ? this.i++ : this.i];
  }
  fail(msg: string, pos = this.peek().pos): never {
    throw new SqlError('SQL_SYNTAX', msg, pos);
  }
  private isKw(...kws: string[]): boolean {
    const t = this.peek();
    return t.kind === 'kw' && kws.includes(t.text);
  }
  private eatKw(...kws: string[]): boolean {
    if (this.isKw(...kws)) {
      this.i++;
      return true;
    }
    return false;
  }
  private kw(k: string): void {
    if (!this.eatKw(k)) this.fail(`near "${this.peek().text || 'end of input'}": syntax error (expected ${k})`);
  }
  private isOp(o: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === o;
  }
  private eatOp(o: string): boolean {
    if (this.isOp(o)) {
      this.i++;
      return true;
    }
    return false;
  }
  private op(o: string): void {
    if (!this.eatOp(o)) this.fail(`near "${this.peek().text || 'end of input'}": syntax error (expected "${o}")`);
  }
  /** Identifiers; non-reserved keywords are accepted as names the way SQLite's fallback does. */
  private name(): string {
    const t = this.peek();
    if (t.kind === 'id') {
      this.i++;
      return t.text;
    }
    if (t.kind === 'kw' && SOFT_KEYWORDS.has(t.text)) {
      this.i++;
      return t.text.toLowerCase();
    }
    if (t.kind === 'str') {
      this.i++;
      return t.text;
    }
    return this.fail(`near "${t.text || 'end of input'}": syntax error (expected a name)`);
  }
  private isName(): boolean {
    const t = this.peek();
    return t.kind === 'id' || (t.kind === 'kw' && SOFT_KEYWORDS.has(t.text));
  }

  // ---- statements
  statement(): Stmt {
    if (this.eatKw('EXPLAIN')) {
      if (this.eatKw('QUERY')) this.kw('PLAN');
      return { k: 'explain', stmt: this.statement() };
    }
    if (this.isKw('SELECT', 'VALUES')) return this.select();
    if (this.eatKw('CREATE')) return this.create();
    if (this.eatKw('DROP')) {
      const t = this.next();
      if (t.kind !== 'kw' || !['TABLE', 'INDEX', 'VIEW', 'TRIGGER'].includes(t.text)) this.fail(`near "${t.text}": syntax error`, t.pos);
      let ifExists = false;
      if (this.eatKw('IF')) {
        this.kw('EXISTS');
        ifExists = true;
      }
      const name = this.qualifiedName();
      return { k: 'drop', what: t.text as 'TABLE', name, ifExists };
    }
    if (this.isKw('INSERT', 'REPLACE')) return this.insert();
    if (this.eatKw('UPDATE')) return this.update();
    if (this.eatKw('DELETE')) {
      this.kw('FROM');
      const table = this.qualifiedName();
      const where = this.eatKw('WHERE') ? this.expr() : undefined;
      return { k: 'delete', table, where };
    }
    if (this.eatKw('BEGIN')) {
      this.eatKw('DEFERRED', 'IMMEDIATE', 'EXCLUSIVE');
      this.eatKw('TRANSACTION');
      return { k: 'begin' };
    }
    if (this.eatKw('COMMIT') || this.eatKw('END')) {
      this.eatKw('TRANSACTION');
      return { k: 'commit' };
    }
    if (this.eatKw('ROLLBACK')) {
      this.eatKw('TRANSACTION');
      return { k: 'rollback' };
    }
    if (this.eatKw('PRAGMA')) {
      const name = this.qualifiedName().toLowerCase();
      let arg: string | undefined;
      if (this.eatOp('=')) arg = this.next().text;
      else if (this.eatOp('(')) {
        arg = this.next().text;
        this.op(')');
      }
      return { k: 'pragma', name, arg };
    }
    if (this.eatKw('REINDEX')) {
      const name = this.isName() ? this.qualifiedName() : undefined;
      return { k: 'reindex', name };
    }
    return this.fail(`near "${this.peek().text || 'end of input'}": syntax error`);
  }

  private qualifiedName(): string {
    let n = this.name();
    if (this.eatOp('.')) n = this.name(); // schema prefix (main./temp.) carries no meaning here
    return n;
  }

  private create(): Stmt {
    this.eatKw('TEMP', 'TEMPORARY');
    const unique = this.eatKw('UNIQUE');
    if (this.eatKw('TABLE')) {
      const ifNotExists = this.ifNotExists();
      const name = this.qualifiedName();
      if (this.eatKw('AS')) return { k: 'createTable', name, ifNotExists, cols: [], uniques: [], as: this.select() };
      this.op('(');
      const cols: ColumnDef[] = [];
      const uniques: string[][] = [];
      let pk: string[] | undefined;
      do {
        if (this.isKw('PRIMARY', 'UNIQUE', 'CONSTRAINT', 'CHECK', 'FOREIGN')) {
          if (this.eatKw('CONSTRAINT')) this.name();
          if (this.eatKw('PRIMARY')) {
            this.kw('KEY');
            pk = this.nameList();
            this.conflictClause();
          } else if (this.eatKw('UNIQUE')) {
            uniques.push(this.nameList());
            this.conflictClause();
          } else if (this.eatKw('CHECK')) {
            this.op('(');
            this.expr();
            this.op(')');
          } else {
            this.kw('FOREIGN');
            this.kw('KEY');
            this.nameList();
            this.references();
          }
          continue;
        }
        cols.push(this.columnDef());
      } while (this.eatOp(','));
      this.op(')');
      return { k: 'createTable', name, ifNotExists, cols, pk, uniques };
    }
    if (this.eatKw('INDEX')) {
      const ifNotExists = this.ifNotExists();
      const name = this.qualifiedName();
      this.kw('ON');
      const table = this.name();
      this.op('(');
      const cols: string[] = [];
      do {
        cols.push(this.name());
        if (this.eatKw('COLLATE')) this.name();
        this.eatKw('ASC', 'DESC');
      } while (this.eatOp(','));
      this.op(')');
      if (this.eatKw('WHERE')) this.expr();
      return { k: 'createIndex', name, table, cols, unique, ifNotExists };
    }
    if (this.eatKw('VIEW')) {
      const ifNotExists = this.ifNotExists();
      const name = this.qualifiedName();
      this.kw('AS');
      const start = this.peek().pos;
      const sel = this.select();
      return { k: 'createView', name, ifNotExists, sel, sql: this.sql.slice(start, this.peek().pos) };
    }
    if (this.isKw('TRIGGER')) return this.fail('CREATE TRIGGER is not supported by this engine');
    return this.fail(`near "${this.peek().text}": syntax error`);
  }

  private references(): void {
    this.kw('REFERENCES');
    this.name();
    if (this.isOp('(')) this.nameList();
    // ON DELETE/UPDATE actions, MATCH and DEFERRABLE clauses carry no meaning here.
    while (this.isKw('ON') || (this.peek().kind === 'id' && /^(match|deferrable)$/i.test(this.peek().text))) {
      this.next();
      this.next();
      if (this.isName()) this.next();
    }
  }

  private ifNotExists(): boolean {
    if (this.eatKw('IF')) {
      this.kw('NOT');
      this.kw('EXISTS');
      return true;
    }
    return false;
  }

  private nameList(): string[] {
    this.op('(');
    const out: string[] = [];
    do {
      out.push(this.name());
      if (this.eatKw('COLLATE')) this.name();
      this.eatKw('ASC', 'DESC');
    } while (this.eatOp(','));
    this.op(')');
    return out;
  }

  private conflictClause(): void {
    if (this.eatKw('ON')) {
      this.kw('CONFLICT');
      this.next();
    }
  }

  private columnDef(): ColumnDef {
    const name = this.name();
    const typeParts: string[] = [];
    while (this.isName() || (this.peek().kind === 'kw' && !COLUMN_CONSTRAINT_START.has(this.peek().text) && !this.isOp(','))) {
      if (this.peek().kind === 'kw' && COLUMN_CONSTRAINT_START.has(this.peek().text)) break;
      typeParts.push(this.next().text);
    }
    if (this.eatOp('(')) {
      while (!this.isOp(')') && this.peek().kind !== 'eof') this.next();
      this.op(')');
    }
    const col: ColumnDef = { name, type: typeParts.join(' ').toUpperCase(), notNull: false, pk: false, pkDesc: false, unique: false };
    for (;;) {
      if (this.eatKw('CONSTRAINT')) this.name();
      if (this.eatKw('PRIMARY')) {
        this.kw('KEY');
        col.pk = true;
        if (this.eatKw('DESC')) col.pkDesc = true;
        else this.eatKw('ASC');
        this.conflictClause();
        this.eatKw('AUTOINCREMENT');
      } else if (this.eatKw('NOT')) {
        this.kw('NULL');
        col.notNull = true;
        this.conflictClause();
      } else if (this.eatKw('NULL')) {
        /* explicit nullability is the default */
      } else if (this.eatKw('UNIQUE')) {
        col.unique = true;
        this.conflictClause();
      } else if (this.eatKw('DEFAULT')) {
        if (this.eatOp('(')) {
          col.dflt = this.expr();
          this.op(')');
        } else if (this.eatOp('-')) col.dflt = { k: 'un', op: '-', e: this.primary() };
        else {
          this.eatOp('+');
          col.dflt = this.primary();
        }
      } else if (this.eatKw('CHECK')) {
        this.op('(');
        this.expr();
        this.op(')');
      } else if (this.eatKw('COLLATE')) {
        this.name();
      } else if (this.isKw('REFERENCES')) {
        this.references();
      } else break;
    }
    return col;
  }

  private conflictPrefix(): Conflict {
    if (this.eatKw('OR')) {
      const t = this.next();
      if (!['REPLACE', 'IGNORE', 'ABORT', 'FAIL', 'ROLLBACK'].includes(t.text)) this.fail(`near "${t.text}": syntax error`, t.pos);
      return t.text as Conflict;
    }
    return 'ABORT';
  }

  private insert(): Stmt {
    let conflict: Conflict;
    if (this.eatKw('REPLACE')) conflict = 'REPLACE';
    else {
      this.kw('INSERT');
      conflict = this.conflictPrefix();
    }
    this.kw('INTO');
    const table = this.qualifiedName();
    if (this.eatKw('AS')) this.name();
    let cols: string[] | undefined;
    if (this.isOp('(')) cols = this.nameList();
    if (this.eatKw('DEFAULT')) {
      this.kw('VALUES');
      return { k: 'insert', table, cols, conflict, defaults: true };
    }
    if (this.eatKw('VALUES')) {
      const rows: Expr[][] = [];
      do {
        this.op('(');
        rows.push(this.exprList());
        this.op(')');
      } while (this.eatOp(','));
      return { k: 'insert', table, cols, rows, conflict };
    }
    return { k: 'insert', table, cols, sel: this.select(), conflict };
  }

  private update(): Stmt {
    const conflict = this.conflictPrefix();
    const table = this.qualifiedName();
    this.kw('SET');
    const sets: { col: string; e: Expr }[] = [];
    do {
      const col = this.name();
      this.op('=');
      sets.push({ col, e: this.expr() });
    } while (this.eatOp(','));
    const where = this.eatKw('WHERE') ? this.expr() : undefined;
    return { k: 'update', table, sets, where, conflict };
  }

  // ---- SELECT
  select(): Select {
    const core = this.selectCore();
    const compound: Select['compound'] = [];
    for (;;) {
      let op: Select['compound'][number]['op'];
      if (this.eatKw('UNION')) op = this.eatKw('ALL') ? 'UNION ALL' : 'UNION';
      else if (this.eatKw('INTERSECT')) op = 'INTERSECT';
      else if (this.eatKw('EXCEPT')) op = 'EXCEPT';
      else break;
      compound.push({ op, core: this.selectCore() });
    }
    const sel: Select = { k: 'select', core, compound };
    if (this.eatKw('ORDER')) {
      this.kw('BY');
      sel.orderBy = this.orderList();
    }
    if (this.eatKw('LIMIT')) {
      sel.limit = this.expr();
      if (this.eatKw('OFFSET')) sel.offset = this.expr();
      else if (this.eatOp(',')) {
        sel.offset = sel.limit;
        sel.limit = this.expr();
      }
    }
    return sel;
  }

  private orderList(): OrderTerm[] {
    const out: OrderTerm[] = [];
    do {
      const e = this.expr();
      if (this.eatKw('COLLATE')) this.name();
      const desc = this.eatKw('DESC');
      if (!desc) this.eatKw('ASC');
      out.push({ e, desc });
    } while (this.eatOp(','));
    return out;
  }

  private selectCore(): SelectCore {
    if (this.eatKw('VALUES')) {
      const rows: Expr[][] = [];
      do {
        this.op('(');
        rows.push(this.exprList());
        this.op(')');
      } while (this.eatOp(','));
      return { distinct: false, cols: [], from: [], values: rows };
    }
    this.kw('SELECT');
    const distinct = this.eatKw('DISTINCT');
    if (!distinct) this.eatKw('ALL');
    const cols: ResultCol[] = [];
    do {
      const start = this.peek().pos;
      if (this.eatOp('*')) {
        cols.push({ star: true, text: '*' });
        continue;
      }
      if (this.isName() && this.peek(1).kind === 'op' && this.peek(1).text === '.' && this.peek(2).text === '*' && this.peek(2).kind === 'op') {
        const table = this.name();
        this.i += 2;
        cols.push({ star: true, table, text: `${table}.*` });
        continue;
      }
      const expr = this.expr();
      const text = this.sql.slice(start, this.prevEnd());
      let alias: string | undefined;
      if (this.eatKw('AS')) alias = this.name();
      else if (this.isName() || this.peek().kind === 'str') alias = this.name();
      cols.push({ expr, alias, text });
    } while (this.eatOp(','));
    const core: SelectCore = { distinct, cols, from: [] };
    if (this.eatKw('FROM')) core.from = this.fromClause();
    if (this.eatKw('WHERE')) core.where = this.expr();
    if (this.eatKw('GROUP')) {
      this.kw('BY');
      core.groupBy = this.exprList();
    }
    if (this.eatKw('HAVING')) core.having = this.expr();
    return core;
  }

  /** End offset of the previous token, for keeping the original text of result columns. */
  private prevEnd(): number {
    const t = this.toks[this.i - 1];
    const nextPos = this.peek().pos;
    let end = nextPos;
    while (end > t.pos && /\s/.test(this.sql[end - 1])) end--;
    return end;
  }

  private fromClause(): JoinItem[] {
    const items: JoinItem[] = [{ source: this.source(), join: 'first' }];
    for (;;) {
      let join: JoinItem['join'];
      let natural = false;
      if (this.eatOp(',')) join = 'cross';
      else {
        natural = this.eatKw('NATURAL');
        if (this.eatKw('LEFT')) {
          this.eatKw('OUTER');
          join = 'left';
        } else if (this.eatKw('INNER')) join = 'inner';
        else if (this.eatKw('CROSS')) join = 'cross';
        else if (this.isKw('RIGHT', 'FULL')) this.fail('RIGHT and FULL OUTER JOIN are not supported');
        else join = 'inner';
        if (!this.eatKw('JOIN')) {
          if (natural || join !== 'inner' || this.toks[this.i - 1].text === 'INNER') this.fail(`near "${this.peek().text}": syntax error`);
          break;
        }
      }
      const item: JoinItem = { source: this.source(), join, natural };
      if (this.eatKw('ON')) item.on = this.expr();
      else if (this.eatKw('USING')) item.using = this.nameList();
      if (join === 'cross' && (item.on || item.using)) item.join = 'inner';
      items.push(item);
    }
    return items;
  }

  private source(): Source {
    if (this.eatOp('(')) {
      if (this.isKw('SELECT', 'VALUES')) {
        const sel = this.select();
        this.op(')');
        return { k: 'sub', sel, alias: this.alias() };
      }
      // Parenthesised join lists: flattening them is enough for inner joins.
      const inner = this.fromClause();
      this.op(')');
      if (inner.length !== 1) this.fail('parenthesised joins are not supported');
      return inner[0].source;
    }
    const pos = this.peek().pos;
    const name = this.qualifiedName();
    const alias = this.alias();
    // Index hints change nothing here: the planner picks its own access path.
    if (this.eatKw('INDEXED')) {
      this.kw('BY');
      this.name();
    } else if (this.isKw('NOT') && this.peek(1).kind === 'kw' && this.peek(1).text === 'INDEXED') this.i += 2;
    return { k: 'table', name, alias, pos };
  }

  private alias(): string | undefined {
    if (this.eatKw('AS')) return this.name();
    if (this.isName()) return this.name();
    return undefined;
  }

  // ---- expressions
  exprList(): Expr[] {
    const out: Expr[] = [];
    do out.push(this.expr());
    while (this.eatOp(','));
    return out;
  }

  expr(): Expr {
    return this.or();
  }
  private or(): Expr {
    let l = this.and();
    while (this.eatKw('OR')) l = { k: 'bin', op: 'OR', l, r: this.and() };
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.eatKw('AND')) l = { k: 'bin', op: 'AND', l, r: this.not() };
    return l;
  }
  private not(): Expr {
    if (this.eatKw('NOT')) return { k: 'un', op: 'NOT', e: this.not() };
    return this.equality();
  }
  private equality(): Expr {
    let l = this.comparison();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && (t.text === '=' || t.text === '==' || t.text === '!=' || t.text === '<>')) {
        this.i++;
        l = { k: 'bin', op: t.text === '==' ? '=' : t.text === '<>' ? '!=' : t.text, l, r: this.comparison() };
        continue;
      }
      if (this.eatKw('IS')) {
        const not = this.eatKw('NOT');
        l = { k: 'bin', op: not ? 'ISNOT' : 'IS', l, r: this.comparison() };
        continue;
      }
      if (this.eatKw('ISNULL')) {
        l = { k: 'isnull', not: false, e: l };
        continue;
      }
      if (this.eatKw('NOTNULL')) {
        l = { k: 'isnull', not: true, e: l };
        continue;
      }
      let not = false;
      if (this.isKw('NOT') && this.peek(1).kind === 'kw' && ['IN', 'LIKE', 'GLOB', 'BETWEEN', 'NULL'].includes(this.peek(1).text)) {
        this.i++;
        not = true;
      }
      if (not && this.eatKw('NULL')) {
        l = { k: 'isnull', not: true, e: l };
        continue;
      }
      if (this.eatKw('IN')) {
        l = this.inRest(l, not);
        continue;
      }
      if (this.isKw('LIKE', 'GLOB')) {
        const op = this.next().text as 'LIKE' | 'GLOB';
        const r = this.comparison();
        const esc = this.eatKw('ESCAPE') ? this.comparison() : undefined;
        l = { k: 'like', op, not, l, r, esc };
        continue;
      }
      if (this.eatKw('BETWEEN')) {
        const lo = this.comparison();
        this.kw('AND');
        const hi = this.comparison();
        l = { k: 'between', not, e: l, lo, hi };
        continue;
      }
      if (not) this.fail('syntax error after NOT');
      return l;
    }
  }
  private inRest(e: Expr, not: boolean): Expr {
    if (this.eatOp('(')) {
      if (this.isKw('SELECT', 'VALUES')) {
        const sel = this.select();
        this.op(')');
        return { k: 'in', not, e, sel };
      }
      const list = this.isOp(')') ? [] : this.exprList();
      this.op(')');
      return { k: 'in', not, e, list };
    }
    return { k: 'in', not, e, table: this.qualifiedName() };
  }
  private comparison(): Expr {
    return this.leftAssociative(['<', '<=', '>', '>='], () => this.bitwise());
  }
  private bitwise(): Expr {
    return this.leftAssociative(['&', '|', '<<', '>>'], () => this.additive());
  }
  private additive(): Expr {
    return this.leftAssociative(['+', '-'], () => this.multiplicative());
  }
  private multiplicative(): Expr {
    return this.leftAssociative(['*', '/', '%'], () => this.concat());
  }
  /** One precedence level of left-associative binary operators over the next tighter level. */
  private leftAssociative(ops: readonly string[], operand: () => Expr): Expr {
    let l = operand();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !ops.includes(t.text)) return l;
      this.i++;
      l = { k: 'bin', op: t.text, l, r: operand() };
    }
  }
  private concat(): Expr {
    let l = this.unary();
    while (this.eatOp('||')) l = { k: 'bin', op: '||', l, r: this.unary() };
    return l;
  }
  private unary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '~')) {
      this.i++;
      const e = this.unary();
      return { k: 'un', op: t.text as '-', e };
    }
    const e = this.primary();
    while (this.eatKw('COLLATE')) this.name(); // collations other than BINARY are not modelled
    return e;
  }
  primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { k: 'lit', v: parseNumber(t.text) };
      case 'str':
        return { k: 'lit', v: t.text };
      case 'blob': {
        const b = new Uint8Array(t.text.length / 2);
        for (let j = 0; j < b.length; j++) b[j] = parseInt(t.text.substr(j * 2, 2), 16);
        return { k: 'lit', v: b };
      }
      case 'param': {
        if (t.text === '?') return { k: 'param', index: ++this.paramCount };
        if (t.text[0] === '?') {
          const n = Number(t.text.slice(1));
          if (n < 1 || n > 32766) this.fail('variable number out of range', t.pos);
          this.paramCount = Math.max(this.paramCount, n);
          return { k: 'param', index: n };
        }
        return { k: 'param', index: ++this.paramCount, name: t.text };
      }
      case 'op':
        if (t.text === '(') {
          if (this.isKw('SELECT', 'VALUES')) {
            const sel = this.select();
            this.op(')');
            return { k: 'sub', sel };
          }
          const e = this.expr();
          if (this.isOp(',')) this.fail('row values are not supported');
          this.op(')');
          return e;
        }
        break;
      case 'kw':
        if (t.text === 'NULL') return { k: 'lit', v: null };
        if (t.text === 'CASE') return this.caseExpr();
        if (t.text === 'CAST') {
          this.op('(');
          const e = this.expr();
          this.kw('AS');
          const parts: string[] = [];
          while (!this.isOp(')') && !this.isOp('(') && this.peek().kind !== 'eof') parts.push(this.next().text);
          if (this.eatOp('(')) {
            while (!this.isOp(')') && this.peek().kind !== 'eof') this.next();
            this.op(')');
          }
          this.op(')');
          return { k: 'cast', e, type: parts.join(' ').toUpperCase() };
        }
        if (t.text === 'EXISTS') {
          this.op('(');
          const sel = this.select();
          this.op(')');
          return { k: 'exists', not: false, sel };
        }
        if (t.text === 'NOT' && this.isKw('EXISTS')) {
          this.i++;
          this.op('(');
          const sel = this.select();
          this.op(')');
          return { k: 'exists', not: true, sel };
        }
        if (SOFT_KEYWORDS.has(t.text) || t.text === 'REPLACE' || t.text === 'LIKE' || t.text === 'GLOB') {
          this.i--;
          return this.identOrCall(this.next().text.toLowerCase(), t.pos, true);
        }
        break;
      case 'id': {
        const e = this.identOrCall(t.text, t.pos, false);
        if (t.quoted && e.k === 'col' && !e.table && this.sql[t.pos] === '"') e.dq = true;
        return e;
      }
      default:
        break;
    }
    return this.fail(`near "${t.text || 'end of input'}": syntax error`, t.pos);
  }

  private identOrCall(name: string, pos: number, fromKeyword: boolean): Expr {
    if (this.eatOp('(')) {
      const fn: Expr & { k: 'fn' } = { k: 'fn', name: name.toLowerCase(), args: [], distinct: false, star: false, pos };
      if (this.eatOp('*')) fn.star = true;
      else if (!this.isOp(')')) {
        fn.distinct = this.eatKw('DISTINCT');
        fn.args = this.exprList();
      }
      this.op(')');
      return fn;
    }
    if (fromKeyword && !SOFT_KEYWORDS.has(name.toUpperCase())) this.fail(`near "${name}": syntax error`, pos);
    if (this.eatOp('.')) {
      const col = this.name();
      if (this.eatOp('.')) return { k: 'col', table: col, name: this.name(), pos };
      return { k: 'col', table: name, name: col, pos };
    }
    return { k: 'col', name, pos };
  }

  private caseExpr(): Expr {
    const base = this.isKw('WHEN') ? undefined : this.expr();
    const whens: [Expr, Expr][] = [];
    while (this.eatKw('WHEN')) {
      const w = this.expr();
      this.kw('THEN');
      whens.push([w, this.expr()]);
    }
    if (!whens.length) this.fail('CASE needs at least one WHEN');
    const els = this.eatKw('ELSE') ? this.expr() : undefined;
    this.kw('END');
    return { k: 'case', base, whens, else: els };
  }
}

/** Keywords SQLite lets you use as plain names (column "key", table "temp", ...). */
const SOFT_KEYWORDS = new Set([
  'KEY', 'TEMP', 'TEMPORARY', 'PLAN', 'QUERY', 'ABORT', 'FAIL', 'IGNORE', 'CONFLICT', 'REPLACE', 'ASC', 'DESC',
  'BEGIN', 'END', 'TRANSACTION', 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE', 'REINDEX', 'EXPLAIN', 'PRAGMA', 'VIEW', 'TRIGGER', 'OFFSET', 'TO', 'AUTOINCREMENT',
]);
const COLUMN_CONSTRAINT_START = new Set(['PRIMARY', 'NOT', 'NULL', 'UNIQUE', 'DEFAULT', 'CHECK', 'COLLATE', 'REFERENCES', 'CONSTRAINT']);


function parseNumber(text: string): unknown {
  if (/^0x/i.test(text)) return Number.parseInt(text.slice(2), 16);
  const v = Number(text);
  if (/[.eE]/.test(text)) return Number.isInteger(v) ? new Real(v) : v;
  return v;
}

export function parse(sql: string): { stmt: Stmt; text: string }[] {
  try {
    return Parser.parseAll(sql);
  } catch (e) {
    if (e instanceof SqlError) e.locate(sql);
    throw e;
  }
}
