// The shape of one CLI command module: its name, usage line, flags (added to a commander Command) and
// `run(ctx, args, opts)` returning the exit status. The program builds the command tree from these.
import type { Command } from 'commander';
import type { CliContext } from './context.js';

export interface CommandSpec<O = Record<string, unknown>> {
  name: string;
  /** Other names at the same level (`rm` -> `remove`, `ls` -> `list`). */
  aliases?: string[];
  /** After the command path in "Usage:", e.g. `[OPTIONS] CONTAINER [CONTAINER...]`. */
  usage: string;
  description: string;
  minArgs?: number;
  maxArgs?: number;
  /** False for run/create/exec: options stop at the first argument (the image or container). */
  interspersed?: boolean;
  /** run and create use -h for --hostname, so only --help shows help there. */
  noShortHelp?: boolean;
  options?: (cmd: Command) => void;
  run(ctx: CliContext, args: string[], opts: O): Promise<number | void>;
}

/** Commander collector for repeatable flags (-e A -e B). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** For flags docker types as `filter` (key=value) that repeat. */
export function parseFilterFlags(values: string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i < 0) throw new Error(`bad format of filter (expected name=value)`);
    const k = v.slice(0, i).trim().toLowerCase();
    (out[k] ??= []).push(v.slice(i + 1).trim());
  }
  return out;
}
