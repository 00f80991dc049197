// Pulling an image: `berth pull`, and run/create's pull of a missing image as the docker CLI does after
// a "No such image" answer ("Unable to find image 'busybox:latest' locally" on stderr, then POST
// /images/create?fromImage=). Credentials for the image's registry go along as X-Registry-Auth.
import { imagePullWithAuth } from '../client/images.js';
import { readJsonStream } from '../client/json-stream.js';
import { familiarString, parseDockerRef } from '../lib/reference/reference.js';
import type { JSONMessage } from '../api/types/index.js';
import type { CliContext } from './context.js';
import { ApiError } from '../client/api-error.js';
import { registryAuthHeader } from './docker-config.js';

/** The name docker prints: the familiar form with the default tag added ("busybox:latest"). */
export function familiarTagged(image: string): string {
  try {
    return familiarString(parseDockerRef(image));
  } catch {
    return image;
  }
}

export interface PullOptions {
  quiet?: boolean;
  platform?: string;
  /** Pull every tag of the repository (`pull -a`): no tag is sent. */
  allTags?: boolean;
  /** Where progress goes: stderr for run/create (docker's choice), stdout for `pull`. */
  toStdout?: boolean;
}

/** Pulls and renders the progress; a stream error becomes an ApiError like docker's. */
export async function pullImage(ctx: CliContext, image: string, quiet: boolean, o: PullOptions = {}): Promise<void> {
  let ref;
  try {
    ref = parseDockerRef(image);
  } catch {
    ref = null;
  }
  const from = ref ? familiarString({ ...ref, tag: undefined, digest: undefined }) : image;
  const tag = o.allTags ? undefined : (ref?.digest ?? ref?.tag);
  const auth = ref ? registryAuthHeader(ctx.io.env, ref.domain) : '';
  const res = await imagePullWithAuth(ctx.client, from, { tag, platform: o.platform, auth });
  const write = (s: string) => (o.toStdout ? ctx.out(s) : ctx.err(s));
  for await (const m of readJsonStream<JSONMessage>(res)) {
    if (m.error || m.errorDetail) throw new ApiError(500, m.errorDetail?.message ?? m.error ?? 'pull failed');
    if (quiet || o.quiet) continue;
    // Byte progress is for terminals that redraw; a log gets the state changes only, as docker's.
    if (m.progressDetail && m.progressDetail.total !== undefined && !ctx.io.stdout.isTTY) continue;
    if (m.status) write(`${m.id ? `${m.id}: ` : ''}${m.status}${m.progress && ctx.io.stdout.isTTY ? ` ${m.progress}` : ''}\n`);
    else if (m.stream) write(m.stream);
  }
}
