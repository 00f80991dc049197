// Pure parsers for docker's typed flag values: byte sizes (go-units RAMInBytes), decimal CPUs, ulimits,
// restart policies, key=value lists and env files. Messages follow docker's so scripts see the same text.

/** go-units RAMInBytes: "512m", "1.5g", "100", "2 GiB"; binary multipliers; negative refused. */
export function parseRamBytes(s: string): number {
  const sep = Math.max(...[...'0123456789. '].map((ch) => s.lastIndexOf(ch)));
  if (sep === -1) throw new Error(`invalid size: '${s}'`);
  const num = s[sep] === ' ' ? s.slice(0, sep) : s.slice(0, sep + 1);
  let sfx = s.slice(sep + 1);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(num)) throw new Error(`strconv.ParseFloat: parsing "${num}": invalid syntax`);
  let size = Number(num);
  if (size < 0) throw new Error(`invalid size: '${s}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const bad = () => new Error(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const exp = 'kmgtp'.indexOf(sfx[0]!);
  if (exp < 0) throw bad();
  size *= 1024 ** (exp + 1);
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size);
}

/** `--memory-swap`: like a size, but "-1" means unlimited. */
export function parseSwapBytes(s: string): number {
  return s === '-1' ? -1 : parseRamBytes(s);
}

/** `--cpus 1.5` -> 1500000000 nano CPUs; docker parses a rational and refuses sub-nano precision. */
export function parseNanoCpus(s: string): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`failed to parse ${s} as a rational number`);
  const frac = m[3] ?? '';
  if (frac.replace(/0+$/, '').length > 9) throw new Error('value is too precise');
  const nanos = BigInt(m[2] || '0') * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
  return Number(m[1] === '-' ? -nanos : nanos);
}

const ULIMIT_NAMES = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
]);

function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing "${s}": invalid syntax`);
  return Number(s);
}

/** go-units ParseUlimit: `nofile=1024:2048` or `nproc=512` (hard = soft). */
export function parseUlimit(s: string): { Name: string; Soft: number; Hard: number } {
  const eq = s.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${s}`);
  const name = s.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const vals = s.slice(eq + 1).split(':');
  const soft = parseInt64(vals[0]!);
  const hard = vals.length >= 2 ? parseInt64(vals.slice(1).join(':')) : soft;
  if (soft > hard) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}

export type RestartName = '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';

/** docker's opts.ParseRestartPolicy; the daemon validates the name. `on-failure:3` sets the retry count. */
export function parseRestartPolicy(s: string): { Name: RestartName; MaximumRetryCount?: number } {
  if (s === '') return { Name: '' };
  const i = s.indexOf(':');
  const k = i >= 0 ? s.slice(0, i) : s;
  const v = i >= 0 ? s.slice(i + 1) : '';
  if (i >= 0 && k === '') throw new Error('invalid restart policy format: no policy provided before colon');
  const out: { Name: RestartName; MaximumRetryCount?: number } = { Name: k as RestartName };
  if (v !== '') {
    if (!/^[+-]?\d+$/.test(v)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
    out.MaximumRetryCount = Number(v);
  }
  return out;
}

/** `-e KEY=v` stays; a bare `-e KEY` takes the value from the local environment if set (docker's ValidateEnv). */
export function resolveEnvFlag(v: string, lookup: (k: string) => string | undefined): string {
  const eq = v.indexOf('=');
  const k = eq >= 0 ? v.slice(0, eq) : v;
  if (k === '') throw new Error(`invalid environment variable: ${v}`);
  if (eq >= 0) return v;
  const local = lookup(k);
  return local !== undefined ? `${k}=${local}` : v;
}

/**
 * docker's kvfile parser for --env-file and --label-file: `#` comments and blank lines skipped, leading
 * whitespace trimmed, a BOM dropped, `KEY` alone takes the local value (or is left out when unset).
 */
export function parseKvFile(text: string, lookup: ((k: string) => string | undefined) | null): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (const raw of lines) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq >= 0 ? line.slice(0, eq) : line;
    if (key === '') throw new Error(`no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw new Error(`variable '${key}' contains whitespaces`);
    if (eq >= 0) {
      out.push(line);
      continue;
    }
    if (lookup) {
      const v = lookup(line);
      if (v !== undefined) out.push(`${key}=${v}`);
    }
  }
  return out;
}

/** docker's ConvertKVStringsToMap: `k=v` -> {k: v}, `k` -> {k: ""}. */
export function kvToMap(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i < 0) out[v] = '';
    else out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

/** docker's ValidateLabel. */
export function validateLabel(v: string): string {
  const key = v.split('=')[0]!.replace(/^[ \t\n\v\f\r]+/, '');
  if (key === '') throw new Error(`invalid label '${v}': empty name`);
  if (/[ \t\n\v\f\r]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return v;
}
