// Detach keys: the byte sequence that ends a client's attach to a terminal without stopping the
// container (`--detach-keys`, default ctrl-p,ctrl-q). Parsing follows Docker's rules: comma-separated
// keys, each a single character or `ctrl-` and one of a-z @ [ \ ] ^ _. Pure code.

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

export class DetachKeysError extends Error {}

/** The bytes of a detach-key spec; DetachKeysError for an unknown key (Docker: "Unknown character"). */
export function parseDetachKeys(spec: string): number[] {
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    if (k.length === 1) {
      out.push(k.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/i.exec(k);
    if (!m) throw new DetachKeysError(`Unknown character: '${k}'`);
    const ch = m[1]!;
    const lower = ch.toLowerCase();
    if (lower >= 'a' && lower <= 'z') out.push(lower.charCodeAt(0) - 96);
    else if (ch === '@') out.push(0);
    else if ('[\\]^_'.includes(ch)) out.push(27 + '[\\]^_'.indexOf(ch));
    else throw new DetachKeysError(`Unknown character: '${k}'`);
  }
  if (out.length === 0) throw new DetachKeysError(`Unknown character: ''`);
  return out;
}

/**
 * Watches a byte stream for the sequence. Bytes that could start it are held back until it is clear
 * whether they do (then they are dropped with it) or not (then they are passed on), as Docker's
 * escape proxy does.
 */
export class EscapeScanner {
  private held = 0;

  constructor(private readonly keys: readonly number[]) {}

  /** What to pass on from `chunk`, and whether the sequence was completed in it. */
  push(chunk: Uint8Array): { forward: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) {
          this.held = 0;
          return { forward: Buffer.from(out), detached: true };
        }
        continue;
      }
      // Not the sequence after all: the held bytes were input.
      for (let i = 0; i < this.held; i++) out.push(this.keys[i]!);
      this.held = 0;
      if (b === this.keys[0]) this.held = 1;
      else out.push(b);
    }
    return { forward: Buffer.from(out), detached: false };
  }
}
