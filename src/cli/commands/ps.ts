// `berth ps` / `container ls`: the container table, -q, --format, --filter, -a/-n/-l, -s, --no-trunc,
// with docker's columns and cell rules (short IDs, quoted command cut at 20 characters with "…").
import type { CommandSpec } from '../command-spec.js';
import { collect, parseFilterFlags } from '../command-spec.js';
import type { ContainerSummary } from '../../api/types/index.js';
import { containerList } from '../../client/containers.js';
import { loadFormat, type FormatHelpers } from '../formatting.js';
import { renderListWith } from '../list-format.js';
import { goTimeString } from '../go-time.js';
import { familiarName, familiarString, parseNormalizedNamed } from '../../lib/reference/reference.js';
import { intFlag } from '../int-flag.js';

interface PsFlags {
  all?: boolean;
  filter?: string[];
  format?: string;
  last?: string;
  latest?: boolean;
  noTrunc?: boolean;
  trunc?: boolean;
  quiet?: boolean;
  size?: boolean;
}

export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Label: 'LABEL',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** docker's DisplayablePorts, without its grouping of consecutive ports into ranges. */
export function displayablePorts(ports: ContainerSummary['Ports']): string {
  return (ports ?? [])
    .map((p) => (p.PublicPort ? `${p.IP ? (p.IP.includes(':') ? `[${p.IP}]` : p.IP) + ':' : ''}${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`))
    .join(', ');
}

/** The IMAGE cell: a short ID when the container was made from an ID, else the familiar name. */
export function imageCell(f: FormatHelpers, c: ContainerSummary, trunc: boolean): string {
  if (!c.Image) return '<no image>';
  if (!trunc) return c.Image;
  if (f.shortId(c.ImageID ?? '') === f.shortId(c.Image)) return f.shortId(c.Image);
  try {
    const ref = parseNormalizedNamed(c.Image);
    if (ref.tag) return familiarString({ domain: ref.domain, path: ref.path, tag: ref.tag });
    return familiarName(ref);
  } catch {
    return c.Image;
  }
}

/** One row as docker's ContainerContext exposes it to templates (and to {{json .}}). */
export function psRow(f: FormatHelpers, c: ContainerSummary, trunc: boolean, now: number): Record<string, unknown> {
  let names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  if (trunc) {
    const own = names.find((n) => !n.includes('/'));
    if (own !== undefined) names = [own];
  }
  const labels = c.Labels ?? {};
  const size = c.SizeRootFs && c.SizeRootFs > 0 ? `${f.humanSize(c.SizeRw ?? 0)} (virtual ${f.humanSize(c.SizeRootFs)})` : f.humanSize(c.SizeRw ?? 0);
  const mounts = (c.Mounts ?? []).map((m) => {
    const n = m.Name || m.Source;
    return trunc ? f.ellipsis(n, 15) : n;
  });
  return {
    Command: JSON.stringify(trunc ? f.ellipsis(c.Command ?? '', 20) : (c.Command ?? '')),
    CreatedAt: goTimeString(c.Created),
    ID: trunc ? f.shortId(c.Id) : c.Id,
    Image: imageCell(f, c, trunc),
    Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Mounts: mounts.join(','),
    Names: names.join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: null,
    Ports: displayablePorts(c.Ports),
    RunningFor: `${f.humanDuration(now - c.Created * 1000)} ago`,
    Size: size,
    State: c.State,
    Status: c.Status,
  };
}

export const spec: CommandSpec<PsFlags> = {
  name: 'ps',
  usage: '[OPTIONS]',
  description: 'List containers',
  maxArgs: 0,
  options: (cmd) =>
    cmd
      .option('-a, --all', 'Show all containers (default shows just running)')
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.")
      .option('-n, --last <int>', 'Show n last created containers (includes all states)', '-1')
      .option('-l, --latest', 'Show the latest created container (includes all states)')
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only display container IDs')
      .option('-s, --size', 'Display total file sizes'),
  async run(ctx, _args, o) {
    const noTrunc = o.trunc === false || o.noTrunc === true;
    let limit = intFlag('-n, --last', o.last) ?? -1;
    if (o.latest && limit === -1) limit = 1;
    const format = o.format ?? '';
    if (format && o.quiet) ctx.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
    // docker asks for sizes when a custom format uses .Size.
    const size = !!o.size || (!o.quiet && (/\.Size\b/.test(format) || format === 'json' || /\{\{\s*json\s+\.\s*\}\}/.test(format)));
    const filters = parseFilterFlags(o.filter);
    const [list, f] = await Promise.all([containerList(ctx.client, { all: !!o.all || limit > 0, limit, size, filters }), loadFormat()]);
    const now = Date.now();
    const rows = list.map((c) => psRow(f, c, !noTrunc, now));
    const table = size && (format === '' || format === 'table') ? `${DEFAULT_TABLE}\t{{.Size}}` : DEFAULT_TABLE;
    ctx.out(renderListWith(f, rows, { format, quiet: !!o.quiet, defaultTable: table, headers: PS_HEADERS }));
  },
};
