// `berth rm`: remove containers (-f kills running ones, -v removes their anonymous volumes). With -f a
// missing container is reported but is not a failure, as docker.
import type { CommandSpec } from '../command-spec.js';
import { eachTarget } from '../each-target.js';
import { containerRemove } from '../../client/containers.js';
import { ApiError } from '../../client/api-error.js';

interface RmFlags {
  force?: boolean;
  volumes?: boolean;
  link?: boolean;
}

export const spec: CommandSpec<RmFlags> = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  minArgs: 1,
  options: (cmd) =>
    cmd
      .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
      .option('-l, --link', 'Remove the specified link')
      .option('-v, --volumes', 'Remove anonymous volumes associated with the container'),
  async run(ctx, args, f) {
    await eachTarget(
      ctx,
      args,
      async (name) => {
        const id = name.replace(/^\/+|\/+$/g, '');
        if (id === '') throw new Error('container name cannot be empty');
        await containerRemove(ctx.client, id, { force: f.force, volumes: f.volumes, link: f.link });
      },
      { parallel: true, ignore: (e) => !!f.force && e instanceof ApiError && e.statusCode === 404 },
    );
  },
};
