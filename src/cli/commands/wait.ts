// `berth wait`: block until containers stop, printing each exit status.
import type { CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import { errorText } from '../error-text.js';
import { containerWait } from '../../client/containers.js';

export const spec: CommandSpec = {
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  minArgs: 1,
  async run(ctx, args) {
    const errs: string[] = [];
    for (const id of args) {
      try {
        const w = await containerWait(ctx.client, id);
        const r = await w.result;
        ctx.out(`${r.StatusCode}\n`);
      } catch (e) {
        errs.push(errorText(e));
      }
    }
    if (errs.length) throw new StatusError(1, errs.join('\n'));
  },
};
