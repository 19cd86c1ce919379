/** Stable error codes so callers (UI, CLI, tests) can branch without parsing messages. */
export type SqlErrorCode =
  | 'SQL_SYNTAX'
  | 'SQL_NO_SUCH_TABLE'
  | 'SQL_NO_SUCH_COLUMN'
  | 'SQL_CONSTRAINT'
  | 'SQL_MISUSE'
  | 'SQL_INTERRUPTED'
  | 'SQL_ERROR';

export class SqlError extends Error {
  readonly code: SqlErrorCode;
  position?: number;
  line?: number;
  column?: number;
  constructor(code: SqlErrorCode, message: string, position?: number) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.position = position;
  }
  /** Line/column are derived late, when the SQL text is at hand, so inner layers only track offsets. */
  locate(sql: string): this {
    if (this.position === undefined) return this;
    const before = sql.slice(0, this.position);
    const lines = before.split('\n');
    this.line = lines.length;
    this.column = lines[lines.length - 1].length + 1;
    return this;
  }
}
