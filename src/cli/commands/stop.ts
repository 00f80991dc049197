// `berth stop`: stop containers (stop signal, then SIGKILL after -t seconds); prints each name stopped.
import type { CommandSpec } from '../command-spec.js';
import { eachTarget } from '../each-target.js';
import { containerStop } from '../../client/containers.js';
import { intFlag } from '../int-flag.js';

interface StopFlags {
  signal?: string;
  timeout?: string;
  time?: string;
}

export const spec: CommandSpec<StopFlags> = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  minArgs: 1,
  options: (cmd) =>
    cmd
      .option('-s, --signal <string>', 'Signal to send to the container')
      .option('-t, --timeout <int>', 'Seconds to wait before killing the container')
      .option('--time <int>', 'Seconds to wait before killing the container (deprecated: use --timeout)'),
  async run(ctx, args, f) {
    if (f.time !== undefined && f.timeout !== undefined) throw new Error('conflicting options: cannot specify both --timeout and --time');
    const t = intFlag('-t, --timeout', f.timeout ?? f.time);
    await eachTarget(ctx, args, (id) => containerStop(ctx.client, id, { t, signal: f.signal }), { parallel: true });
  },
};
