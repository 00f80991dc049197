// Go's time.ParseDuration, which Docker uses for HEALTHCHECK's --interval/--timeout/--start-period:
// "1h30m", "90s", "1.5s", "500ms", "2us"; returns nanoseconds.
import { DockerfileParseError } from './instruction.js';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function parseGoDuration(s: string): number {
  const t = s.trim();
  if (t === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== t.length || t === '') throw new DockerfileParseError(`time: invalid duration "${s}"`);
  return Math.round(total);
}
