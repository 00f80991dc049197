// `berth stop`: stop containers (stop signal, then SIGKILL after -t seconds); prints each name stopped.
import type { CommandSpec } from '../command-spec.js';
import { eachTarget } from '../each-target.js';
import { containerStop } from '../../client/containers.js';
import { addStopFlags, stopTimeout, type StopFlags } from '../stop-flags.js';


export const spec: CommandSpec<StopFlags> = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  minArgs: 1,
  options: addStopFlags,
  async run(ctx, args, f) {
    const t = stopTimeout(f);
    await eachTarget(ctx, args, (id) => containerStop(ctx.client, id, { t, signal: f.signal }), { parallel: true });
  },
};
