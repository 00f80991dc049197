// System endpoints: version, info, and the events stream.
import type { SystemInfo, SystemVersion, EventMessage } from '../api/types/index.js';
import { encodeFilters, type Client } from './client.js';
import { readJsonStream } from './json-stream.js';

export function systemVersion(c: Client): Promise<SystemVersion> {
  return c.json('GET', '/version');
}

export function systemInfo(c: Client): Promise<SystemInfo> {
  return c.json('GET', '/info');
}

/** GET /events: yields each event until `until` passes or the signal aborts. */
export async function* systemEvents(
  c: Client,
  o: { since?: string; until?: string; filters?: Record<string, string[]> },
  signal?: AbortSignal,
): AsyncGenerator<EventMessage> {
  const res = await c.request('GET', '/events', { query: { since: o.since, until: o.until, filters: encodeFilters(o.filters) }, signal });
  yield* readJsonStream<EventMessage>(res);
}
