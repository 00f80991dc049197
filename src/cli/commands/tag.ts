// `berth tag`: create TARGET_IMAGE referring to SOURCE_IMAGE (the target parsed like docker's client:
// normalised, default tag "latest", digests refused).
import type { CommandSpec } from '../command-spec.js';
import { imageTag } from '../../client/images.js';
import { familiarName, parseNormalizedNamed } from '../../lib/reference/reference.js';

export function splitTarget(target: string): { repo: string; tag: string } {
  let ref;
  try {
    ref = parseNormalizedNamed(target);
  } catch (e) {
    throw new Error(`Error parsing reference: "${target}" is not a valid repository/tag: ${(e as Error).message}`);
  }
  if (ref.digest) throw new Error('refusing to create a tag with a digest reference');
  return { repo: familiarName(ref), tag: ref.tag ?? 'latest' };
}

export const spec: CommandSpec = {
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  minArgs: 2,
  maxArgs: 2,
  async run(ctx, args) {
    const { repo, tag } = splitTarget(args[1]!);
    await imageTag(ctx.client, args[0]!, repo, tag);
  },
};
