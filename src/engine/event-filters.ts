// Event filtering and time parsing for GET /events, as Docker applies them: each filter key must
// match (OR within a key, AND across keys); `since`/`until` are Unix seconds with optional fraction.
import type { EventMessage } from '../api/types/system.js';
import { InvalidParameterError } from '../errors.js';

/** Returns nanoseconds since the epoch, or null when absent. Accepts "1700000000", "1700000000.5", RFC 3339. */
export function parseEventTime(v: string | null, nowMs: number): number | null {
  if (v === null || v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) {
    const [sec, frac = ''] = v.split('.');
    return Number(sec) * 1e9 + Number((frac + '000000000').slice(0, 9));
  }
  const rel = /^(\d+)(s|m|h)$/.exec(v); // the CLI converts durations, but raw API users send them too
  if (rel) {
    const mult = { s: 1e3, m: 60e3, h: 3600e3 }[rel[2] as 's' | 'm' | 'h'];
    return (nowMs - Number(rel[1]) * mult) * 1e6;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidParameterError(`failed to parse value ${v} as a timestamp`);
  return t * 1e6;
}

export function matchesEventFilters(e: EventMessage, filters: Record<string, string[]>): boolean {
  const attrs = e.Actor.Attributes;
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    let ok: boolean;
    switch (key) {
      case 'type':
        ok = values.includes(e.Type);
        break;
      case 'event':
        // "exec_start" also matches "exec_start: sh -c ..." as Docker's prefix match does.
        ok = values.some((v) => e.Action === v || e.Action.startsWith(v + ':'));
        break;
      case 'container':
        ok = e.Type === 'container' && values.some((v) => e.Actor.ID.startsWith(v) || attrs['name'] === v);
        break;
      case 'image':
        ok = values.some((v) => (e.Type === 'image' && (e.Actor.ID === v || attrs['name'] === v)) || attrs['image'] === v);
        break;
      case 'volume':
        ok = e.Type === 'volume' && values.includes(e.Actor.ID);
        break;
      case 'network':
        ok = e.Type === 'network' && values.some((v) => e.Actor.ID === v || attrs['name'] === v);
        break;
      case 'label':
        ok = values.some((v) => {
          const i = v.indexOf('=');
          return i < 0 ? v in attrs : attrs[v.slice(0, i)] === v.slice(i + 1);
        });
        break;
      case 'scope':
        ok = values.includes(e.scope);
        break;
      default:
        throw new InvalidParameterError(`invalid filter '${key}'`);
    }
    if (!ok) return false;
  }
  return true;
}
