/**
 * Splits SQL text at top-level semicolons (outside quotes and comments), keeping each statement's
 * offset so an engine error position can be mapped back into the whole text. Blank pieces are dropped.
 */
export function splitStatements(sql: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const piece = sql.slice(start, end);
    const lead = piece.length - piece.trimStart().length;
    if (piece.trim() && !/^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*$/.test(piece)) out.push({ text: piece.trim(), start: start + lead });
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      i++;
      while (i < sql.length) {
        if (sql[i] === close) {
          if (close !== ']' && sql[i + 1] === close) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
    } else i++;
  }
  push(sql.length);
  return out;
}
