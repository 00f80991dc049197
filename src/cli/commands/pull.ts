// `berth pull`: NAME[:TAG|@DIGEST] from its registry, with -a (all tags), -q (only the name at the
// end) and --platform, progress on stdout and the reference as the last line, as docker prints them.
import type { CommandSpec } from '../command-spec.js';
import { familiarTagged, pullImage } from '../image-pull.js';
import { parseNormalizedNamed, familiarName } from '../../lib/reference/reference.js';

interface PullFlags {
  allTags?: boolean;
  quiet?: boolean;
  platform?: string;
}

export const spec: CommandSpec<PullFlags> = {
  name: 'pull',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('-a, --all-tags', 'Download all tagged images in the repository')
      .option('-q, --quiet', 'Suppress verbose output')
      .option('--platform <string>', 'Set platform if server is multi-platform capable'),
  async run(ctx, args, f) {
    const image = args[0]!;
    let named;
    try {
      named = parseNormalizedNamed(image);
    } catch (e) {
      throw new Error(`invalid reference format: ${(e as Error).message.replace(/^invalid reference format: ?/, '') || image}`);
    }
    if (f.allTags && (named.tag || named.digest)) throw new Error('tag can\'t be used with --all-tags/-a');
    await pullImage(ctx, image, !!f.quiet, { platform: f.platform, allTags: !!f.allTags, toStdout: true });
    ctx.out(`${f.allTags ? familiarName(named) : familiarTagged(image).replace(/^docker\.io\//, '')}\n`);
  },
};
