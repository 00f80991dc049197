// Go's fmt package as text/template uses it, over JSON-like values: %v printing of maps, slices and
// numbers, Sprint/Sprintln spacing, and a Printf with Go's verbs, flags and "%!d(string=x)" errors.
// Numbers: an integer-valued number prints as a Go int would (the Engine API's typed int fields), any
// other number as a float64 (%v is strconv's shortest %g: 1.5, 1e+06 never appears for integers).

/** Go's name for the dynamic type of a JSON-like value, for error messages and bad-verb output. */
export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'function') return 'func';
  return 'map[string]interface {}';
}

/** Map keys in the order fmt prints them (sorted since Go 1.12). */
export function sortedKeys(o: object): string[] {
  return Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** %v of one value, as fmt.Sprint prints it (nil inside composites prints <nil>). */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (typeof v === 'function') return `0x0`;
  if (v instanceof Date) return v.toISOString();
  const o = v as Record<string, unknown>;
  return `map[${sortedKeys(o)
    .map((k) => `${k}:${formatValue(o[k])}`)
    .join(' ')}]`;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return formatG(n, -1, false);
}

/**
 * The exact decimal expansion of a positive double, as digits and the exponent of the first digit.
 * toPrecision(100) is exact for every double whose expansion ends within 100 digits, which covers
 * every case where a tie (…5000…) can matter.
 */
function exactDigits(a: number): { digits: string; exp: number } {
  const [mant, e] = a.toPrecision(100).split('e') as [string, string | undefined];
  const [ip, fp = ''] = mant.split('.') as [string, string | undefined];
  let digits = ip + fp;
  let exp = ip.length - 1 + (e ? Number(e) : 0);
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead);
  exp -= lead;
  return { digits: digits.replace(/0+$/, '') || '0', exp };
}

/** Rounds a digit string to n significant digits, half to even as strconv does (n may be <= 0). */
function roundDigits(digits: string, exp: number, n: number): { digits: string; exp: number } {
  if (digits.length <= n) return { digits: digits.padEnd(Math.max(n, 0), '0'), exp };
  const kept = n > 0 ? digits.slice(0, n) : '';
  const rest = n >= 0 ? digits.slice(n) : '0'.repeat(-n) + digits;
  let up: boolean;
  if (rest[0]! > '5') up = true;
  else if (rest[0]! < '5') up = false;
  else if (/[1-9]/.test(rest.slice(1))) up = true;
  else up = kept.length > 0 && Number(kept[kept.length - 1]) % 2 === 1;
  if (!up) return kept ? { digits: kept, exp } : { digits: '', exp };
  // Add one in the last kept place, carrying.
  const arr = kept.split('').map(Number);
  let i = arr.length - 1;
  while (i >= 0 && arr[i] === 9) arr[i--] = 0;
  if (i >= 0) {
    arr[i]!++;
    return { digits: arr.join(''), exp };
  }
  return { digits: '1' + arr.join(''), exp: exp + 1 };
}

/** Decimal digits and exponent of |x| rounded to `prec` significant digits (-1 = shortest). */
function decimalDigits(x: number, prec: number): { digits: string; exp: number } {
  const a = Math.abs(x);
  if (prec < 0) {
    // JavaScript's shortest round-trip digits are the same as strconv's shortest.
    const [mant, e] = a.toExponential().split('e') as [string, string];
    return { digits: mant.replace('.', ''), exp: Number(e) };
  }
  const ex = exactDigits(a);
  const r = roundDigits(ex.digits, ex.exp, Math.max(prec, 1));
  return { digits: r.digits.slice(0, Math.max(prec, 1)), exp: r.exp };
}

