import { SqlError } from '../errors';

export type TokenKind = 'id' | 'kw' | 'num' | 'str' | 'blob' | 'param' | 'op' | 'eof';
export interface Token {
  kind: TokenKind;
  /** Keywords are upper-cased; identifiers keep their spelling (quotes removed). */
  text: string;
  pos: number;
  /** True for "quoted" identifiers, which never act as keywords. */
  quoted?: boolean;
}

const KEYWORDS = new Set(
  `ABORT ALL AND AS ASC BEGIN BETWEEN BY CASE CAST COLLATE COMMIT CONFLICT CREATE CROSS DEFAULT DELETE DESC
  DISTINCT DROP ELSE END ESCAPE EXCEPT EXISTS EXPLAIN FAIL FROM FULL GLOB GROUP HAVING IF IGNORE IN INDEX INNER
  INSERT INTERSECT INTO IS ISNULL JOIN KEY LEFT LIKE LIMIT NATURAL NOT NOTNULL NULL OFFSET ON OR ORDER OUTER PLAN
  PRAGMA PRIMARY QUERY REINDEX REPLACE RIGHT ROLLBACK SELECT SET TABLE TEMP TEMPORARY THEN TO TRANSACTION TRIGGER
  UNION UNIQUE UPDATE USING VALUES VIEW WHEN WHERE CHECK CONSTRAINT REFERENCES FOREIGN AUTOINCREMENT END
  DEFERRED IMMEDIATE EXCLUSIVE INDEXED`.split(/\s+/),
);

const OPS = ['||', '<<', '>>', '<=', '>=', '==', '!=', '<>', '(', ')', ',', ';', '.', '+', '-', '*', '/', '%', '<', '>', '=', '&', '|', '~'];

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    const start = i;
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      if ((c === 'x' || c === 'X') && sql[i + 1] === "'") {
        const end = sql.indexOf("'", i + 2);
        if (end < 0) throw new SqlError('SQL_SYNTAX', 'unterminated blob literal', start);
        const hex = sql.slice(i + 2, end);
        if (hex.length % 2 || /[^0-9a-fA-F]/.test(hex)) throw new SqlError('SQL_SYNTAX', 'malformed blob literal', start);
        out.push({ kind: 'blob', text: hex, pos: start });
        i = end + 1;
        continue;
      }
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i])) i++;
      const word = sql.slice(start, i);
      const up = word.toUpperCase();
      out.push(KEYWORDS.has(up) ? { kind: 'kw', text: up, pos: start } : { kind: 'id', text: word, pos: start });
      continue;
    }
    if ((c >= '0' && c <= '9') || (c === '.' && sql[i + 1] >= '0' && sql[i + 1] <= '9')) {
      if (c === '0' && (sql[i + 1] === 'x' || sql[i + 1] === 'X') && /[0-9a-fA-F]/.test(sql[i + 2] ?? '')) {
        i += 2;
        while (i < n && /[0-9a-fA-F]/.test(sql[i])) i++;
      } else {
        while (i < n && sql[i] >= '0' && sql[i] <= '9') i++;
        if (sql[i] === '.') {
          i++;
          while (i < n && sql[i] >= '0' && sql[i] <= '9') i++;
        }
        if ((sql[i] === 'e' || sql[i] === 'E') && /[0-9]/.test(sql[i + 1] === '+' || sql[i + 1] === '-' ? sql[i + 2] ?? '' : sql[i + 1] ?? '')) {
          i += sql[i + 1] === '+' || sql[i + 1] === '-' ? 2 : 1;
          while (i < n && sql[i] >= '0' && sql[i] <= '9') i++;
        }
      }
      if (i < n && /[A-Za-z_]/.test(sql[i])) throw new SqlError('SQL_SYNTAX', `unrecognized token: "${sql.slice(start, i + 1)}"`, start);
      out.push({ kind: 'num', text: sql.slice(start, i), pos: start });
      continue;
    }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= n) throw new SqlError('SQL_SYNTAX', 'unterminated string literal', start);
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += sql[i++];
      }
      out.push({ kind: 'str', text: s, pos: start });
      continue;
    }
    if (c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let s = '';
      i++;
      for (;;) {
        if (i >= n) throw new SqlError('SQL_SYNTAX', 'unterminated identifier', start);
        if (sql[i] === close) {
          if (close !== ']' && sql[i + 1] === close) {
            s += close;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += sql[i++];
      }
      out.push({ kind: 'id', text: s, pos: start, quoted: true });
      continue;
    }
    if (c === '?') {
      i++;
      while (i < n && sql[i] >= '0' && sql[i] <= '9') i++;
      out.push({ kind: 'param', text: sql.slice(start, i), pos: start });
      continue;
    }
    if (c === ':' || c === '@' || c === '$') {
      i++;
      while (i < n && /[A-Za-z0-9_]/.test(sql[i])) i++;
      if (i === start + 1) throw new SqlError('SQL_SYNTAX', `unrecognized token: "${c}"`, start);
      out.push({ kind: 'param', text: sql.slice(start, i), pos: start });
      continue;
    }
    const op = OPS.find((o) => sql.startsWith(o, i));
    if (!op) throw new SqlError('SQL_SYNTAX', `unrecognized token: "${c}"`, start);
    out.push({ kind: 'op', text: op, pos: start });
    i += op.length;
  }
  out.push({ kind: 'eof', text: '', pos: n });
  return out;
}
