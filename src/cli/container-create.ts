// The create step shared by `run` and `create`, as the docker CLI's createContainer: --pull handling,
// "Unable to find image" + pull + retry on a 404, warnings on stderr, and --cidfile.
import fs from 'node:fs';
import type { ContainerCreateRequest } from '../api/types/index.js';
import { ApiError } from '../client/api-error.js';
import { containerCreate } from '../client/containers.js';
import type { CliContext } from './context.js';
import { familiarTagged, pullImage } from './image-pull.js';
import { buildCreateRequest, FlagValueError, type ContainerFlags } from './container-flags.js';
import { PROG, StatusError } from './context.js';
import { errorText } from './error-text.js';

export interface CreateFlags extends ContainerFlags {
  pull?: string;
  quiet?: boolean;
}

export function validatePullOption(v: string | undefined): void {
  if (v === undefined || ['always', 'missing', 'never', ''].includes(v)) return;
  throw new Error(`invalid pull option: '${v}': must be one of "always", "missing" or "never"`);
}

/** Flags -> create request, with the local environment and files the docker CLI reads. */
export function requestFromFlags(ctx: CliContext, f: ContainerFlags, image: string, args: string[]): ContainerCreateRequest {
  return buildCreateRequest(f, image, args, {
    lookupEnv: (k) => ctx.io.env[k],
    readFile: (p) => fs.readFileSync(p, 'utf8'),
    cwd: ctx.io.cwd,
  });
}

export async function createContainer(ctx: CliContext, req: ContainerCreateRequest, f: CreateFlags): Promise<string> {
  const image = req.Image ?? '';
  // docker refuses an existing cidfile before creating anything.
  if (f.cidfile && fs.existsSync(f.cidfile)) {
    throw new Error(`container ID file found, make sure the other container isn't running or delete ${f.cidfile}`);
  }
  if (f.pull === 'always') await pullImage(ctx, image, !!f.quiet);
  let res;
  try {
    res = await containerCreate(ctx.client, req, { name: f.name, platform: f.platform });
  } catch (e) {
    if (!(e instanceof ApiError && e.statusCode === 404 && f.pull !== 'never' && /^No such image/i.test(e.message))) throw e;
    if (!f.quiet) ctx.err(`Unable to find image '${familiarTagged(image)}' locally\n`);
    await pullImage(ctx, image, !!f.quiet);
    res = await containerCreate(ctx.client, req, { name: f.name, platform: f.platform });
  }
  for (const w of res.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
  if (f.cidfile) fs.writeFileSync(f.cidfile, res.Id);
  return res.Id;
}

/** Exit 125 for a bad flag value (pflag's wording, with the usage) or an invalid combination (docker's withHelp). */
export function flagFailure(e: unknown, command: 'run' | 'create'): StatusError {
  if (e instanceof FlagValueError) {
    return new StatusError(125, `${e.message}\n\nUsage:  ${PROG} ${command} [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun '${PROG} ${command} --help' for more information`);
  }
  return new StatusError(125, `${PROG}: ${errorText(e)}\n\nRun '${PROG} ${command} --help' for more information`);
}

/** The create request from a command line (image, command, flags), with docker's usage errors for `command`. */
export function requestFromArgs(ctx: CliContext, f: ContainerFlags & { pull?: string }, args: string[], command: 'run' | 'create'): ContainerCreateRequest {
  const [image, ...rest] = args as [string, ...string[]];
  try {
    validatePullOption(f.pull);
    return requestFromFlags(ctx, f, image, rest);
  } catch (e) {
    throw flagFailure(e, command);
  }
}
