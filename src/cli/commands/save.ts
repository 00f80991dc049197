// `berth save`: images as a docker-archive tar, to -o FILE or to stdout when it is not a terminal.
import type { CommandSpec } from '../command-spec.js';
import { imageSave } from '../../client/images.js';
import { writeTarOutput } from '../output-file.js';

export const spec: CommandSpec<{ output?: string }> = {
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  minArgs: 1,
  options: (cmd) => cmd.option('-o, --output <string>', 'Write to a file, instead of STDOUT'),
  async run(ctx, args, f) {
    if (!f.output && ctx.io.stdout.isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const body = await imageSave(ctx.client, args);
    await writeTarOutput(ctx, body, f.output, 'save');
  },
};
