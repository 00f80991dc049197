// Word splitting of instruction arguments as Docker's parser does it for ENV, LABEL, EXPOSE and VOLUME:
// whitespace separates words except inside single or double quotes; a backslash escapes the next
// character (outside single quotes). Quotes are removed from the result.
import { DockerfileParseError } from './instruction.js';

export function splitWords(s: string, escape = '\\'): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === escape && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === escape && i + 1 < s.length) cur += s[++i];
    else cur += ch;
  }
  if (quote) throw new DockerfileParseError(`unmatched ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord) words.push(cur);
  return words;
}

/**
 * ENV/LABEL arguments as name/value pairs: the "k=v k2=v2" form, or the legacy "k value with spaces"
 * form (first word has no "="). `instr` names the instruction in errors, as Docker's messages do.
 */
export function parseNameValues(args: string, instr: string): [string, string][] {
  const raw = args.trim();
  if (raw === '') throw new DockerfileParseError(`${instr} requires at least one argument`);
  const firstWordEnd = raw.search(/\s/);
  const firstWord = firstWordEnd === -1 ? raw : raw.slice(0, firstWordEnd);
  if (!firstWord.includes('=')) {
    // Legacy form: NAME VALUE (the rest of the line, one value).
    if (firstWordEnd === -1) throw new DockerfileParseError(`${instr} must have two arguments`);
    const value = splitWords(raw.slice(firstWordEnd)).join(' ');
    return [[firstWord, value]];
  }
  const out: [string, string][] = [];
  for (const w of splitWords(raw)) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new DockerfileParseError(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    out.push([w.slice(0, eq), w.slice(eq + 1)]);
  }
  return out;
}
