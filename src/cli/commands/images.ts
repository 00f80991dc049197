// `berth images` / `image ls`: the image table (one row per repository:tag, <none> for dangling
// images), -q, -a, --digests, --no-trunc, --filter, --format, and a REPOSITORY[:TAG] argument.
import type { CommandSpec } from '../command-spec.js';
import { collect, parseFilterFlags } from '../command-spec.js';
import type { ImageSummary } from '../../api/types/index.js';
import { imageList } from '../../client/images.js';
import { loadFormat, type FormatHelpers } from '../formatting.js';
import { renderListWith } from '../list-format.js';
import { goTimeString } from '../go-time.js';
import { familiarName, parseNormalizedNamed } from '../../lib/reference/reference.js';

interface ImagesFlags {
  all?: boolean;
  digests?: boolean;
  filter?: string[];
  format?: string;
  noTrunc?: boolean;
  trunc?: boolean;
  quiet?: boolean;
}

const HEADERS: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

const TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const TABLE_DIGEST = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

/** docker's imageFormatTaggedAndDigest: which (repository, tag, digest) rows an image gives. */
export function imageRefs(img: ImageSummary, showDigests: boolean): { repo: string; tag: string; digest: string }[] {
  const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  const digests = (img.RepoDigests ?? []).filter((d) => d !== '<none>@<none>');
  if (tags.length === 0 && digests.length === 0) return [{ repo: '<none>', tag: '<none>', digest: '<none>' }];
  const byRepoTags = new Map<string, string[]>();
  const byRepoDigests = new Map<string, string[]>();
  for (const t of tags) {
    try {
      const r = parseNormalizedNamed(t);
      if (r.tag) byRepoTags.set(familiarName(r), [...(byRepoTags.get(familiarName(r)) ?? []), r.tag]);
    } catch {
      // unparsable tags are skipped, as docker does
    }
  }
  for (const d of digests) {
    try {
      const r = parseNormalizedNamed(d);
      if (r.digest) byRepoDigests.set(familiarName(r), [...(byRepoDigests.get(familiarName(r)) ?? []), r.digest]);
    } catch {
      // skipped
    }
  }
  const out: { repo: string; tag: string; digest: string }[] = [];
  for (const [repo, ts] of byRepoTags) {
    const ds = showDigests ? (byRepoDigests.get(repo) ?? []) : [];
    byRepoDigests.delete(repo);
    for (const tag of ts) {
      if (ds.length === 0) out.push({ repo, tag, digest: '<none>' });
      else for (const digest of ds) out.push({ repo, tag, digest });
    }
  }
  for (const [repo, ds] of byRepoDigests) {
    if (showDigests) for (const digest of ds) out.push({ repo, tag: '<none>', digest });
    else out.push({ repo, tag: '<none>', digest: '' });
  }
  return out;
}

export function imageRow(f: FormatHelpers, img: ImageSummary, ref: { repo: string; tag: string; digest: string }, trunc: boolean, now: number): Record<string, unknown> {
  const size = f.humanSize(img.Size ?? 0);
  return {
    Containers: img.Containers === -1 || img.Containers === undefined ? 'N/A' : String(img.Containers),
    CreatedAt: goTimeString(img.Created),
    CreatedSince: img.Created ? `${f.humanDuration(now - img.Created * 1000)} ago` : '',
    Digest: ref.digest,
    ID: trunc ? f.shortId(img.Id) : img.Id,
    Repository: ref.repo,
    // go-units HumanSize (4 significant digits) for these two, HumanSizeWithPrecision(3) for Size, as the docker CLI.
    SharedSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : f.humanSize(img.SharedSize, 4),
    Size: size,
    Tag: ref.tag,
    UniqueSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : f.humanSize((img.Size ?? 0) - img.SharedSize, 4),
    VirtualSize: size,
  };
}

export const spec: CommandSpec<ImagesFlags> = {
  name: 'images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('-a, --all', 'Show all images (default hides intermediate images)')
      .option('--digests', 'Show digests')
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', 'Format output using a custom template')
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only show image IDs'),
  async run(ctx, args, o) {
    const filters = parseFilterFlags(o.filter);
    if (args[0]) (filters.reference ??= []).push(args[0]);
    const trunc = !(o.trunc === false || o.noTrunc === true);
    const [list, f] = await Promise.all([imageList(ctx.client, { all: o.all, filters }), loadFormat()]);
    const now = Date.now();
    const rows = list.flatMap((img) => imageRefs(img, !!o.digests).map((ref) => imageRow(f, img, ref, trunc, now)));
    let format = o.format ?? '';
    if (format.startsWith('table') && o.digests && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
    ctx.out(renderListWith(f, rows, { format, quiet: !!o.quiet, defaultTable: o.digests ? TABLE_DIGEST : TABLE, headers: HEADERS }));
  },
};
