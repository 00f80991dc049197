// One Dockerfile instruction as text -> keyword and arguments, with the JSON (exec) form recognised as
// Docker's parser does: arguments that start with "[" and parse as a JSON array of strings are the exec
// form; anything else is the shell form. The full Dockerfile parser (comments, continuations,
// directives, heredocs) will sit on top of this and produce the same Instruction values.

export class DockerfileParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line !== undefined ? `dockerfile parse error on line ${line}: ${message}` : message);
  }
}

export interface Instruction {
  /** Lower-case keyword ("cmd", "env"...). */
  keyword: string;
  /** The text after the keyword, trimmed. */
  args: string;
  /** The exec form's array when the arguments are a JSON array of strings. */
  json: string[] | null;
  /** The instruction as written (trimmed), for history and ONBUILD. */
  original: string;
  line?: number;
}

/** The exec form: a JSON array of strings, or null when the text is not one (then it is shell form). */
export function parseJsonForm(args: string): string[] | null {
  const t = args.trim();
  if (!t.startsWith('[')) return null;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return null;
  return v as string[];
}

/** Splits "KEYWORD args" into an Instruction. */
export function parseInstruction(text: string, line?: number): Instruction {
  const original = text.trim();
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(original);
  if (!m) throw new DockerfileParseError('empty instruction', line);
  const keyword = m[1]!.toLowerCase();
  const args = (m[2] ?? '').trim();
  return { keyword, args, json: parseJsonForm(args), original, line };
}
