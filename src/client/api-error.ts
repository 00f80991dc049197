// Errors the client raises: the daemon's `{"message"}` answers as ApiError (with the HTTP status, so the
// CLI can tell a 404 from a 409 without reading text), and an unreachable daemon as DaemonUnreachableError.

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNotFound(): boolean {
    return this.statusCode === 404;
  }
  get isConflict(): boolean {
    return this.statusCode === 409;
  }
}

/** The socket could not be dialled (no daemon, wrong path, no permission). */
export class DaemonUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly code: string | undefined,
  ) {
    // Docker says "Cannot connect to the Docker daemon at X. Is the docker daemon running?"; we name berthd.
    super(
      code === 'EACCES'
        ? `permission denied while trying to connect to the berth daemon socket at ${url}`
        : `Cannot connect to the berth daemon at ${url}. Is the berth daemon running?`,
    );
    this.name = 'DaemonUnreachableError';
  }
}

/** Reads an error body: Docker sends `{"message": "..."}`; anything else is shown as text. */
export function errorFromBody(statusCode: number, body: string): ApiError {
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the text
  }
  if (!message) message = `daemon answered ${statusCode} with an empty body`;
  return new ApiError(statusCode, message);
}
