// The `created_by` text of image history and the container Cmd the classic builder records for each
// step, written as Docker's classic builder writes them (Go's fmt verbs included: `%q` of a string
// slice is `["a" "b"]`, `%v` is `[a b]`): `/bin/sh -c #(nop)  CMD ["sh"]` for metadata steps,
// `|2 A=1 B=2 /bin/sh -c make` for a RUN that sees build args.
import type { HealthcheckConfig } from '../oci/types.js';
import { goQuote } from '../format/go-fmt.js';

export { goQuote };

/** `%q` of a []string. */
export const goQuoteList = (l: readonly string[] | null | undefined): string => `[${(l ?? []).map(goQuote).join(' ')}]`;
/** `%v` of a []string. */
export const goList = (l: readonly string[]): string => `[${l.join(' ')}]`;

/** Go's time.Duration.String for a nanosecond count. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e3) out = `${n}ns`;
  else if (n < 1e6) out = `${trim(n / 1e3)}µs`;
  else if (n < 1e9) out = `${trim(n / 1e6)}ms`;
  else {
    const h = Math.floor(n / 3600e9);
    n -= h * 3600e9;
    const m = Math.floor(n / 60e9);
    n -= m * 60e9;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trim(n / 1e9)}s`;
  }
  return (neg ? '-' : '') + out;
}
function trim(x: number): string {
  return String(Number(x.toFixed(9)));
}

/** `%q` of an int (a rune literal): 3 -> '\x03', 65 -> 'A'. */
function goQuoteRune(n: number): string {
  if (n >= 0x20 && n < 0x7f && n !== 0x27 && n !== 0x5c) return `'${String.fromCharCode(n)}'`;
  if (n === 0x27) return "'\\''";
  if (n === 0x5c) return "'\\\\'";
  if (n < 0x100) return `'\\x${n.toString(16).padStart(2, '0')}'`;
  return `'\\u${n.toString(16).padStart(4, '0')}'`;
}

/** `HEALTHCHECK %q` of a *HealthConfig as Docker 20.10 prints it: `&{["CMD-SHELL" "x"] "30s" "3s" "0s" '\x03'}`. */
export function healthcheckComment(h: HealthcheckConfig): string {
  return `&{${goQuoteList(h.Test ?? [])} ${goQuote(goDuration(h.Interval ?? 0))} ${goQuote(goDuration(h.Timeout ?? 0))} ${goQuote(goDuration(h.StartPeriod ?? 0))} ${goQuoteRune(h.Retries ?? 0)}}`;
}

/**
 * The Cmd the classic builder gives a metadata step's (never run) container: shell, "#(nop) ", comment
 * as two words (so the history shows two spaces: `#(nop)  CMD ["sh"]`).
 */
export function nopCmd(shell: readonly string[], comment: string): string[] {
  return [...shell, '#(nop) ', comment];
}

/** ADD/COPY/WORKDIR's form: one word, `#(nop) COPY file:<hash> in /dst ` (one space). */
export function nopCmdString(shell: readonly string[], comment: string): string[] {
  return [...shell, `#(nop) ${comment}`];
}

/** A RUN's recorded command: `|N K=V ...` before the command when build args are in effect (sorted). */
export function runCmdWithArgs(cmd: readonly string[], buildArgs: [string, string][]): string[] {
  if (!buildArgs.length) return [...cmd];
  const sorted = [...buildArgs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
  return [`|${sorted.length}`, ...sorted, ...cmd];
}

/** History `created_by`: the recorded Cmd joined by spaces. */
export const createdBy = (cmd: readonly string[]): string => cmd.join(' ');
