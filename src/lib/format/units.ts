// Human sizes and durations as docker prints and parses them (github.com/docker/go-units), and the
// words of the STATUS and CREATED columns of `docker ps` (moby's container State.String()).
import { InvalidParameterError } from '../../errors.js';
import { formatG } from './go-fmt.js';

const DECIMAL_ABBRS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_ABBRS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, abbrs: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < abbrs.length - 1) {
    size /= base;
    i++;
  }
  return [size, abbrs[i]!];
}

/** go-units HumanSizeWithPrecision: decimal units, `%.*g` (so 999.9kB at precision 3 is "1e+03kB"). */
export function humanSizeWithPrecision(size: number, precision: number): string {
  const [n, unit] = sizeAndUnit(size, 1000, DECIMAL_ABBRS);
  return formatG(n, precision) + unit;
}

/**
 * Sizes as docker's listings print them (`docker images`, `ps -s`, `volume ls`...):
 * HumanSizeWithPrecision(size, 3), e.g. "4.26MB", "1.2kB", "0B". go-units' own HumanSize is precision 4.
 */
export function humanSize(size: number, precision = 3): string {
  return humanSizeWithPrecision(size, precision);
}

/** go-units BytesSize: binary units with 4 significant digits, e.g. "1.5MiB", "44KiB". */
export function bytesSize(size: number): string {
  const [n, unit] = sizeAndUnit(size, 1024, BINARY_ABBRS);
  return formatG(n, 4) + unit;
}

const UNIT_POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };
// What strconv.ParseFloat accepts in the number part (decimal forms; hex floats are not sizes).
const GO_FLOAT = /^[+-]?(?:(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

function parseSize(sizeStr: string, base: number): number {
  // go-units: the number runs to the last digit, dot or space; what follows is the unit suffix.
  let sep = -1;
  for (let i = sizeStr.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(sizeStr[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new InvalidParameterError(`invalid size: '${sizeStr}'`);
  const num = sizeStr[sep] === ' ' ? sizeStr.slice(0, sep) : sizeStr.slice(0, sep + 1);
  let sfx = sizeStr.slice(sep + 1);
  if (!GO_FLOAT.test(num)) throw new InvalidParameterError(`strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax`);
  let size = Number(num.replace(/_/g, '').replace(/^([+-]?)inf(inity)?$/i, '$1Infinity'));
  if (size < 0 || Number.isNaN(size)) throw new InvalidParameterError(`invalid size: '${sizeStr}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const bad = () => new InvalidParameterError(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const power = UNIT_POWERS[sfx[0]!];
  if (power === undefined) throw bad();
  size *= base ** power;
  // The suffix may end in "b" or "ib" (KiB, MB).
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size);
}

/** go-units RAMInBytes: `-m 512m`, `1g`, `100k`, `1.5GiB`; binary multiples, case-insensitive. */
export function ramInBytes(size: string): number {
  return parseSize(size, 1024);
}

/** go-units FromHumanSize: the same syntax with decimal multiples (`1kB` = 1000). */
export function fromHumanSize(size: string): number {
  return parseSize(size, 1000);
}

/** go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks"... */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // Hours round to the nearest (Go: int(d.Hours() + 0.5)).
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** The CREATED column: "3 minutes ago" (docker: HumanDuration(now - created) + " ago"). */
export function timeAgo(then: number | string | Date, now: number = Date.now()): string {
  const t = typeof then === 'number' ? then : new Date(then).getTime();
  return `${humanDuration(now - t)} ago`;
}

/** The state fields statusText reads: the Engine API's ContainerState, plus what docker adds. */
export interface StatusInput {
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  Dead: boolean;
  ExitCode: number;
  StartedAt: string;
  FinishedAt: string;
  /** Docker's State.RemovalInProgress (or Status 'removing'). */
  RemovalInProgress?: boolean;
  Status?: string;
  /** Health status ("healthy", "starting", ...) when the container has a health check. */
  Health?: { Status: string } | null;
}

function isZeroTime(t: string | undefined): boolean {
  return !t || t.startsWith('0001-01-01');
}

/**
 * The STATUS column, worded as moby's State.String(): "Up 5 seconds", "Up 2 hours (Paused)",
 * "Up 3 minutes (healthy)", "Restarting (1) 4 seconds ago", "Removal In Progress", "Dead", "Created",
 * "Exited (0) 3 minutes ago". A stopped container never started and with no finish time is "".
 */
export function statusText(s: StatusInput, now: number = Date.now()): string {
  const since = (t: string) => humanDuration(now - Date.parse(t));
  if (s.Running) {
    if (s.Paused) return `Up ${since(s.StartedAt)} (Paused)`;
    if (s.Restarting) return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
    if (s.Health && s.Health.Status) {
      // Docker words "starting" as "health: starting"; the others print as they are.
      const h = s.Health.Status === 'starting' ? 'health: starting' : s.Health.Status;
      return `Up ${since(s.StartedAt)} (${h})`;
    }
    return `Up ${since(s.StartedAt)}`;
  }
  if (s.RemovalInProgress || s.Status === 'removing') return 'Removal In Progress';
  if (s.Dead) return 'Dead';
  if (isZeroTime(s.StartedAt)) return 'Created';
  if (isZeroTime(s.FinishedAt)) return '';
  return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
}

// East Asian wide and fullwidth ranges (the ones docker's runewidth counts as two columns).
const WIDE: [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Display columns of one character (2 for East Asian wide characters). */
export function runeDisplayWidth(ch: string): number {
  const c = ch.codePointAt(0)!;
  return WIDE.some(([a, b]) => c >= a && c <= b) ? 2 : 1;
}

/**
 * docker's formatter.Ellipsis: fits `s` into `max` display columns, ending in "…" when cut. A max of 1
 * keeps just the first character; 0 or less gives "".
 */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return '';
  const runes = [...s];
  if (max === 1) return runes[0] ?? '';
  const widths = runes.map(runeDisplayWidth);
  const total = widths.reduce((a, b) => a + b, 0);
  if (total <= max) return s;
  let w = 0;
  let i = 0;
  while (i < runes.length && w + widths[i]! <= max - 1) w += widths[i++]!;
  return runes.slice(0, i).join('') + '…';
}
