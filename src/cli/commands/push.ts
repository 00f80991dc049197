// `berth push`: NAME[:TAG] to its registry with the credentials `berth login` stored, -a for every
// tag, -q for quiet; docker's progress lines on stdout.
import type { CommandSpec } from '../command-spec.js';
import { imagePush } from '../../client/images.js';
import { readJsonStream } from '../../client/json-stream.js';
import { ApiError } from '../../client/api-error.js';
import type { JSONMessage } from '../../api/types/index.js';
import { familiarName, parseNormalizedNamed } from '../../lib/reference/reference.js';
import { registryAuthHeader } from '../docker-config.js';

interface PushFlags {
  allTags?: boolean;
  quiet?: boolean;
}

export const spec: CommandSpec<PushFlags> = {
  name: 'push',
  usage: '[OPTIONS] NAME[:TAG]',
  description: 'Upload an image to a registry',
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) =>
    cmd.option('-a, --all-tags', 'Push all tags of an image to the repository').option('-q, --quiet', 'Suppress verbose output'),
  async run(ctx, args, f) {
    let ref;
    try {
      ref = parseNormalizedNamed(args[0]!);
    } catch (e) {
      throw new Error(`invalid reference format: ${(e as Error).message.replace(/^invalid reference format: ?/, '')}`);
    }
    if (ref.digest) throw new Error('cannot push a digest reference');
    if (f.allTags && ref.tag) throw new Error('tag can\'t be used with --all-tags/-a');
    // Without -a docker pushes :latest (the API alone would push every tag).
    const tag = f.allTags ? undefined : (ref.tag ?? 'latest');
    const res = await imagePush(ctx.client, familiarName(ref), { tag, auth: registryAuthHeader(ctx.io.env, ref.domain) });
    for await (const m of readJsonStream<JSONMessage>(res)) {
      if (m.error || m.errorDetail) throw new ApiError(500, m.errorDetail?.message ?? m.error ?? 'push failed');
      if (m.progressDetail && m.progressDetail.total !== undefined && !ctx.io.stdout.isTTY) continue;
      if (!m.status) continue;
      if (!f.quiet) ctx.out(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
    }
    if (f.quiet) ctx.out(`${familiarName(ref)}${tag ? `:${tag}` : ''}\n`);
  },
};
