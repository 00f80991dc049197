// The flags `stop` and `restart` share (docker's -s/--signal, -t/--timeout and the deprecated --time),
// and the one rule between them.
import type { Command } from 'commander';
import { intFlag } from './int-flag.js';

export interface StopFlags {
  signal?: string;
  timeout?: string;
  time?: string;
}

export function addStopFlags(cmd: Command): Command {
  return cmd
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --timeout <int>', 'Seconds to wait before killing the container')
    .option('--time <int>', 'Seconds to wait before killing the container (deprecated: use --timeout)');
}

/** The stop timeout to send, or undefined for the container's own; --time and --timeout conflict. */
export function stopTimeout(f: StopFlags): number | undefined {
  if (f.time !== undefined && f.timeout !== undefined) throw new Error('conflicting options: cannot specify both --timeout and --time');
  return intFlag('-t, --timeout', f.timeout ?? f.time);
}
