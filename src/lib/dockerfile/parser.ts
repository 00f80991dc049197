// The Dockerfile parser: text -> directives and instructions, with no I/O. What Docker's parser does
// (moby/buildkit frontend/dockerfile/parser), written from its documented behaviour:
// - a UTF-8 BOM is dropped; CRLF is read as LF;
// - parser directives (`# escape=`, `# syntax=`, `# check=`) only at the very top: the first line that
//   is not a directive comment (an empty line too) ends them; a repeated directive is an error;
// - lines whose first non-blank character is `#` are comments, also in the middle of a continuation;
//   empty lines inside a continuation are skipped;
// - the escape character (`\` or `` ` ``) at the end of a line continues the instruction;
// - instructions are KEYWORD args; unknown keywords fail with `unknown instruction: X` naming the line;
// - leading `--flag` / `--flag=value` words of ADD, COPY, FROM, RUN and HEALTHCHECK are flags;
// - heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`) on RUN, COPY and ADD take the lines up to their terminator
//   verbatim (no comment or continuation processing);
// - arguments starting with `[` that parse as a JSON array of strings are the exec (JSON) form.
import { DockerfileParseError, parseJsonForm } from './instruction.js';

export const KEYWORDS = [
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer',
  'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

const FLAG_KEYWORDS = new Set(['add', 'copy', 'from', 'run', 'healthcheck']);
const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);

export interface Heredoc {
  /** The terminator word (EOF). */
  name: string;
  /** The lines between the marker line and the terminator, each ending in "\n". */
  content: string;
  /** False when the terminator was quoted (`<<"EOF"`, `<<'EOF'`): no variable expansion. */
  expand: boolean;
}

export interface Flag {
  name: string;
  /** null for a bare `--flag`. */
  value: string | null;
}

export interface ParsedInstruction {
  keyword: Keyword;
  /** Flags in order (an instruction may repeat one, e.g. `--mount`). */
  flags: Flag[];
  /** The arguments after the flags, continuation lines joined, trimmed. */
  args: string;
  /** The exec form when the arguments are a JSON array of strings. */
  json: string[] | null;
  heredocs: Heredoc[];
  /** The instruction as written, continuations joined (for ONBUILD and messages). */
  original: string;
  /** 1-based first and last line. */
  line: number;
  endLine: number;
}

export interface ParsedDockerfile {
  escape: string;
  syntax?: string;
  instructions: ParsedInstruction[];
  /** Warnings Docker prints (empty continuation lines). */
  warnings: string[];
}

const DIRECTIVE_RE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);

/** Splits source text into lines (BOM dropped, CRLF/CR normalised). */
function lines(text: string): string[] {
  let t = text;
  if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
  return t.replace(/\r\n?/g, '\n').split('\n');
}

/** Heredoc markers in a line: `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`. */
export function heredocMarkers(s: string): { name: string; chomp: boolean; expand: boolean }[] {
  const out: { name: string; chomp: boolean; expand: boolean }[] = [];
  const re = /<<(-?)(?:"([A-Za-z_][A-Za-z0-9_]*)"|'([A-Za-z_][A-Za-z0-9_]*)'|([A-Za-z_][A-Za-z0-9_]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const name = m[2] ?? m[3] ?? m[4]!;
    out.push({ name, chomp: m[1] === '-', expand: m[4] !== undefined });
  }
  return out;
}

/** Leading `--name[=value]` words (a bare `--` ends them); returns flags and the rest. */
export function splitFlags(args: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  let rest = args;
  for (;;) {
    const m = /^--([^\s=]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
    if (m[1] === '') break; // "--" alone ends the flags
    flags.push({ name: m[1]!, value: m[2] ?? null });
  }
  return { flags, rest: rest.trim() };
}

/** Parses a whole Dockerfile. Throws DockerfileParseError naming the line. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const src = lines(text);
  let escape = '\\';
  let syntax: string | undefined;
  const warnings: string[] = [];
  const seen = new Set<string>();
  let i = 0;
  // Directives: only while every line so far is one.
  for (; i < src.length; i++) {
    const m = DIRECTIVE_RE.exec(src[i]!.trim());
    if (!m || !KNOWN_DIRECTIVES.has(m[1]!.toLowerCase())) break;
    const name = m[1]!.toLowerCase();
    if (seen.has(name)) throw new DockerfileParseError(`only one ${name} parser directive can be used`, i + 1);
    seen.add(name);
    if (name === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new DockerfileParseError(`invalid escape token '${m[2]}' does not match ` + '` or \\', i + 1);
      escape = m[2]!;
    } else if (name === 'syntax') syntax = m[2];
  }
  const contRe = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const instructions: ParsedInstruction[] = [];
  for (; i < src.length; i++) {
    const first = src[i]!;
    const t = first.trim();
    if (t === '' || t.startsWith('#')) continue;
    const start = i;
    let joined = '';
    let cur = first.replace(/^\s+/, '');
    let emptyContinuation = false;
    // Continuations: the escape at the end of a line joins the next non-comment line.
    while (contRe.test(cur)) {
      joined += cur.replace(contRe, '');
      let next: string | undefined;
      for (i++; i < src.length; i++) {
        const l = src[i]!;
        if (l.trim().startsWith('#')) continue;
        if (l.trim() === '') {
          emptyContinuation = true;
          continue;
        }
        next = l;
        break;
      }
      if (next === undefined) {
        cur = '';
        break;
      }
      cur = next;
    }
    joined += cur;
    if (emptyContinuation) warnings.push(`[WARNING]: Empty continuation line found in: ${joined.trim()}`);
    const original = joined.trim();
    const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(original);
    if (!m) continue;
    const word = m[1]!;
    const keyword = word.toLowerCase() as Keyword;
    if (!(KEYWORDS as readonly string[]).includes(keyword)) {
      throw new DockerfileParseError(`unknown instruction: ${word.toUpperCase()}`, start + 1);
    }
    let args = (m[2] ?? '').trim();
    let flags: Flag[] = [];
    if (FLAG_KEYWORDS.has(keyword)) ({ flags, rest: args } = splitFlags(args));
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword) && !args.startsWith('[')) {
      for (const mk of heredocMarkers(args)) {
        let content = '';
        let closed = false;
        for (i++; i < src.length; i++) {
          const l = src[i]!;
          const body = mk.chomp ? l.replace(/^\t+/, '') : l;
          if (body === mk.name) {
            closed = true;
            break;
          }
          content += body + '\n';
        }
        if (!closed) throw new DockerfileParseError(`unterminated heredoc ${mk.name}`, start + 1);
        heredocs.push({ name: mk.name, content, expand: mk.expand });
      }
    }
    instructions.push({ keyword, flags, args, json: heredocs.length ? null : parseJsonForm(args), heredocs, original, line: start + 1, endLine: i + 1 });
  }
  return { escape, ...(syntax !== undefined ? { syntax } : {}), instructions, warnings };
}
