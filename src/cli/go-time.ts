// Go's time formatting as docker's formatters print it: time.Unix(t).String() ("2006-01-02 15:04:05
// -0700 MST") and RFC 3339, in the local time zone.

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function zoneName(d: Date): string {
  if (d.getTimezoneOffset() === 0) return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

function offset(d: Date, colon: boolean): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

function localParts(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function localClock(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** time.Unix(sec, 0).String() */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${localParts(d)} ${localClock(d)} ${offset(d, false)} ${zoneName(d)}`;
}

/** time.Format(time.RFC3339): "2006-01-02T15:04:05Z07:00" */
export function goRfc3339(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const z = d.getTimezoneOffset() === 0 ? 'Z' : offset(d, true);
  return `${localParts(d)}T${localClock(d)}${z}`;
}

/** RFC3339Nano with all nine digits, as docker events prints ("2006-01-02T15:04:05.000000000Z07:00"). */
export function goRfc3339Nano9(timeNano: bigint | number): string {
  const ns = BigInt(timeNano);
  const secs = Number(ns / 1_000_000_000n);
  const frac = String(ns % 1_000_000_000n).padStart(9, '0');
  const d = new Date(secs * 1000);
  const z = d.getTimezoneOffset() === 0 ? 'Z' : offset(d, true);
  return `${localParts(d)}T${localClock(d)}.${frac}${z}`;
}
