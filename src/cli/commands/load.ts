// `berth load`: load images from a docker-archive (or OCI layout) tar, from -i FILE or stdin.
import fs from 'node:fs';
import path from 'node:path';
import type { CommandSpec } from '../command-spec.js';
import { imageLoad } from '../../client/images.js';
import { displayJsonMessages } from '../json-messages.js';
import { readBody } from '../../client/client.js';

export const spec: CommandSpec<{ input?: string; quiet?: boolean }> = {
  name: 'load',
  usage: '[OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  maxArgs: 0,
  options: (cmd) =>
    cmd
      .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
      .option('-q, --quiet', 'Suppress the load output'),
  async run(ctx, _args, f) {
    let input: NodeJS.ReadableStream;
    if (f.input) {
      const p = path.resolve(ctx.io.cwd, f.input);
      if (!fs.existsSync(p)) throw new Error(`open ${f.input}: no such file or directory`);
      input = fs.createReadStream(p);
    } else {
      if (ctx.io.stdin.isTTY) throw new Error('requested load from stdin, but stdin is empty');
      input = ctx.io.stdin;
    }
    // docker asks for quiet output when its stdout is not a terminal, and prints the result lines.
    const res = await imageLoad(ctx.client, input as never, { quiet: !!f.quiet || !ctx.io.stdout.isTTY });
    if (String(res.headers['content-type'] ?? '').includes('json')) await displayJsonMessages(res, ctx.io.stdout);
    else ctx.out((await readBody(res)).toString('utf8'));
  },
};
