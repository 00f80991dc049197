// `berth export`: a container's filesystem as a tar archive, to -o FILE or to a non-terminal stdout.
import type { CommandSpec } from '../command-spec.js';
import { containerExport } from '../../client/containers.js';
import { writeTarOutput } from '../output-file.js';

export const spec: CommandSpec<{ output?: string }> = {
  name: 'export',
  usage: '[OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) => cmd.option('-o, --output <string>', 'Write to a file, instead of STDOUT'),
  async run(ctx, args, f) {
    if (!f.output && ctx.io.stdout.isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const body = await containerExport(ctx.client, args[0]!);
    await writeTarOutput(ctx, body, f.output, 'export');
  },
};
