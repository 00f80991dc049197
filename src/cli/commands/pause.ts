// `berth pause` / `berth unpause`: freeze and thaw every process of running containers; prints each name.
import type { CommandSpec } from '../command-spec.js';
import { eachTarget } from '../each-target.js';
import { containerPause, containerUnpause } from '../../client/containers.js';

export const pauseSpec: CommandSpec = {
  name: 'pause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  minArgs: 1,
  run: (ctx, args) => eachTarget(ctx, args, (id) => containerPause(ctx.client, id)),
};

export const unpauseSpec: CommandSpec = {
  name: 'unpause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  minArgs: 1,
  run: (ctx, args) => eachTarget(ctx, args, (id) => containerUnpause(ctx.client, id)),
};
