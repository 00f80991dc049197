// Writing a tar stream (save, export) to `-o FILE` atomically, or to stdout, which docker refuses when
// stdout is a terminal.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CliContext } from './context.js';

export async function writeTarOutput(ctx: CliContext, body: Readable, output: string | undefined, what: 'save' | 'export'): Promise<void> {
  if (!output || output === '-') {
    if (ctx.io.stdout.isTTY) {
      body.destroy();
      throw new Error(`cowardly refusing to save to a terminal. Use the -o flag or redirect`);
    }
    await pipeline(body, ctx.io.stdout, { end: false });
    return;
  }
  const abs = path.resolve(ctx.io.cwd, output);
  const dir = path.dirname(abs);
  if (!fs.existsSync(dir)) throw new Error(`failed to ${what} ${what === 'save' ? 'image' : 'container'}: invalid output path: directory "${dir}" does not exist`);
  const tmp = path.join(dir, `.${path.basename(abs)}.${process.pid}.tmp`);
  try {
    await pipeline(body, fs.createWriteStream(tmp, { mode: 0o644 }));
    fs.renameSync(tmp, abs);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
