// The docker CLI's pattern for commands over several containers (stop, kill, rm, restart...): run the
// operation for each, print each name that succeeded, then print every error and exit 1 if any failed.
import type { CliContext } from './context.js';
import { StatusError } from './context.js';
import { errorText } from './error-text.js';

export async function eachTarget(
  ctx: CliContext,
  targets: string[],
  op: (t: string) => Promise<unknown>,
  o: { parallel?: boolean; ignore?: (e: unknown) => boolean } = {},
): Promise<void> {
  const errs: string[] = [];
  const settle = async (t: string) => {
    try {
      await op(t);
      return null;
    } catch (e) {
      return e ?? new Error('unknown error');
    }
  };
  const results = o.parallel ? await Promise.all(targets.map(settle)) : [];
  for (let i = 0; i < targets.length; i++) {
    const e = o.parallel ? results[i] : await settle(targets[i]!);
    if (e === null) {
      ctx.out(`${targets[i]}\n`);
    } else if (o.ignore?.(e)) {
      ctx.err(`${errorText(e)}\n`);
    } else {
      errs.push(errorText(e));
    }
  }
  if (errs.length) throw new StatusError(1, errs.join('\n'));
}
