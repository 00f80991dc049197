// docker's timetypes.GetTimestamp for --since/--until: a Go duration ("42m", "1h30m") counts back from
// now and becomes unix seconds; RFC 3339 dates and plain dates become "seconds.nanoseconds"; a unix
// timestamp passes through unchanged.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration; returns nanoseconds, or null when the text is not a duration. */
export function parseGoDuration(s: string): number | null {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return s === '0' ? 0 : null;
  let total = 0;
  for (const part of s.slice(m[1]!.length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNIT_NS[part[2]!]!;
  }
  return m[1] === '-' ? -total : total;
}

export function getTimestamp(value: string, nowMs: number): string {
  const d = parseGoDuration(value);
  if (value !== '0' && d !== null) return String(Math.floor((nowMs - d / 1e6) / 1000));
  const looksLikeDate = /^\d{4}-\d{2}-\d{2}/.test(value);
  if (looksLikeDate) {
    // A date without a zone is read in local time (as Go's ParseInLocation(time.Local)).
    let v = value;
    if (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(v)) v += ':00';
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00` : v);
    if (Number.isNaN(t)) throw new Error(`parsing time "${value}": cannot parse`);
    const frac = /\.(\d{1,9})/.exec(value)?.[1] ?? '';
    const secs = Math.floor(t / 1000);
    return `${secs}.${(frac + '000000000').slice(0, 9)}`;
  }
  if (value.includes('-') && !/^-?\d+(\.\d+)?$/.test(value)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  if (!/^-?\d+(\.\d{1,9})?$/.test(value)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  return value;
}
