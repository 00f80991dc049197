// `berth restart`: stop then start containers; prints each name restarted.
import type { CommandSpec } from '../command-spec.js';
import { eachTarget } from '../each-target.js';
import { containerRestart } from '../../client/containers.js';
import { intFlag } from '../int-flag.js';

interface RestartFlags {
  signal?: string;
  timeout?: string;
  time?: string;
}

export const spec: CommandSpec<RestartFlags> = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  minArgs: 1,
  options: (cmd) =>
    cmd
      .option('-s, --signal <string>', 'Signal to send to the container')
      .option('-t, --timeout <int>', 'Seconds to wait before killing the container')
      .option('--time <int>', 'Seconds to wait before killing the container (deprecated: use --timeout)'),
  async run(ctx, args, f) {
    if (f.time !== undefined && f.timeout !== undefined) throw new Error('conflicting options: cannot specify both --timeout and --time');
    const t = intFlag('-t, --timeout', f.timeout ?? f.time);
    await eachTarget(ctx, args, (id) => containerRestart(ctx.client, id, { t, signal: f.signal }), { parallel: false });
  },
};
