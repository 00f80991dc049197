// System endpoints: version, info, disk usage, and the events stream.
import type { SystemDiskUsage, SystemInfo, SystemVersion, EventMessage } from '../api/types/index.js';
import { encodeFilters, type Client } from './client.js';
import { LineSplitter, parseJsonLine } from './json-stream.js';

/** The exact nanosecond time of an event (JSON numbers lose digits past 2^53), kept beside the parsed value. */
export const TIME_NANO_TEXT = Symbol('timeNanoText');
export type EventWithNanos = EventMessage & { [TIME_NANO_TEXT]?: string };

function parseEventLine(line: string): EventWithNanos[] {
  const exact = [...line.matchAll(/"timeNano"\s*:\s*(\d+)/g)].map((m) => m[1]!);
  const events = parseJsonLine<EventWithNanos>(line);
  events.forEach((e, i) => {
    if (exact[i]) e[TIME_NANO_TEXT] = exact[i];
  });
  return events;
}

export function systemVersion(c: Client): Promise<SystemVersion> {
  return c.json('GET', '/version');
}

export function systemInfo(c: Client): Promise<SystemInfo> {
  return c.json('GET', '/info');
}

/** GET /system/df (docker system df). */
export function systemDiskUsage(c: Client): Promise<SystemDiskUsage> {
  return c.json('GET', '/system/df');
}

/** GET /events: yields each event until `until` passes or the signal aborts. */
export async function* systemEvents(
  c: Client,
  o: { since?: string; until?: string; filters?: Record<string, string[]> },
  signal?: AbortSignal,
): AsyncGenerator<EventWithNanos> {
  const res = await c.request('GET', '/events', { query: { since: o.since, until: o.until, filters: encodeFilters(o.filters) }, signal });
  const split = new LineSplitter();
  res.setEncoding('utf8');
  for await (const chunk of res as AsyncIterable<string>) {
    for (const line of split.push(chunk)) yield* parseEventLine(line);
  }
  for (const line of split.flush()) yield* parseEventLine(line);
}
