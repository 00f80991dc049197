// Word processing of instruction arguments as Docker's shell-word lexer does it for ENV, LABEL,
// EXPOSE, VOLUME, WORKDIR, USER and STOPSIGNAL: whitespace separates words except inside quotes; a
// backslash (the escape character) escapes the next character outside single quotes; quotes are
// removed; and, given an environment, `$VAR`, `${VAR}`, `${VAR:-word}` and `${VAR:+word}` are expanded
// outside single quotes (an expansion never splits a word). The builder reuses this for its own
// substitution rules.
import { DockerfileParseError } from './instruction.js';

export type Env = ReadonlyMap<string, string>;

export interface WordOptions {
  escape?: string;
  /** Expand variables from this environment; without it `$` is literal. */
  env?: Env;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Environment map from Docker's `KEY=value` list (the last definition wins). */
export function envMap(list: readonly string[] | null | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of list ?? []) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
    else if (i === -1) m.set(e, '');
  }
  return m;
}

/** Reads a `$...` expansion at s[i] === '$'; returns the value and the index after it. */
function expandAt(s: string, i: number, env: Env, escape: string): { value: string; next: number } {
  const c = s[i + 1];
  if (c === undefined) return { value: '$', next: i + 1 };
  if (c === '{') {
    let j = i + 2;
    let name = '';
    while (j < s.length && NAME_CHAR.test(s[j]!)) name += s[j++];
    if (!name) throw new DockerfileParseError(`missing variable name in ${s.slice(i)}`);
    if (s[j] === '}') return { value: env.get(name) ?? '', next: j + 1 };
    // ${VAR:-word} ${VAR-word} ${VAR:+word} ${VAR+word} ${VAR:?msg} ${VAR?msg}: with the colon an
    // empty value counts as unset (POSIX, as Docker's lexer).
    const colon = s[j] === ':';
    const op = s[colon ? j + 1 : j];
    if (op === '-' || op === '+' || op === '?') {
      const wordStart = colon ? j + 2 : j + 1;
      // The word runs to the matching close brace; nested ${...} are allowed.
      let depth = 1;
      let k = wordStart;
      for (; k < s.length; k++) {
        if (s[k] === escape) k++;
        else if (s[k] === '{') depth++;
        else if (s[k] === '}' && --depth === 0) break;
      }
      if (depth !== 0) throw new DockerfileParseError(`missing '}' in ${s.slice(i)}`);
      const word = processWord(s.slice(wordStart, k), { env, escape });
      const v = env.get(name);
      const set = v !== undefined && (!colon || v !== '');
      if (op === '?') {
        if (!set) throw new DockerfileParseError(`${name}: ${word || 'is not allowed to be unset'}`);
        return { value: v!, next: k + 1 };
      }
      return { value: op === '-' ? (set ? v! : word) : set ? word : '', next: k + 1 };
    }
    throw new DockerfileParseError(`unsupported modifier in ${s.slice(i, j + 2)}`);
  }
  if (NAME_START.test(c)) {
    let j = i + 1;
    let name = '';
    while (j < s.length && NAME_CHAR.test(s[j]!)) name += s[j++];
    return { value: env.get(name) ?? '', next: j };
  }
  return { value: '$', next: i + 1 };
}

/** The lexer: words with quotes removed, escapes applied, variables expanded (when `env` is given). */
function lex(s: string, o: WordOptions, split: boolean): string[] {
  const escape = o.escape ?? '\\';
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else cur += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === escape && i + 1 < s.length) {
        // Inside double quotes the escape only quotes ", $ and itself; before anything else it stays.
        const n = s[i + 1]!;
        if (n === '"' || n === '$' || n === escape) cur += s[++i];
        else cur += ch;
      } else if (ch === '$' && o.env) {
        const { value, next } = expandAt(s, i, o.env, escape);
        cur += value;
        i = next - 1;
      } else cur += ch;
      continue;
    }
    if (split && /\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === escape && i + 1 < s.length) cur += s[++i];
    else if (ch === '$' && o.env) {
      const { value, next } = expandAt(s, i, o.env, escape);
      cur += value;
      i = next - 1;
    } else cur += ch;
  }
  if (quote) throw new DockerfileParseError(`unmatched ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord || !split) words.push(cur);
  return words;
}

/** Splits into words (quotes removed, escapes applied, variables expanded when `env` is given). */
export function splitWords(s: string, opts: WordOptions | string = {}): string[] {
  return lex(s, typeof opts === 'string' ? { escape: opts } : opts, true);
}

/** The whole string as one word (whitespace kept), with the same quoting, escapes and expansion. */
export function processWord(s: string, opts: WordOptions = {}): string {
  return lex(s, opts, false)[0]!;
}

/**
 * ENV/LABEL arguments as name/value pairs: the "k=v k2=v2" form, or the legacy "k value with spaces"
 * form (first word has no "="). `instr` names the instruction in errors, as Docker's messages do.
 */
export function parseNameValues(args: string, instr: string, opts: WordOptions = {}): [string, string][] {
  const raw = args.trim();
  if (raw === '') throw new DockerfileParseError(`${instr} requires at least one argument`);
  const firstWordEnd = raw.search(/\s/);
  const firstWord = firstWordEnd === -1 ? raw : raw.slice(0, firstWordEnd);
  if (!firstWord.includes('=')) {
    // Legacy form: NAME VALUE (the rest of the line, one value).
    if (firstWordEnd === -1) throw new DockerfileParseError(`${instr} must have two arguments`);
    const value = splitWords(raw.slice(firstWordEnd), opts).join(' ');
    return [[firstWord, value]];
  }
  const out: [string, string][] = [];
  for (const w of splitWords(raw, opts)) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new DockerfileParseError(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    out.push([w.slice(0, eq), w.slice(eq + 1)]);
  }
  return out;
}
