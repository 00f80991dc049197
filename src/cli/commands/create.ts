// `berth create`: create a container from flags and print its ID (docker container create).
import type { CommandSpec } from '../command-spec.js';
import { StatusError, PROG } from '../context.js';
import { addContainerFlags } from '../container-options.js';
import { createContainer, requestFromArgs, type CreateFlags } from '../container-create.js';
import { errorText } from '../error-text.js';

export const spec: CommandSpec<CreateFlags> = {
  name: 'create',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  minArgs: 1,
  interspersed: false,
  noShortHelp: true,
  options: (cmd) => addContainerFlags(cmd),
  async run(ctx, args, f) {
    const req = requestFromArgs(ctx, f, args, 'create');
    const id = await createContainer(ctx, req, f);
    ctx.out(`${id}\n`);
  },
};
