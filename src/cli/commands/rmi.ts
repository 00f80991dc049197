// `berth rmi` / `image rm`: remove images, printing docker's "Untagged:" and "Deleted:" lines.
import type { CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import { errorText } from '../error-text.js';
import { imageRemove } from '../../client/images.js';

export const spec: CommandSpec<{ force?: boolean; prune?: boolean }> = {
  name: 'rmi',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  minArgs: 1,
  options: (cmd) =>
    cmd.option('-f, --force', 'Force removal of the image').option('--no-prune', 'Do not delete untagged parents'),
  async run(ctx, args, f) {
    const errs: string[] = [];
    for (const img of args) {
      try {
        const items = await imageRemove(ctx.client, img, { force: f.force, noprune: f.prune === false });
        for (const it of items ?? []) {
          if (it.Untagged !== undefined) ctx.out(`Untagged: ${it.Untagged}\n`);
          if (it.Deleted !== undefined) ctx.out(`Deleted: ${it.Deleted}\n`);
        }
      } catch (e) {
        errs.push(errorText(e));
      }
    }
    if (errs.length) throw new StatusError(1, errs.join('\n'));
  },
};
