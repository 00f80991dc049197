// `berth inspect` (any object: container, then image, then volume, then network, as docker's autodetect)
// and the typed `container inspect`, `image inspect`, `volume inspect`, `network inspect`: a JSON array indented like docker's, or a Go
// template per object with -f.
import type { CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import type { CliContext } from '../context.js';
import { errorText } from '../error-text.js';
import { ApiError } from '../../client/api-error.js';
import { containerInspect } from '../../client/containers.js';
import { imageInspect } from '../../client/images.js';
import { volumeInspect } from '../../client/volumes.js';
import { networkInspect } from '../../client/networks.js';
import { loadFormat } from '../formatting.js';

type Kind = 'container' | 'image' | 'volume' | 'network';
const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

interface InspectFlags {
  format?: string;
  size?: boolean;
  type?: string;
}

async function fetchOne(ctx: CliContext, kind: Kind, ref: string, size: boolean): Promise<unknown> {
  if (kind === 'container') return containerInspect(ctx.client, ref, { size });
  if (kind === 'image') return imageInspect(ctx.client, ref);
  if (kind === 'network') return networkInspect(ctx.client, ref);
  return volumeInspect(ctx.client, ref);
}

/** docker's inspect.Inspect: every reference, errors collected, output flushed once. */
export async function inspectRefs(ctx: CliContext, refs: string[], format: string | undefined, lookup: (ref: string) => Promise<unknown>): Promise<void> {
  const found: unknown[] = [];
  const errs: string[] = [];
  for (const ref of refs) {
    try {
      found.push(await lookup(ref));
    } catch (e) {
      errs.push(errorText(e));
    }
  }
  if (!format) {
    ctx.out(found.length ? `${JSON.stringify(found, null, 4)}\n` : '[]\n');
  } else {
    const f = await loadFormat();
    const tpl = format === 'json' ? '{{json .}}' : format;
    let text = '';
    for (const el of found) {
      try {
        text += f.template(tpl, el) + '\n';
      } catch (e) {
        errs.push(`template parsing error: ${(e as Error).message}`);
      }
    }
    ctx.out(text === '' ? '\n' : text);
  }
  if (errs.length) throw new StatusError(1, errs.join('\n'));
}

function typed(kind: Kind, name: string, description: string, usage: string): CommandSpec<InspectFlags> {
  return {
    name,
    usage,
    description,
    minArgs: 1,
    options: (cmd) => {
      cmd.option('-f, --format <string>', "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.");
      if (kind === 'container') cmd.option('-s, --size', 'Display total file sizes');
    },
    run: (ctx, args, o) => inspectRefs(ctx, args, o.format, (ref) => fetchOne(ctx, kind, ref, !!o.size)),
  };
}

export const containerSpec = typed('container', 'inspect', 'Display detailed information on one or more containers', '[OPTIONS] CONTAINER [CONTAINER...]');
export const networkSpec = typed('network', 'inspect', 'Display detailed information on one or more networks', '[OPTIONS] NETWORK [NETWORK...]');
export const imageSpec = typed('image', 'inspect', 'Display detailed information on one or more images', '[OPTIONS] IMAGE [IMAGE...]');
export const volumeSpec = typed('volume', 'inspect', 'Display detailed information on one or more volumes', '[OPTIONS] VOLUME [VOLUME...]');

export const spec: CommandSpec<InspectFlags> = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on Docker objects',
  minArgs: 1,
  options: (cmd) =>
    cmd
      .option('-f, --format <string>', "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.")
      .option('-s, --size', 'Display total file sizes if the type is container')
      .option('--type <string>', 'Only inspect objects of the given type'),
  async run(ctx, args, o) {
    const t = o.type ?? '';
    if (t !== '' && !ALL_TYPES.includes(t)) throw new Error(`unknown type: "${t}": must be one of "${ALL_TYPES.join('", "')}"`);
    const kinds: Kind[] = t === '' ? ['container', 'image', 'volume', 'network'] : (['container', 'image', 'volume', 'network'] as Kind[]).filter((k) => k === t);
    await inspectRefs(ctx, args, o.format, async (ref) => {
      for (const k of kinds) {
        try {
          const v = await fetchOne(ctx, k, ref, !!o.size && k === 'container');
          if (o.size && k !== 'container') ctx.err(`WARNING: --size ignored for ${k}\n`);
          return v;
        } catch (e) {
          // Without --type, a missing object of one kind means "try the next kind".
          if (t === '' && e instanceof ApiError && (e.statusCode === 404 || e.statusCode === 400)) continue;
          throw e;
        }
      }
      if (t !== '' && kinds.length === 0) throw new Error(`Error: No such ${t}: ${ref}`);
      throw new Error(`Error: No such object: ${ref}`);
    });
  },
};
