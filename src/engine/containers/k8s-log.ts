// Pure parsing of conmon's k8s-file log format, one record per line:
//   2024-01-01T00:00:00.000000000+00:00 stdout F text
// `F` ends a line of output; `P` is a partial line (output without a newline yet, or a line longer than
// conmon's buffer) that joins the records after it until an `F`. Timestamps carry nanoseconds.

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  timeNs: bigint;
  stream: LogStream;
  partial: boolean;
  text: Buffer;
}

/** A complete message as `docker logs` prints it: the joined text with its newline (unless the output ended without one). */
export interface LogRecord {
  timeNs: bigint;
  stream: LogStream;
  data: Buffer;
}

/** RFC 3339 with up to 9 fraction digits and Z or ±HH:MM, to nanoseconds since the epoch. */
export function parseTimestampNs(s: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3] === 'Z' ? 'Z' : m[3]}`);
  if (Number.isNaN(ms)) return null;
  const frac = BigInt((m[2] ?? '').padEnd(9, '0'));
  return BigInt(ms) * 1_000_000n + frac;
}

/** Docker's RFC3339NanoFixed in UTC: always nine fraction digits. */
export function formatTimestampNs(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.000Z
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** One line of the file, without its trailing newline. Malformed lines give null (skipped, as Podman does). */
export function parseLogLine(line: Buffer): LogLine | null {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return null;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return null;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  const s3 = line.indexOf(0x20, s2 + 1);
  // "TS stdout F" with an empty text may lack the final space.
  const tag = line.toString('latin1', s2 + 1, s3 < 0 ? line.length : s3);
  if (tag !== 'F' && tag !== 'P') return null;
  const timeNs = parseTimestampNs(line.toString('latin1', 0, s1));
  if (timeNs === null) return null;
  return { timeNs, stream, partial: tag === 'P', text: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1) };
}

/**
 * Joins partial lines into records. Partials are kept per stream (stdout and stderr interleave in the
 * file); the record takes the timestamp of its first piece, as Docker's json-file does.
 */
export class RecordJoiner {
  private readonly pending = new Map<LogStream, { timeNs: bigint; parts: Buffer[] }>();

  push(l: LogLine): LogRecord | null {
    const p = this.pending.get(l.stream);
    if (l.partial) {
      if (p) p.parts.push(l.text);
      else this.pending.set(l.stream, { timeNs: l.timeNs, parts: [l.text] });
      return null;
    }
    const parts = p ? [...p.parts, l.text] : [l.text];
    this.pending.delete(l.stream);
    return { timeNs: p ? p.timeNs : l.timeNs, stream: l.stream, data: Buffer.concat([...parts, Buffer.from('\n')]) };
  }

  /** Output that ended without a newline (the container exited mid-line). */
  flush(): LogRecord[] {
    const out = [...this.pending.entries()].map(([stream, p]) => ({ timeNs: p.timeNs, stream, data: Buffer.concat(p.parts) }));
    this.pending.clear();
    return out.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
  }
}

/** Splits a chunk stream into lines, keeping an incomplete last line for the next chunk. */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl < 0) break;
      lines.push(data.subarray(start, nl));
      start = nl + 1;
    }
    this.rest = Buffer.from(data.subarray(start));
    return lines;
  }

  get pendingBytes(): number {
    return this.rest.length;
  }
}

/** The chronological list of a log's files: base.N (oldest) ... base.1, base. */
export function rotatedNames(base: string, existing: string[]): string[] {
  const name = base;
  const numbered = existing
    .map((f) => {
      if (!f.startsWith(name + '.')) return null;
      const n = f.slice(name.length + 1);
      return /^\d+$/.test(n) ? Number(n) : null;
    })
    .filter((n): n is number => n !== null)
    .sort((a, b) => b - a);
  const out = numbered.map((n) => `${name}.${n}`);
  if (existing.includes(name)) out.push(name);
  return out;
}

/**
 * The rotation plan when the live file passes max-size: rename base.(k) -> base.(k+1) from the
 * oldest kept down, base -> base.1; files beyond maxFile-1 are deleted. maxFile counts the live file,
 * as Docker's max-file does.
 */
export function rotationPlan(base: string, existing: string[], maxFile: number): { remove: string[]; renames: [string, string][] } {
  const keep = Math.max(1, maxFile) - 1; // rotated files kept
  const numbered = existing
    .filter((f) => f.startsWith(base + '.') && /^\d+$/.test(f.slice(base.length + 1)))
    .map((f) => Number(f.slice(base.length + 1)))
    .sort((a, b) => b - a);
  const remove: string[] = [];
  const renames: [string, string][] = [];
  for (const n of numbered) {
    if (n + 1 > keep) remove.push(`${base}.${n}`);
    else renames.push([`${base}.${n}`, `${base}.${n + 1}`]);
  }
  if (keep >= 1) renames.push([base, `${base}.1`]);
  else remove.push(base);
  return { remove, renames };
}

/**
 * Cuts log text into pieces of at most maxSize bytes at line ends (a single longer line is a piece of
 * its own) and returns the last `keep` pieces, oldest first: how a burst that outran rotation is
 * brought back within max-size x max-file.
 */
export function lastChunks(data: Buffer, maxSize: number, keep: number): Buffer[] {
  if (keep <= 0) return [];
  const lines: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    const nl = data.indexOf(0x0a, start);
    const end = nl < 0 ? data.length : nl + 1;
    lines.push(data.subarray(start, end));
    start = end;
  }
  const chunks: Buffer[][] = [];
  let cur: Buffer[] = [];
  let size = 0;
  // Build from the end so the newest piece is the fullest, as after a normal rotation.
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (size + l.length > maxSize && cur.length) {
      chunks.push(cur);
      if (chunks.length === keep) break;
      cur = [];
      size = 0;
    }
    cur.unshift(l);
    size += l.length;
  }
  if (cur.length && chunks.length < keep) chunks.push(cur);
  return chunks.reverse().map((c) => Buffer.concat(c));
}
