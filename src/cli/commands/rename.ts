// `berth rename`: rename a container.
import type { CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import { errorText } from '../error-text.js';
import { containerRename } from '../../client/containers.js';

export const spec: CommandSpec = {
  name: 'rename',
  usage: 'CONTAINER NEW_NAME',
  description: 'Rename a container',
  minArgs: 2,
  maxArgs: 2,
  async run(ctx, args) {
    const oldName = args[0]!.trim();
    const newName = args[1]!.trim();
    if (!oldName || !newName) throw new StatusError(1, 'Error: Neither old nor new names may be empty');
    try {
      await containerRename(ctx.client, oldName, newName);
    } catch (e) {
      ctx.err(`${errorText(e)}\n`);
      throw new StatusError(1, `Error: failed to rename container named ${oldName}`);
    }
  },
};
