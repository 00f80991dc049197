// The byte ranges of the distribution protocol: a client's `Range: bytes=a-b` on a blob GET, the
// `Content-Range: a-b` of a chunked upload PATCH, and the `Range: 0-N` a registry reports for an
// upload's progress. Pure parsing with the spec's answers for what does not fit.

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * A blob GET's Range header against a blob of `size` bytes: a single range (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`), clamped to the blob. Returns 'ignore' for a header that is not a bytes range (RFC 9110:
 * serve the whole blob) and 'unsatisfiable' for one outside the blob (416).
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | 'ignore' | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return 'ignore';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * A chunked upload PATCH's Content-Range: the spec writes `<start>-<end>`; clients also send the HTTP
 * form `bytes <start>-<end>/<total|*>`. Undefined when the header is absent (a streamed PATCH), null
 * when it cannot be parsed.
 */
export function parseContentRange(header: string | undefined): ByteRange | null | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(?:bytes\s+)?(\d+)-(\d+)(?:\/(?:\d+|\*))?\s*$/i.exec(header);
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return null;
  return { start, end };
}

/** The `Range` an upload reports: bytes 0 to size-1, and "0-0" while it is empty (as distribution). */
export function uploadRangeHeader(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}
