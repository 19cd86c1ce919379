/**
 * Splitting a typed command line into argv the way a POSIX shell splits words, without ever
 * running a shell: no expansion, no globbing, no pipes. `'…'` is literal, `"…"` keeps spaces
 * and honours \" \\ \$ \`, a backslash outside quotes escapes the next character.
 */
export type SplitResult = { ok: true; argv: string[] } | { ok: false; error: { message: string; start: number; end: number } };

export function splitCommandLine(text: string): SplitResult {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return { ok: false, error: { message: 'unterminated single quote', start: i, end: text.length } };
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (ch === '"') {
      const start = i;
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i];
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i += 2;
          continue;
        }
        word += c;
        i++;
      }
      if (!closed) return { ok: false, error: { message: 'unterminated double quote', start, end: text.length } };
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) return { ok: false, error: { message: 'backslash at the end escapes nothing', start: i, end: i + 1 } };
      // Backslash-newline continues the line, as in a shell.
      if (text[i + 1] !== '\n') {
        word += text[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, error: { message: 'type a command to run', start: 0, end: Math.max(1, text.length) } };
  return { ok: true, argv };
}

/** Quotes argv back into one line a shell would split the same way (for display and copy). */
export function joinCommandLine(argv: readonly string[]): string {
  return argv.map((a) => (a !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; error: string };

/** KEY=VALUE lines; blank lines and # comments are skipped; the value is taken verbatim. */
export function parseEnvLines(text: string): EnvResult {
  const env: Record<string, string> = {};
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) return { ok: false, error: `line ${n + 1}: expected KEY=VALUE` };
    const name = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { ok: false, error: `line ${n + 1}: "${name}" is not a valid name (letters, digits and _, not starting with a digit)` };
    env[name] = line.slice(eq + 1);
  }
  return { ok: true, env };
}
