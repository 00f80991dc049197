// A client's stdin on a terminal attach (container attach, exec start) with the detach keys watched:
// the bytes go on to the container until the sequence comes, then the client is let go and the
// container keeps running (Docker watches for it only when the container or exec has a TTY).
import { Transform, type Readable } from 'node:stream';
import { DEFAULT_DETACH_KEYS, DetachKeysError, EscapeScanner, parseDetachKeys } from '../lib/term/detach-keys.js';
import { InvalidParameterError } from '../errors.js';

/** The key bytes for a request's detach-keys value (empty: Docker's default); 400 for a bad spec. */
export function detachKeyBytes(spec: string | null | undefined): number[] {
  const s = spec || DEFAULT_DETACH_KEYS;
  try {
    return parseDetachKeys(s);
  } catch (e) {
    if (e instanceof DetachKeysError) throw new InvalidParameterError(`Invalid detach keys (${s}) provided: ${e.message}`);
    throw e;
  }
}

/**
 * Passes `src` on until the detach sequence, then stops (without ending: the container's stdin is
 * not closed by a detach) and calls `onDetach` once.
 */
export function detachable(src: Readable, keys: number[], onDetach: () => void): Readable {
  const scanner = new EscapeScanner(keys);
  let detached = false;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (detached) return cb();
      const r = scanner.push(chunk);
      if (r.forward.length) this.push(r.forward);
      if (r.detached) {
        detached = true;
        src.unpipe(out);
        onDetach();
      }
      cb();
    },
  });
  src.pipe(out);
  return out;
}
