// `berth commit`: a container's changes as a new image (POST /commit), with docker's flags.
import { readBody } from '../../client/client.js';
import { errorFromBody } from '../../client/api-error.js';
import { collect, type CommandSpec } from '../command-spec.js';
import { splitTarget } from './tag.js';

export const spec: CommandSpec<{ author?: string; change?: string[]; message?: string; pause?: boolean }> = {
  name: 'commit',
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  minArgs: 1,
  maxArgs: 2,
  options: (cmd) =>
    cmd
      .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
      .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect)
      .option('-m, --message <string>', 'Commit message')
      .option('-p, --pause', 'Pause container during commit (default true)', true)
      .option('--no-pause', 'Do not pause the container during commit'),
  async run(ctx, args, f) {
    const target = args[1] ? splitTarget(args[1]) : null;
    const res = await ctx.client.request('POST', '/commit', {
      query: {
        container: args[0]!,
        repo: target?.repo,
        tag: target?.tag,
        comment: f.message,
        author: f.author,
        pause: f.pause !== false,
        changes: f.change ?? [],
      },
      json: {},
    });
    const body = (await readBody(res)).toString('utf8');
    if ((res.statusCode ?? 500) >= 400) throw errorFromBody(res.statusCode ?? 500, body);
    ctx.out(`${(JSON.parse(body) as { Id: string }).Id}\n`);
  },
};
