// Renders a daemon JSON progress stream (import, load, pull) as the docker CLI does on a non-terminal:
// `stream` text as is, `status` lines as "id: status progress", and an `error` ends it as a failure.
import type { Readable, Writable } from 'node:stream';
import type { JSONMessage } from '../api/types/index.js';
import { readJsonStream } from '../client/json-stream.js';

export class StreamError extends Error {}

export function renderJsonMessage(m: JSONMessage): string {
  if (m.stream !== undefined) return m.stream;
  if (m.status !== undefined) return `${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`;
  return '';
}

export async function displayJsonMessages(body: Readable, out: Writable): Promise<JSONMessage[]> {
  const seen: JSONMessage[] = [];
  for await (const m of readJsonStream<JSONMessage>(body)) {
    if (m.errorDetail || m.error) throw new StreamError(m.errorDetail?.message ?? m.error ?? 'unknown error');
    seen.push(m);
    const text = renderJsonMessage(m);
    if (text) out.write(text);
  }
  return seen;
}
