// What a registry said, and how dockerd words it to its clients. A registry answers errors with the
// distribution spec's body {"errors":[{code,message,detail}]}; dockerd turns the first one into
// "manifest for busybox:nosuch not found: manifest unknown: manifest unknown" and friends
// (moby distribution/errors.go), with the status of its errdefs kind.
import { ForbiddenError, InvalidParameterError, NotFoundError, SystemError, UnauthorizedError, type BerthError } from '../../errors.js';

/** An HTTP answer >= 400 from a registry, with the spec's first error when the body had one. */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly detailMessage: string,
    readonly url: string,
    readonly method: string,
  ) {
    super(code ? `${codeText(code)}: ${detailMessage}` : `${method} ${url}: ${status} ${detailMessage}`);
  }
}

/** A registry that wants Basic credentials and got none. */
export class NoCredentialsError extends UnauthorizedError {}

/** A blob the manifest names that the registry does not have (distribution's client says "unknown blob"). */
export class UnknownBlobError extends NotFoundError {}

/** A failure to reach a registry at all (refused, reset, DNS, TLS): another endpoint may be tried. */
export class RegistryUnreachableError extends Error {}

/** errcode.ErrorCode.Error(): the code lower-cased with spaces ("MANIFEST_UNKNOWN" -> "manifest unknown"). */
export function codeText(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** Parses a registry error body; undefined when it is not the spec's shape. */
export function parseErrorBody(body: string): { code: string; message: string } | undefined {
  try {
    const j = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    const e = j.errors?.[0];
    if (e && typeof e.code === 'string') return { code: e.code, message: typeof e.message === 'string' ? e.message : '' };
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * A pull's error as dockerd reports it (translatePullError): denied, unknown manifest and unknown name
 * are "not found" with the reference in the message; the rest keep the registry's words.
 */
export function pullError(e: unknown, familiarName: string, familiarRef: string): BerthError | unknown {
  if (e instanceof RegistryHttpError && e.code) {
    const cause = `${codeText(e.code)}: ${e.detailMessage}`;
    if (e.code === 'DENIED' || (e.code === 'UNAUTHORIZED' && e.status === 401))
      return new NotFoundError(`pull access denied for ${familiarName}, repository does not exist or may require 'docker login': ${cause}`);
    if (e.code === 'MANIFEST_UNKNOWN') return new NotFoundError(`manifest for ${familiarRef} not found: ${cause}`);
    if (e.code === 'NAME_UNKNOWN') return new NotFoundError(`repository ${familiarName} not found: ${cause}`);
    if (e.code === 'NAME_INVALID') return new InvalidParameterError(cause);
    return new SystemError(cause);
  }
  return asBerthError(e);
}

/** Any other registry failure as an error kind with a clear message. */
export function asBerthError(e: unknown): BerthError | unknown {
  if (e instanceof RegistryHttpError) {
    if (e.status === 401) return new UnauthorizedError(e.message);
    if (e.status === 403) return new ForbiddenError(e.message);
    if (e.status === 404) return new NotFoundError(e.message);
    if (e.status === 400) return new InvalidParameterError(e.message);
    return new SystemError(e.message);
  }
  // dockerd answers an unreachable registry with 500 (errdefs.Unknown), the dial error as message.
  if (e instanceof RegistryUnreachableError) return new SystemError(e.message);
  return e;
}
