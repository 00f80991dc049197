// `berth import`: make an image from a rootfs tarball (a file, `-` for stdin, or a URL), with
// Dockerfile --change instructions; prints the new image ID.
import fs from 'node:fs';
import path from 'node:path';
import type { CommandSpec } from '../command-spec.js';
import { collect } from '../command-spec.js';
import { imageImport } from '../../client/images.js';
import { displayJsonMessages } from '../json-messages.js';
import { splitTarget } from './tag.js';

interface ImportFlags {
  change?: string[];
  message?: string;
  platform?: string;
}

export const spec: CommandSpec<ImportFlags> = {
  name: 'import',
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  minArgs: 1,
  maxArgs: 2,
  options: (cmd) =>
    cmd
      .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect)
      .option('-m, --message <string>', 'Set commit message for imported image')
      .option('--platform <string>', 'Set platform if server is multi-platform capable'),
  async run(ctx, args, f) {
    const [src, target] = args as [string, string | undefined];
    const ref = target ? splitTarget(target) : null;
    let source: string | NodeJS.ReadableStream;
    if (src === '-') source = ctx.io.stdin;
    else if (/^https?:\/\//.test(src)) source = src;
    else {
      const p = path.resolve(ctx.io.cwd, src);
      if (!fs.existsSync(p)) throw new Error(`open ${src}: no such file or directory`);
      source = fs.createReadStream(p);
    }
    const res = await imageImport(ctx.client, source as never, {
      repo: ref?.repo,
      tag: ref?.tag,
      message: f.message,
      changes: f.change,
      platform: f.platform,
    });
    await displayJsonMessages(res, ctx.io.stdout);
  },
};
