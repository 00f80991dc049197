// Error kinds shared by every layer. The HTTP server maps each kind to the Engine API status code in
// one place (server/error-middleware.ts); nobody matches on message text. Messages follow Docker's
// wording because clients (and users' scripts) print and grep them.

export type ErrorKind =
  | 'invalid-parameter' // 400
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'not-modified' // 304
  | 'unavailable' // 503
  | 'not-implemented' // 501
  | 'system'; // 500

export abstract class BerthError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidParameterError extends BerthError {
  readonly kind = 'invalid-parameter' as const;
}
export class UnauthorizedError extends BerthError {
  readonly kind = 'unauthorized' as const;
}
export class ForbiddenError extends BerthError {
  readonly kind = 'forbidden' as const;
}
export class NotFoundError extends BerthError {
  readonly kind = 'not-found' as const;
}
export class ConflictError extends BerthError {
  readonly kind = 'conflict' as const;
}
/** Docker answers 304 for "start an already started container" and "stop a stopped one". */
export class NotModifiedError extends BerthError {
  readonly kind = 'not-modified' as const;
}
export class UnavailableError extends BerthError {
  readonly kind = 'unavailable' as const;
}
export class NotImplementedError extends BerthError {
  readonly kind = 'not-implemented' as const;
}
/** A real internal fault: a runtime that failed, a disk that refused a write. */
export class SystemError extends BerthError {
  readonly kind = 'system' as const;
}

export const statusForKind: Record<ErrorKind, number> = {
  'invalid-parameter': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  unavailable: 503,
  'not-implemented': 501,
  system: 500,
};

export function isBerthError(e: unknown): e is BerthError {
  return e instanceof BerthError;
}

// Docker's exact phrasings for the most common not-found cases, kept here so every service says them
// the same way.
export const noSuchContainer = (id: string) => new NotFoundError(`No such container: ${id}`);
export const noSuchImage = (ref: string) => new NotFoundError(`No such image: ${ref}`);
export const noSuchExec = (id: string) => new NotFoundError(`No such exec instance: ${id}`);
export const noSuchVolume = (name: string) => new NotFoundError(`get ${name}: no such volume`);
