// Pulling a missing image for run/create, as the docker CLI does after a "No such image" answer:
// "Unable to find image 'busybox:latest' locally" on stderr, then POST /images/create?fromImage=.
import { imagePull } from '../client/images.js';
import { readJsonStream } from '../client/json-stream.js';
import { familiarString, parseDockerRef } from '../lib/reference/reference.js';
import type { JSONMessage } from '../api/types/index.js';
import type { CliContext } from './context.js';
import { ApiError } from '../client/api-error.js';

/** The name docker prints: the familiar form with the default tag added ("busybox:latest"). */
export function familiarTagged(image: string): string {
  try {
    return familiarString(parseDockerRef(image));
  } catch {
    return image;
  }
}

/** Pulls and renders the progress to stderr; a stream error becomes an ApiError like docker's. */
export async function pullImage(ctx: CliContext, image: string, quiet: boolean): Promise<void> {
  let ref;
  try {
    ref = parseDockerRef(image);
  } catch {
    ref = null;
  }
  const from = ref ? familiarString({ ...ref, tag: undefined, digest: undefined }) : image;
  const tag = ref?.digest ?? ref?.tag;
  const res = await imagePull(ctx.client, from, tag);
  for await (const m of readJsonStream<JSONMessage>(res)) {
    if (m.error || m.errorDetail) throw new ApiError(500, m.errorDetail?.message ?? m.error ?? 'pull failed');
    if (quiet) continue;
    if (m.status) ctx.err(`${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`);
    else if (m.stream) ctx.err(m.stream);
  }
}
