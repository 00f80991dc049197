// `berth system df [-v] [--format]`: what images, containers, local volumes and the build cache take, as
// the docker CLI prints it (its DiskUsageContext): one row per kind with the active count and what a
// prune would reclaim, or with -v the images, containers and volumes one by one.
import type { CommandSpec } from '../command-spec.js';
import type { ContainerSummary, ImageSummary, SystemDiskUsage, Volume } from '../../api/types/index.js';
import { systemDiskUsage } from '../../client/system.js';
import { loadFormat, type FormatHelpers } from '../formatting.js';
import { preFormat, renderListWith } from '../list-format.js';
import { imageRow } from './images.js';
import { psRow, PS_HEADERS } from './ps.js';
import { familiarName, parseNormalizedNamed } from '../../lib/reference/reference.js';

interface DfFlags {
  verbose?: boolean;
  format?: string;
}

const SUMMARY_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const SUMMARY_HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
const IMAGE_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const IMAGE_HEADERS = { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', Containers: 'CONTAINERS' };
const CONTAINER_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const VOLUME_TABLE = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';
const VOLUME_HEADERS = { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' };
const CACHE_TABLE = 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';
const CACHE_HEADERS = { ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' };

const ACTIVE_STATES = new Set(['running', 'paused', 'restarting']);

/** "SIZE (PCT%)" as the CLI prints a reclaimable amount (go-units HumanSize: 4 significant digits). */
function reclaimable(f: FormatHelpers, part: number, total: number): string {
  return total > 0 ? `${f.humanSize(part, 4)} (${Math.trunc((part * 100) / total)}%)` : f.humanSize(part, 4);
}

/** The four summary rows, each computed as the docker CLI computes it. */
export function summaryRows(f: FormatHelpers, du: SystemDiskUsage): Record<string, string>[] {
  const images = du.Images ?? [];
  const containers = du.Containers ?? [];
  const volumes = du.Volumes ?? [];
  const cache = du.BuildCache ?? [];
  const layers = du.LayersSize ?? 0;
  // An image in use keeps what it does not share; shared layers count as reclaimable (Docker's sum).
  const imagesUsed = images.reduce((n, i) => (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1 ? n + i.Size - i.SharedSize : n), 0);
  const rw = (c: ContainerSummary) => c.SizeRw ?? 0;
  const ctrTotal = containers.reduce((n, c) => n + rw(c), 0);
  const ctrFree = containers.filter((c) => !ACTIVE_STATES.has(c.State)).reduce((n, c) => n + rw(c), 0);
  const sized = volumes.filter((v) => v.UsageData && v.UsageData.Size !== -1);
  const volTotal = sized.reduce((n, v) => n + v.UsageData!.Size, 0);
  const volFree = sized.filter((v) => v.UsageData!.RefCount === 0).reduce((n, v) => n + v.UsageData!.Size, 0);
  const cacheTotal = cache.reduce((n, c) => n + c.Size, 0);
  const cacheInUse = cache.filter((c) => c.InUse && !c.Shared).reduce((n, c) => n + c.Size, 0);
  // Keys in the order Go's json gives them for {{json .}} (sorted).
  return [
    { Active: String(images.filter((i) => i.Containers > 0).length), Reclaimable: reclaimable(f, layers - imagesUsed, layers), Size: f.humanSize(layers, 4), TotalCount: String(images.length), Type: 'Images' },
    { Active: String(containers.filter((c) => ACTIVE_STATES.has(c.State)).length), Reclaimable: reclaimable(f, ctrFree, ctrTotal), Size: f.humanSize(ctrTotal, 4), TotalCount: String(containers.length), Type: 'Containers' },
    { Active: String(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length), Reclaimable: reclaimable(f, volFree, volTotal), Size: f.humanSize(volTotal, 4), TotalCount: String(volumes.length), Type: 'Local Volumes' },
    { Active: String(cache.filter((c) => c.InUse).length), Reclaimable: f.humanSize(cacheTotal - cacheInUse, 4), Size: f.humanSize(cacheTotal, 4), TotalCount: String(cache.length), Type: 'Build Cache' },
  ];
}

/** The image row of -v: the first tag only, <none> for untagged images. */
function imageDfRow(f: FormatHelpers, i: ImageSummary, trunc: boolean, now: number): Record<string, unknown> {
  let ref = { repo: '<none>', tag: '<none>', digest: '' };
  const first = (i.RepoTags ?? []).find((t) => t !== '<none>:<none>');
  if (first) {
    try {
      const r = parseNormalizedNamed(first);
      if (r.tag) ref = { repo: familiarName(r), tag: r.tag, digest: '' };
    } catch {
      // an unparsable tag shows as <none>
    }
  }
  return imageRow(f, i, ref, trunc, now);
}

function volumeRow(f: FormatHelpers, v: Volume): Record<string, unknown> {
  return {
    Name: v.Name,
    Driver: v.Driver,
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData ? f.humanSize(v.UsageData.Size, 4) : 'N/A',
    Mountpoint: v.Mountpoint,
    Scope: v.Scope,
  };
}

export function renderVerbose(f: FormatHelpers, du: SystemDiskUsage, now: number): string {
  const images = (du.Images ?? []).map((i) => imageDfRow(f, i, true, now));
  // -v does not show a container's virtual size.
  const containers = (du.Containers ?? []).map((c) => psRow(f, { ...c, SizeRootFs: 0 }, true, now));
  const volumes = (du.Volumes ?? []).map((v) => volumeRow(f, v));
  const cacheSize = (du.BuildCache ?? []).reduce((n, c) => n + c.Size, 0);
  const table = (rows: object[], defaultTable: string, headers: Record<string, string>) => renderListWith(f, rows, { format: defaultTable, quiet: false, defaultTable, headers });
  return [
    'Images space usage:\n\n',
    table(images, IMAGE_TABLE, IMAGE_HEADERS),
    '\nContainers space usage:\n\n',
    table(containers, CONTAINER_TABLE, PS_HEADERS),
    '\nLocal Volumes space usage:\n\n',
    table(volumes, VOLUME_TABLE, VOLUME_HEADERS),
    `\nBuild cache usage: ${f.humanSize(cacheSize, 4)}\n\n`,
    table([], CACHE_TABLE, CACHE_HEADERS),
  ].join('');
}

export const spec: CommandSpec<DfFlags> = {
  name: 'df',
  usage: '[OPTIONS]',
  description: 'Show docker disk usage',
  maxArgs: 0,
  options: (cmd) => cmd.option('--format <string>', 'Format output using a custom template').option('-v, --verbose', 'Show detailed information on space usage'),
  async run(ctx, _args, o) {
    const [du, f] = await Promise.all([systemDiskUsage(ctx.client), loadFormat()]);
    const format = o.format ?? '';
    const now = Date.now();
    if (o.verbose) {
      if (format === '' || format === 'table') return void ctx.out(renderVerbose(f, du, now));
      // A template over the four lists, as the docker CLI runs it.
      const { template } = preFormat(format);
      const data = {
        Images: (du.Images ?? []).map((i) => imageDfRow(f, i, false, now)),
        Containers: (du.Containers ?? []).map((c) => psRow(f, c, false, now)),
        Volumes: (du.Volumes ?? []).map((v) => volumeRow(f, v)),
        BuildCache: [],
      };
      return void ctx.out(f.template(template, data));
    }
    ctx.out(renderListWith(f, summaryRows(f, du), { format, quiet: false, defaultTable: SUMMARY_TABLE, headers: SUMMARY_HEADERS }));
  },
};
