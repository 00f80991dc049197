// The functions a --format template may call: Go text/template's builtins (index, len, printf, eq, ...)
// and the ones the docker CLI adds (json, join, split, title, lower, upper, pad, truncate), plus the
// header variants docker swaps in when it renders a table's header row.
import { formatValue, goTypeName, sprint, sprintf, sprintln } from './go-fmt.js';

/** A failure inside a function; the executor reports it as Go does: "error calling NAME: MSG". */
export class FuncError extends Error {}
/** An argument of the wrong type; reported without the "error calling" prefix, as Go's reflection does. */
export class ArgError extends Error {}

export interface FuncDef {
  /** Fixed number of parameters, or the minimum for a variadic function. */
  arity: number;
  variadic?: boolean;
  call(args: unknown[]): unknown;
}

export type FuncMap = Record<string, FuncDef>;

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false; a missing value too. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'function') return true;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) throw new ArgError('invalid value; expected string');
  if (v === null || Array.isArray(v) || typeof v === 'object') throw new ArgError(`wrong type for value; expected string; got ${goTypeName(v)}`);
  // Numbers and booleans are printed rather than refused: our data is JSON, where Docker's typed
  // string fields and its numbers look alike.
  return formatValue(v);
}

function int(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (v === undefined) throw new ArgError('invalid value; expected int');
  throw new ArgError(`wrong type for value; expected int; got ${goTypeName(v)}`);
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function index(item: unknown, keys: unknown[]): unknown {
  for (const key of keys) {
    if (Array.isArray(item) || typeof item === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new FuncError(`cannot index slice/array with type ${goTypeName(key)}`);
      const len = typeof item === 'string' ? utf8(item).length : item.length;
      if (key < 0 || key >= len) throw new FuncError(`index out of range: ${key}`);
      item = typeof item === 'string' ? utf8(item)[key] : item[key];
    } else if (item === undefined) {
      throw new FuncError('index of untyped nil');
    } else if (item === null) {
      // A JSON null stands for Docker's nil map (Labels, Options): indexing it gives the zero value.
      if (typeof key !== 'string') throw new FuncError(`index out of range: ${formatValue(key)}`);
      item = '';
    } else if (typeof item === 'object') {
      if (typeof key !== 'string') throw new FuncError(`value has type ${goTypeName(key)}; should be string`);
      const o = item as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(o, key)) item = o[key];
      else {
        // Go returns the element type's zero value for a missing key: "" for Docker's
        // map[string]string fields (labels, options), nothing for maps of structs.
        const vals = Object.values(o);
        item = vals.every((x) => typeof x === 'string') ? '' : undefined;
      }
    } else {
      throw new FuncError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

function sliceOf(item: unknown, idx: unknown[]): unknown {
  if (idx.length > 3) throw new FuncError(`too many slice indexes: ${idx.length}`);
  if (typeof item !== 'string' && !Array.isArray(item)) {
    if (item === undefined || item === null) throw new FuncError('slice of untyped nil');
    throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
  }
  if (typeof item === 'string' && idx.length === 3) throw new FuncError('cannot 3-index slice a string');
  const len = item.length;
  const ns = idx.map((i) => {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw new FuncError(`cannot index slice/array with type ${goTypeName(i)}`);
    if (i < 0 || i > len) throw new FuncError(`index out of range: ${i}`);
    return i;
  });
  const from = ns[0] ?? 0;
  const to = ns[1] ?? len;
  if (from > to) throw new FuncError(`invalid slice index: ${from} > ${to}`);
  return item.slice(from, to);
}

function basicKind(v: unknown): 'number' | 'string' | 'bool' | 'nil' | 'other' {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'other';
}

function eq(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || kb === 'other') throw new FuncError(`non-comparable type ${formatValue(ka === 'other' ? a : b)}: ${goTypeName(ka === 'other' ? a : b)}`);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  return a === b;
}

function less(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'bool' || ka === 'nil' || ka === 'other') throw new FuncError('invalid type for comparison');
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}

/** The text of the escaping functions' arguments: a lone string as is, else fmt.Sprint. */
function evalArgsText(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if ('<>&='.includes(ch)) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else if (c < 0x20) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

/** url.QueryEscape: spaces become '+', everything but unreserved characters is %XX-escaped. */
function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** strings.Title's word boundaries: ASCII other than letters, digits and '_', and Unicode spaces. */
function isTitleSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

/** strings.Title: upper-cases the first letter of each word. */
export function goTitle(s: string): string {
  let prevSep = true;
  let out = '';
  for (const ch of s) {
    out += prevSep ? ch.toUpperCase() : ch;
    prevSep = isTitleSeparator(ch);
  }
  return out;
}

/** encoding/json as docker's `json` function runs it (no HTML escaping, no trailing newline). */
export function goJson(v: unknown): string {
  const s = JSON.stringify(v === undefined ? null : v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  // Go escapes the two JavaScript line terminators; JSON.stringify leaves them raw.
  return (s ?? 'null').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const fixed = (arity: number, call: (args: unknown[]) => unknown): FuncDef => ({ arity, call });
const variadic = (arity: number, call: (args: unknown[]) => unknown): FuncDef => ({ arity, variadic: true, call });

/** Go's builtins. `and`/`or` are listed for parse-time checks; the executor evaluates them lazily. */
export const builtinFuncs: FuncMap = {
  and: variadic(1, (a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1]),
  or: variadic(1, (a) => a.find((x) => isTrue(x)) ?? a[a.length - 1]),
  not: fixed(1, ([x]) => !isTrue(x)),
  len: fixed(1, ([x]) => {
    if (typeof x === 'string') return utf8(x).length;
    if (Array.isArray(x)) return x.length;
    if (x === null) return 0;
    if (x !== undefined && typeof x === 'object') return Object.keys(x).length;
    if (x === undefined) throw new FuncError('len of untyped nil');
    throw new FuncError(`len of type ${goTypeName(x)}`);
  }),
  index: variadic(1, ([item, ...keys]) => index(item, keys)),
  slice: variadic(1, ([item, ...idx]) => sliceOf(item, idx)),
  print: variadic(0, (a) => sprint(a)),
  printf: variadic(1, ([f, ...a]) => sprintf(str(f), a)),
  println: variadic(0, (a) => sprintln(a)),
  eq: variadic(2, ([a, ...rest]) => rest.some((b) => eq(a, b))),
  ne: fixed(2, ([a, b]) => !eq(a, b)),
  lt: fixed(2, ([a, b]) => less(a, b)),
  le: fixed(2, ([a, b]) => less(a, b) || eq(a, b)),
  gt: fixed(2, ([a, b]) => less(b, a)),
  ge: fixed(2, ([a, b]) => less(b, a) || eq(a, b)),
  html: variadic(0, (a) => htmlEscape(evalArgsText(a))),
  js: variadic(0, (a) => jsEscape(evalArgsText(a))),
  urlquery: variadic(0, (a) => queryEscape(evalArgsText(a))),
  call: variadic(1, ([fn, ...a]) => {
    if (typeof fn !== 'function') throw new FuncError(`non-function of type ${goTypeName(fn)}`);
    return (fn as (...x: unknown[]) => unknown)(...a);
  }),
};

/** The functions docker's CLI adds (cli/templates). */
export const dockerFuncs: FuncMap = {
  json: fixed(1, ([v]) => goJson(v)),
  split: fixed(2, ([s, sep]) => {
    const t = str(s);
    const p = str(sep);
    // strings.Split with an empty separator splits into characters; "" gives no elements.
    return p === '' ? [...t] : t.split(p);
  }),
  join: fixed(2, ([list, sep]) => {
    if (!Array.isArray(list)) {
      if (list === null) return '';
      throw new ArgError(`wrong type for value; expected []string; got ${goTypeName(list)}`);
    }
    return list.map(formatValue).join(str(sep));
  }),
  title: fixed(1, ([s]) => goTitle(str(s))),
  lower: fixed(1, ([s]) => str(s).toLowerCase()),
  upper: fixed(1, ([s]) => str(s).toUpperCase()),
  pad: fixed(3, ([s, pre, post]) => {
    const t = str(s);
    return t === '' ? t : ' '.repeat(Math.max(int(pre), 0)) + t + ' '.repeat(Math.max(int(post), 0));
  }),
  truncate: fixed(2, ([s, n]) => {
    const t = str(s);
    const len = int(n);
    const chars = [...t];
    return chars.length < len ? t : chars.slice(0, Math.max(len, 0)).join('');
  }),
};

/**
 * docker renders a table's header by running the row template over a map of column titles with
 * these functions swapped in, so `{{upper .Name}}` or `{{json .Labels}}` still print the title.
 */
export const headerFuncs: FuncMap = {
  json: fixed(1, ([v]) => v),
  split: fixed(2, ([v]) => v),
  join: fixed(2, ([v]) => v),
  title: fixed(1, ([v]) => v),
  lower: fixed(1, ([v]) => v),
  upper: fixed(1, ([v]) => v),
  pad: fixed(3, ([v]) => v),
  truncate: fixed(2, ([v]) => v),
};

export const defaultFuncs: FuncMap = { ...builtinFuncs, ...dockerFuncs };
