// Signal names and numbers as Docker accepts them (`--stop-signal`, `kill -s`): "SIGTERM", "TERM",
// "15", any case for names. Linux x86/arm numbering; SIGRTMIN+n forms for real-time signals.
import { InvalidParameterError } from '../../errors.js';

const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11,
  USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21,
  TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};
const RTMIN = 34;
const RTMAX = 64;

/** Parses a signal; throws InvalidParameterError "Invalid signal: X" as Docker does. */
export function parseSignal(s: string | number): number {
  if (typeof s === 'number' || /^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1 || n > RTMAX) throw new InvalidParameterError(`Invalid signal: ${s}`);
    return n;
  }
  let name = s.toUpperCase();
  if (name.startsWith('SIG')) name = name.slice(3);
  const known = SIGNALS[name];
  if (known !== undefined) return known;
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name) ?? null;
  if (rt) {
    const n = RTMIN + Number(rt[1] ?? 0);
    if (n <= RTMAX) return n;
  }
  const rtmax = /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rtmax) {
    const n = RTMAX - Number(rtmax[1] ?? 0);
    if (n >= RTMIN) return n;
  }
  throw new InvalidParameterError(`Invalid signal: ${s}`);
}

export const SIGKILL = 9;
export const SIGTERM = 15;
