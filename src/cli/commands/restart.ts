// `berth restart`: stop then start containers; prints each name restarted.
import type { CommandSpec } from '../command-spec.js';
import { eachTarget } from '../each-target.js';
import { containerRestart } from '../../client/containers.js';
import { addStopFlags, stopTimeout, type StopFlags } from '../stop-flags.js';


export const spec: CommandSpec<StopFlags> = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  minArgs: 1,
  options: addStopFlags,
  async run(ctx, args, f) {
    const t = stopTimeout(f);
    await eachTarget(ctx, args, (id) => containerRestart(ctx.client, id, { t, signal: f.signal }), { parallel: false });
  },
};
