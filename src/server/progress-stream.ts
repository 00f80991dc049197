// Docker's JSON progress answers (load, import, and later pull, push and build): once the 200 and the
// first line are out, a failure can no longer change the status code, so it travels inside the stream
// as {"errorDetail":{"message"},"error"} — what the docker CLI and other clients read and report. A
// client that has gone away is not written to and not reported as an error.
import type { RouteContext } from './context.js';
import type { JSONMessage } from '../api/types/images.js';
import { isBerthError, statusForKind } from '../errors.js';

export interface ProgressStream {
  write(m: JSONMessage): void;
  /** Puts `e` in the stream as Docker's error message, then ends the answer. */
  fail(e: unknown): void;
  end(): void;
}

/** The JSON line Docker writes for an error inside a progress stream. */
export function errorMessage(e: unknown): JSONMessage {
  const message = e instanceof Error ? e.message : String(e);
  return { errorDetail: { message }, error: message };
}

/** Whether an error is the daemon's fault (logged at error level) rather than the input's or the client's. */
export function isInternalError(e: unknown): boolean {
  return !isBerthError(e) || statusForKind[e.kind] >= 500;
}

/**
 * The 200 JSON-lines answer. As Docker's flushing writer, the status line goes out with the first
 * message (or the error), so a request refused before any progress can still be answered otherwise.
 */
export function progressStream(ctx: RouteContext): ProgressStream {
  const res = ctx.res;
  const open = () => !res.destroyed && !res.writableEnded;
  const head = () => {
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/json' });
  };
  return {
    write(m) {
      if (!open()) return;
      head();
      res.write(JSON.stringify(m) + '\r\n');
    },
    fail(e) {
      if (!open()) return;
      head();
      res.end(JSON.stringify(errorMessage(e)) + '\r\n');
    },
    end() {
      if (!open()) return;
      head();
      res.end();
    },
  };
}
