// `berth build`: Docker's classic `docker build` over POST /build. The context is a directory (sent as
// a tar, .dockerignore applied), `-` for a tar (plain or gzip) or a Dockerfile on stdin, and `-f -`
// reads the Dockerfile from stdin with a directory context.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { collect, type CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import { readJsonStream } from '../../client/json-stream.js';
import { readBody } from '../../client/client.js';
import { errorFromBody } from '../../client/api-error.js';
import type { JSONMessage } from '../../api/types/index.js';
import { contextTar } from '../build-context-tar.js';
import { Readable as NodeReadable } from 'node:stream';

interface BuildFlags {
  tag?: string[];
  file?: string;
  buildArg?: string[];
  target?: string;
  cache?: boolean;
  quiet?: boolean;
  label?: string[];
  iidfile?: string;
  rm?: boolean;
  forceRm?: boolean;
  pull?: boolean;
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** tar (ustar magic at 257) or a compressed stream: a context; anything else is a Dockerfile. */
function looksLikeArchive(b: Buffer): boolean {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return true;
  if (b.length >= 3 && b.toString('latin1', 0, 3) === 'BZh') return true;
  return b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar';
}

export const spec: CommandSpec<BuildFlags> = {
  name: 'build',
  usage: '[OPTIONS] PATH | URL | -',
  description: 'Build an image from a Dockerfile',
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('-t, --tag <name>', 'Name and optionally a tag in the "name:tag" format', collect)
      .option('-f, --file <string>', 'Name of the Dockerfile (Default is "PATH/Dockerfile")')
      .option('--build-arg <list>', 'Set build-time variables', collect)
      .option('--target <string>', 'Set the target build stage to build.')
      .option('--no-cache', 'Do not use cache when building the image')
      .option('-q, --quiet', 'Suppress the build output and print image ID on success')
      .option('--label <list>', 'Set metadata for an image', collect)
      .option('--iidfile <string>', 'Write the image ID to the file')
      .option('--rm', 'Remove intermediate containers after a successful build (default true)', true)
      .option('--force-rm', 'Always remove intermediate containers')
      .option('--pull', 'Always attempt to pull a newer version of the image'),
  async run(ctx, args, f) {
    const target = args[0]!;
    const buildArgs: Record<string, string | null> = {};
    for (const a of f.buildArg ?? []) {
      const i = a.indexOf('=');
      if (i === -1) buildArgs[a] = ctx.io.env[a] ?? null;
      else buildArgs[a.slice(0, i)] = a.slice(i + 1);
    }
    const labels: Record<string, string> = {};
    for (const l of f.label ?? []) {
      const i = l.indexOf('=');
      labels[i === -1 ? l : l.slice(0, i)] = i === -1 ? '' : l.slice(i + 1);
    }
    let body: Readable;
    let cleanup = () => {};
    let dockerfile: string | undefined = f.file;
    if (target === '-') {
      if (f.file === '-') throw new StatusError(1, 'invalid argument: can\'t use stdin for both build context and dockerfile');
      const input = await readAll(ctx.io.stdin);
      if (looksLikeArchive(input)) body = NodeReadable.from([input]);
      else {
        // A Dockerfile on stdin: the context is empty.
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-'));
        cleanup = () => fs.rmSync(empty, { recursive: true, force: true });
        const t = await contextTar(empty, { content: input.toString('utf8') });
        body = t.stream;
        dockerfile = t.dockerfile;
      }
    } else {
      const dir = path.resolve(ctx.io.cwd, target);
      const df = f.file === '-' ? { content: (await readAll(ctx.io.stdin)).toString('utf8') } : f.file ? { path: path.resolve(ctx.io.cwd, f.file) } : {};
      const t = await contextTar(dir, df);
      body = t.stream;
      dockerfile = t.dockerfile;
    }
    try {
      await send();
    } finally {
      cleanup();
    }
    async function send(): Promise<void> {
    const res = await ctx.client.request('POST', '/build', {
      query: {
        t: f.tag ?? [],
        dockerfile,
        q: !!f.quiet,
        nocache: f.cache === false,
        rm: f.rm !== false,
        forcerm: !!f.forceRm,
        pull: !!f.pull,
        buildargs: Object.keys(buildArgs).length ? JSON.stringify(buildArgs) : undefined,
        labels: Object.keys(labels).length ? JSON.stringify(labels) : undefined,
        target: f.target,
      },
      raw: body,
      contentType: 'application/x-tar',
    });
    if ((res.statusCode ?? 500) >= 400) throw errorFromBody(res.statusCode ?? 500, (await readBody(res)).toString('utf8'));
    let id = '';
    for await (const m of readJsonStream<JSONMessage>(res)) {
      if (m.errorDetail || m.error) {
        throw new StatusError(m.errorDetail?.code || 1, m.errorDetail?.message ?? m.error ?? 'unknown error');
      }
      if (m.aux && typeof m.aux['ID'] === 'string') id = m.aux['ID'];
      else if (m.stream !== undefined && !f.quiet) ctx.out(m.stream);
    }
    if (f.quiet) ctx.out(`${id}\n`);
    if (f.iidfile) fs.writeFileSync(path.resolve(ctx.io.cwd, f.iidfile), id);
    }
  },
};
