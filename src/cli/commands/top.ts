// `berth top`: the processes of a container as the daemon lists them (ps output), in docker's columns.
import type { CommandSpec } from '../command-spec.js';
import { containerTop } from '../../client/containers.js';
import { loadFormat } from '../formatting.js';

export const spec: CommandSpec = {
  name: 'top',
  usage: 'CONTAINER [ps OPTIONS]',
  description: 'Display the running processes of a container',
  minArgs: 1,
  interspersed: false,
  async run(ctx, args) {
    const [id, ...psArgs] = args as [string, ...string[]];
    const [top, f] = await Promise.all([containerTop(ctx.client, id, psArgs.join(' ')), loadFormat()]);
    const lines = [top.Titles.join('\t'), ...top.Processes.map((p) => p.join('\t'))].join('\n') + '\n';
    // docker uses a tabwriter with minimum width 20 and padding 3 here.
    ctx.out(f.tabulate(lines, { minWidth: 20, padding: 3 }));
  },
};
