import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DomainHandlers } from '../../rpc/handlers';
import type { sql as sqlDomain, SqlHistoryEntry, SqlOpenResult, SqlResultSet } from '../../contract/sql';
import { ServiceError } from '../../contract/errors';
import type { WorkerRequest, WorkerResponse } from './worker';

type Req = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export interface SqlServiceOptions {
  dataDir: string;
  /** The history store's file, read by the `metrics` live table. */
  historyPath?: string;
  historyLimit?: number;
}

/** Line and column (1-based) of an offset in text. */
export function lineColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/**
 * Owns the worker thread that owns the engine database. One statement runs at a time; cancel
 * terminates the worker and reopens the same file, which recovers it as of the last commit.
 */
export class SqlService {
  private worker: Worker | null = null;
  private seq = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private path: string | null = null;
  private busy = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly historyLimit: number;

  constructor(private readonly opts: SqlServiceOptions) {
    this.historyLimit = opts.historyLimit ?? 500;
  }

  get scratchPath(): string {
    return join(this.opts.dataDir, 'scratch.vdb');
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { historyPath: this.opts.historyPath } });
    w.unref();
    w.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.value);
      else if (res.error.sql) p.reject(Object.assign(new Error(res.error.message), { sqlCode: res.error.code, position: res.error.position }));
      else p.reject(new ServiceError(res.error.code === 'ENOENT' ? 'NOT_FOUND' : res.error.code === 'EACCES' ? 'EPERM' : 'INTERNAL', res.error.message));
    });
    const fail = (err: unknown) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.worker === w) this.worker = null;
    };
    w.on('error', (e) => fail(new ServiceError('INTERNAL', `SQL worker failed: ${e.message}`)));
    w.on('exit', () => fail(new ServiceError('CANCELLED', 'the statement was cancelled')));
    return w;
  }

  private send<T>(req: Req): Promise<T> {
    if (!this.worker) this.worker = this.spawn();
    const id = ++this.seq;
    const w = this.worker;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ ...req, id });
    });
  }

  /** Serialises work: the worker handles one request at a time anyway, this keeps `busy` honest. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async ensureOpen(): Promise<void> {
    if (this.worker && this.path) return;
    const path = this.path ?? this.scratchPath;
    await this.send({ op: 'open', path });
    this.path = path;
  }

  open(path?: string): Promise<SqlOpenResult> {
    return this.run(async () => {
      const target = path ?? this.scratchPath;
      if (existsSync(target) && statSync(target).isDirectory()) throw new ServiceError('INVALID_INPUT', `${target} is a directory, not a database file`);
      if (!existsSync(dirname(target))) throw new ServiceError('NOT_FOUND', `folder ${dirname(target)} does not exist`);
      try {
        await this.send({ op: 'open', path: target });
      } catch (e) {
        throw this.toError(e, '');
      }
      this.path = target;
      return { path: target, scratch: target === this.scratchPath };
    });
  }

  async current(): Promise<SqlOpenResult> {
    await this.run(() => this.ensureOpen());
    return { path: this.path!, scratch: this.path === this.scratchPath };
  }

  execute(text: string, opts: { params?: unknown[]; selection?: { from: number; to: number }; maxRows: number }): Promise<{ results: SqlResultSet[]; timeMs: number }> {
    return this.run(async () => {
      await this.ensureOpen();
      const from = opts.selection ? Math.min(opts.selection.from, text.length) : 0;
      const to = opts.selection ? Math.min(opts.selection.to, text.length) : text.length;
      const piece = text.slice(from, to);
      if (!piece.trim()) throw new ServiceError('INVALID_INPUT', 'the statement is empty');
      const t0 = performance.now();
      this.busy = true;
      try {
        const results = await this.send<SqlResultSet[]>({ op: 'execute', sql: piece, base: from, params: opts.params, maxRows: opts.maxRows });
        const timeMs = performance.now() - t0;
        this.remember({ sql: piece.trim(), ts: Date.now(), ok: true, timeMs });
        return { results, timeMs };
      } catch (e) {
        this.remember({ sql: piece.trim(), ts: Date.now(), ok: false, timeMs: performance.now() - t0 });
        throw this.toError(e, text);
      } finally {
        this.busy = false;
      }
    });
  }

  /** Terminates the worker if a statement is running; the next call reopens the file. */
  async cancel(): Promise<{ cancelled: boolean }> {
    if (!this.busy || !this.worker) return { cancelled: false };
    const w = this.worker;
    this.worker = null;
    await w.terminate();
    return { cancelled: true };
  }

  schema() {
    return this.run(async () => {
      await this.ensureOpen();
      return this.send<import('../../contract/sql').SqlSchemaObject[]>({ op: 'schema' });
    });
  }

  explain(text: string) {
    return this.run(async () => {
      await this.ensureOpen();
      try {
        return await this.send<import('../../contract/sql').SqlPlanNode[]>({ op: 'explain', sql: text });
      } catch (e) {
        throw this.toError(e, text);
      }
    });
  }

  private toError(e: unknown, text: string): unknown {
    const s = e as { sqlCode?: string; position?: number; message?: string };
    if (s && typeof s.sqlCode === 'string') {
      if (s.sqlCode === 'SQL_INTERRUPTED') return new ServiceError('CANCELLED', s.message ?? 'interrupted');
      const detail: Record<string, unknown> = { sqlCode: s.sqlCode };
      if (typeof s.position === 'number') Object.assign(detail, { position: s.position }, lineColumn(text, s.position));
      return new ServiceError('SQL_ERROR', s.message ?? 'SQL error', detail);
    }
    return e;
  }

  private historyFile(): string {
    const key = createHash('sha1').update(this.path ?? this.scratchPath).digest('hex').slice(0, 16);
    return join(this.opts.dataDir, 'sql-history', `${key}.json`);
  }

  history(limit: number): SqlHistoryEntry[] {
    try {
      const all = JSON.parse(readFileSync(this.historyFile(), 'utf8')) as SqlHistoryEntry[];
      return all.slice(-limit).reverse();
    } catch {
      return [];
    }
  }

  private remember(entry: SqlHistoryEntry): void {
    try {
      const file = this.historyFile();
      let all: SqlHistoryEntry[] = [];
      try {
        all = JSON.parse(readFileSync(file, 'utf8')) as SqlHistoryEntry[];
      } catch {
        all = [];
      }
      if (all.length && all[all.length - 1].sql === entry.sql) all.pop();
      all.push(entry);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(all.slice(-this.historyLimit)));
    } catch {
      /* history is a convenience; a full disk must not fail the query */
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

export function createSqlService(opts: SqlServiceOptions): { service: SqlService; handlers: DomainHandlers<typeof sqlDomain> } {
  const service = new SqlService(opts);
  return {
    service,
    handlers: {
      open: (i) => service.open(i.path),
      current: () => service.current(),
      execute: (i) => service.execute(i.sql, { params: i.params, selection: i.selection, maxRows: i.maxRows }),
      cancel: () => service.cancel(),
      schema: () => service.schema(),
      history: (i) => service.history(i.limit),
      explain: (i) => service.explain(i.sql),
    },
  };
}
