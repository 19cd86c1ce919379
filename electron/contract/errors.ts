import { ERROR_CODES, type ContractError, type ErrorCode } from './core';

/** The error a service throws so that the caller gets a stable code, not just a message. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

const ERRNO_TO_CODE: Record<string, ErrorCode> = {
  EPERM: 'EPERM',
  EACCES: 'EPERM',
  ESRCH: 'ESRCH',
  ENOENT: 'NOT_FOUND',
  EINVAL: 'INVALID_INPUT',
};

/** Any thrown value to the envelope's error: keeps codes we know, maps errno codes, else INTERNAL. */
export function toContractError(err: unknown): ContractError {
  if (err instanceof ServiceError) {
    return err.detail === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, detail: err.detail };
  }
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(err);
    if (typeof e.code === 'string') {
      if ((ERROR_CODES as readonly string[]).includes(e.code)) return { code: e.code as ErrorCode, message };
      const mapped = ERRNO_TO_CODE[e.code];
      if (mapped) return { code: mapped, message };
    }
    return { code: 'INTERNAL', message };
  }
  return { code: 'INTERNAL', message: String(err) };
}
