// The OCI distribution spec's error codes (and the few distribution 2.8 adds), each with its one HTTP
// status and default message: the registry's handlers throw RegistryError(code) and the HTTP layer
// writes `{"errors":[{code,message,detail}]}` with the status from this table, in one place.

export const ERROR_CODES = {
  BLOB_UNKNOWN: [404, 'blob unknown to registry'],
  BLOB_UPLOAD_INVALID: [400, 'blob upload invalid'],
  BLOB_UPLOAD_UNKNOWN: [404, 'blob upload unknown to registry'],
  DIGEST_INVALID: [400, 'provided digest did not match uploaded content'],
  MANIFEST_BLOB_UNKNOWN: [400, 'manifest references a manifest or blob unknown to registry'],
  MANIFEST_INVALID: [400, 'manifest invalid'],
  MANIFEST_UNKNOWN: [404, 'manifest unknown'],
  NAME_INVALID: [400, 'invalid repository name'],
  NAME_UNKNOWN: [404, 'repository name not known to registry'],
  SIZE_INVALID: [400, 'provided length did not match content length'],
  TAG_INVALID: [400, 'manifest tag did not match URI'],
  UNAUTHORIZED: [401, 'authentication required'],
  DENIED: [403, 'requested access to the resource is denied'],
  UNSUPPORTED: [405, 'The operation is unsupported.'],
  TOOMANYREQUESTS: [429, 'too many requests'],
  // distribution 2.8's own, used by the reference registry and understood by Docker's client.
  RANGE_INVALID: [416, 'invalid content range'],
  PAGINATION_NUMBER_INVALID: [400, 'invalid number of results requested'],
  UNKNOWN: [500, 'unknown error'],
} as const satisfies Record<string, readonly [number, string]>;

export type RegistryErrorCode = keyof typeof ERROR_CODES;

export class RegistryError extends Error {
  readonly status: number;
  constructor(
    readonly code: RegistryErrorCode,
    message?: string,
    readonly detail?: unknown,
  ) {
    super(message ?? ERROR_CODES[code][1]);
    this.status = ERROR_CODES[code][0];
  }
}

/** The spec's error body for one or more errors. */
export function errorBody(errors: readonly RegistryError[]): string {
  return JSON.stringify({
    errors: errors.map((e) => (e.detail === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, detail: e.detail })),
  });
}
