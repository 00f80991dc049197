// `berth kill`: send a signal (default KILL) to running containers; prints each name signalled.
import type { CommandSpec } from '../command-spec.js';
import { eachTarget } from '../each-target.js';
import { containerKill } from '../../client/containers.js';

export const spec: CommandSpec<{ signal?: string }> = {
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  minArgs: 1,
  options: (cmd) => cmd.option('-s, --signal <string>', 'Signal to send to the container'),
  async run(ctx, args, f) {
    await eachTarget(ctx, args, (id) => containerKill(ctx.client, id, f.signal || undefined), { parallel: true });
  },
};
