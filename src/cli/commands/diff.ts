// `berth diff`: changes to a container's filesystem, one "C|A|D path" line each, as docker prints.
import type { CommandSpec } from '../command-spec.js';
import { containerChanges } from '../../client/containers.js';

const KIND = ['C', 'A', 'D'] as const;

export const spec: CommandSpec = {
  name: 'diff',
  usage: 'CONTAINER',
  description: "Inspect changes to files or directories on a container's filesystem",
  minArgs: 1,
  maxArgs: 1,
  async run(ctx, args) {
    const changes = (await containerChanges(ctx.client, args[0]!)) ?? [];
    for (const ch of changes) ctx.out(`${KIND[ch.Kind] ?? '?'} ${ch.Path}\n`);
  },
};
