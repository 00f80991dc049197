// Reader for the daemon's JSON streams (progress messages of import/load, /events): one JSON value per
// line, possibly split across chunks. Yields each parsed value as it completes.
import type { Readable } from 'node:stream';

/** Splits a chunked byte stream into complete lines; pure so it can be tested without sockets. */
export class LineSplitter {
  private pending = '';
  push(chunk: string): string[] {
    this.pending += chunk;
    const parts = this.pending.split('\n');
    this.pending = parts.pop() ?? '';
    return parts;
  }
  flush(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest.trim() ? [rest] : [];
  }
}

/**
 * Parses one line; a line may hold several concatenated objects (`{..}{..}`, as Go's json.Encoder can
 * produce without newlines when another writer shares the stream), which are split at top-level braces.
 */
export function parseJsonLine<T>(line: string): T[] {
  const s = line.trim();
  if (!s) return [];
  try {
    return [JSON.parse(s) as T];
  } catch {
    const out: T[] = [];
    let depth = 0;
    let start = -1;
    let inString = false;
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') {
        if (depth++ === 0) start = i;
      } else if (ch === '}') {
        if (--depth === 0 && start >= 0) {
          out.push(JSON.parse(s.slice(start, i + 1)) as T);
          start = -1;
        }
      }
    }
    if (out.length === 0) throw new Error(`invalid JSON in stream: ${s.slice(0, 200)}`);
    return out;
  }
}

export async function* readJsonStream<T>(body: Readable): AsyncGenerator<T> {
  const split = new LineSplitter();
  body.setEncoding('utf8');
  for await (const chunk of body as AsyncIterable<string>) {
    for (const line of split.push(chunk)) yield* parseJsonLine<T>(line);
  }
  for (const line of split.flush()) yield* parseJsonLine<T>(line);
}