function expSuffix(exp: number, upper: boolean): string {
  const a = Math.abs(exp);
  return `${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return null;
}

/** strconv.FormatFloat(x, 'g', prec, 64); `sharp` keeps trailing zeros as fmt's %#g does. */
export function formatG(x: number, prec: number, sharp = false, upper = false): string {
  const nf = nonFinite(x);
  if (nf) return nf;
  if (prec === 0) prec = 1;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return sign + (sharp ? '0.' + '0'.repeat((prec < 0 ? 6 : prec) - 1) : '0');
  const r = decimalDigits(x, prec);
  const trimmed = r.digits.replace(/0+$/, '') || '0';
  const exp = r.exp;
  const nd = trimmed.length;
  // Go: %e when the exponent is < -4 or >= eprec; the shortest form decides with 6.
  let eprec = prec;
  if (eprec > nd && nd >= exp + 1) eprec = nd;
  if (prec < 0) eprec = 6;
  const d = sharp ? trimmed.padEnd(prec < 0 ? 6 : prec, '0') : trimmed;
  if (exp < -4 || exp >= eprec) {
    const mant = d.length > 1 ? `${d[0]}.${d.slice(1)}` : d;
    return sign + mant + expSuffix(exp, upper);
  }
  let out: string;
  if (exp < 0) out = `0.${'0'.repeat(-exp - 1)}${d}`;
  else if (d.length <= exp + 1) out = d.padEnd(exp + 1, '0') + (sharp && d.length <= exp + 1 ? '.' : '');
  else out = `${d.slice(0, exp + 1)}.${d.slice(exp + 1)}`;
  return sign + out;
}

/** strconv.FormatFloat(x, 'e', prec, 64). */
export function formatE(x: number, prec: number, upper = false): string {
  const nf = nonFinite(x);
  if (nf) return nf;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0${prec > 0 ? '.' + '0'.repeat(prec) : ''}${expSuffix(0, upper)}`;
  const { digits, exp } = decimalDigits(x, prec + 1);
  const mant = prec > 0 ? `${digits[0]}.${digits.slice(1)}` : digits[0]!;
  return sign + mant + expSuffix(exp, upper);
}

/** strconv.FormatFloat(x, 'f', prec, 64), rounding half to even on exact ties as Go does. */
export function formatF(x: number, prec: number): string {
  const nf = nonFinite(x);
  if (nf) return nf;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const frac = (d: string) => (prec > 0 ? '.' + d : '');
  if (x === 0) return sign + '0' + frac('0'.repeat(prec));
  const ex = exactDigits(Math.abs(x));
  const r = roundDigits(ex.digits, ex.exp, ex.exp + 1 + prec);
  if (r.digits === '') return sign + '0' + frac('0'.repeat(prec));
  // r.digits holds the significant digits down to the 10^-prec place; lay them out around the point.
  const all = r.digits.padEnd(r.exp + 1 + prec, '0');
  const intLen = r.exp + 1;
  if (intLen <= 0) return sign + '0' + frac('0'.repeat(-intLen) + all);
  return sign + all.slice(0, intLen) + frac(all.slice(intLen));
}

/** strconv.Quote: a double-quoted Go string literal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0x80 && c < 0xa0) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces between operands, and a newline. */
export function sprintln(args: unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width: number | undefined;
  prec: number | undefined;
  verb: string;
}

const runeLength = (s: string) => [...s].length;

function pad(s: string, spec: Spec, numeric = false): string {
  const w = spec.width;
  if (w === undefined) return s;
  const n = runeLength(s);
  if (n >= w) return s;
  if (spec.minus) return s + ' '.repeat(w - n);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(w - n) + s.slice(sign.length);
  }
  if (spec.zero && !numeric) return '0'.repeat(w - n) + s;
  return ' '.repeat(w - n) + s;
}

