// Values of the Engine API's `filters` that several resources share: `until` (prune, list) and
// `label` / `label!`, and boolean ones (`dangling`). Pure; `until`'s refusal is worded by each caller,
// as dockerd's handlers word it differently.
import { InvalidParameterError } from '../../errors.js';

/**
 * `until` as Docker takes it: a Unix time (seconds, fractions allowed), an RFC 3339 time, or a Go
 * duration back from `now` ("10m", "24h", "1.5h"). Milliseconds since the epoch; null when unreadable.
 */
export function untilTime(v: string, now = Date.now()): number | null {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const d = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(v);
  if (d) return now - Number(d[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[d[2] as 'h' | 'm' | 's'];
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/** A `label` filter value: "key" (the label is there) or "key=value" (it has that value). */
export function labelMatches(labels: Record<string, string>, expr: string): boolean {
  const eq = expr.indexOf('=');
  if (eq === -1) return expr in labels;
  return labels[expr.slice(0, eq)] === expr.slice(eq + 1);
}

/** A boolean filter ("dangling=true"): the last value counts; true/1/false/0, anything else refused. */
export function boolFilter(name: string, values: string[]): boolean {
  const last = values[values.length - 1]!;
  const v = last.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidParameterError(`Invalid filter '${name}=${last}'`);
}