function badVerb(spec: Spec, v: unknown): string {
  if (v === undefined || v === null) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${goTypeName(v)}=${formatValue(v)})`;
}

function signed(s: string, neg: boolean, spec: Spec): string {
  if (neg) return '-' + s;
  if (spec.plus) return '+' + s;
  if (spec.space) return ' ' + s;
  return s;
}

function fmtInteger(n: number, spec: Spec): string {
  const neg = n < 0;
  const a = Math.abs(n);
  let body: string;
  switch (spec.verb) {
    case 'd':
      body = a.toFixed(0);
      break;
    case 'x':
    case 'X':
      body = a.toString(16);
      if (spec.verb === 'X') body = body.toUpperCase();
      if (spec.sharp) body = (spec.verb === 'X' ? '0X' : '0x') + body;
      break;
    case 'o':
      body = a.toString(8);
      if (spec.sharp) body = '0' + body;
      break;
    case 'O':
      body = '0o' + a.toString(8);
      break;
    case 'b':
      body = a.toString(2);
      break;
    default:
      body = a.toFixed(0);
  }
  if (spec.prec !== undefined) body = body.padStart(spec.prec, '0');
  return pad(signed(body, neg, spec), spec, spec.prec === undefined);
}

function fmtFloat(x: number, spec: Spec): string {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let body: string;
  switch (spec.verb) {
    case 'e':
    case 'E':
      body = formatE(a, spec.prec ?? 6, spec.verb === 'E');
      break;
    case 'f':
    case 'F':
      body = formatF(a, spec.prec ?? 6);
      break;
    case 'g':
    case 'G':
      body = formatG(a, spec.prec ?? -1, spec.sharp, spec.verb === 'G');
      break;
    default: // 'v'
      body = Number.isInteger(x) ? a.toFixed(0) : formatG(a, spec.prec ?? -1, spec.sharp);
  }
  const numeric = Number.isFinite(x);
  return pad(signed(body, neg && !Number.isNaN(x), spec), spec, numeric);
}

function hexOfString(s: string, spec: Spec): string {
  const hex = [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join(spec.space ? ' ' : '');
  return spec.verb === 'X' ? hex.toUpperCase() : hex;
}

/** Formats one operand with one verb, recursing into slices and maps as fmt does. */
function fmtOne(v: unknown, spec: Spec): string {
  const verb = spec.verb;
  // Slices and maps apply the verb (and width) to each element, as fmt's printValue does.
  if (Array.isArray(v)) return `[${v.map((e) => fmtOne(e, spec)).join(' ')}]`;
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    return `map[${sortedKeys(o).map((k) => `${fmtOne(k, spec)}:${fmtOne(o[k], spec)}`).join(' ')}]`;
  }
  switch (verb) {
    case 'v':
      if (typeof v === 'number') return fmtFloat(v, spec);
      if (typeof v === 'string') return pad(spec.prec !== undefined ? [...v].slice(0, spec.prec).join('') : v, spec);
      return pad(formatValue(v), spec);
    case 's':
      if (typeof v === 'string') return pad(spec.prec !== undefined ? [...v].slice(0, spec.prec).join('') : v, spec);
      if (typeof v === 'boolean' || typeof v === 'number' || v === null || v === undefined) return badVerb(spec, v);
      return pad(formatValue(v), spec);
    case 'q':
      if (typeof v === 'string') return pad(spec.sharp && !v.includes('`') ? '`' + v + '`' : goQuote(v), spec);
      if (typeof v === 'number' && Number.isInteger(v)) return pad(`'${String.fromCodePoint(v)}'`, spec);
      return badVerb(spec, v);
    case 't':
      return typeof v === 'boolean' ? pad(String(v), spec) : badVerb(spec, v);
    case 'd':
    case 'o':
    case 'O':
    case 'b':
      if (typeof v === 'number' && Number.isInteger(v)) return fmtInteger(v, spec);
      if (verb === 'b' && typeof v === 'number') return badVerb(spec, v);
      return badVerb(spec, v);
    case 'c':
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return pad(String.fromCodePoint(v), spec);
      return badVerb(spec, v);
    case 'U':
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return pad('U+' + v.toString(16).toUpperCase().padStart(4, '0'), spec);
      return badVerb(spec, v);
    case 'x':
    case 'X':
      if (typeof v === 'string') return pad(hexOfString(v, spec), spec);
      if (typeof v === 'number' && Number.isInteger(v)) return fmtInteger(v, spec);
      return badVerb(spec, v);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      // An integral JSON number may stand for a Go float64 field (2.0 arrives as 2), so float verbs
      // accept it rather than printing Go's %!f(int=2).
      if (typeof v === 'number') return fmtFloat(v, spec);
      return badVerb(spec, v);
    default:
      return `%!${verb}(${goTypeName(v)}=${formatValue(v)})`;
  }
}

/** fmt.Sprintf over JSON-like operands. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, zero: false, space: false, width: undefined, prec: undefined, verb: '' };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === '0') spec.zero = !spec.minus;
      else if (c === ' ') spec.space = true;
      else break;
    }
    if (format[i] === '*') {
      const w = args[argi++];
      spec.width = typeof w === 'number' ? Math.trunc(w) : undefined;
      if (spec.width !== undefined && spec.width < 0) {
        spec.minus = true;
        spec.width = -spec.width;
      }
      i++;
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
      }
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        const p = args[argi++];
        spec.prec = typeof p === 'number' ? Math.trunc(p) : 0;
        i++;
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    spec.verb = verb;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += fmtOne(args[argi++], spec);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`))
      .join(', ')})`;
  }
  return out;
}
