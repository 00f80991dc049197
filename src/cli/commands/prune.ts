// `container prune`, `image prune`, `volume prune`: docker's warning and [y/N] prompt (skipped with -f),
// the deleted objects, and "Total reclaimed space".
import type { CommandSpec } from '../command-spec.js';
import { collect, parseFilterFlags } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { containerPrune } from '../../client/containers.js';
import { imagePrune } from '../../client/images.js';
import { volumePrune } from '../../client/volumes.js';
import { loadFormat } from '../formatting.js';
import { confirm } from '../prompt.js';

interface PruneFlags {
  force?: boolean;
  all?: boolean;
  filter?: string[];
}

async function finish(ctx: CliContext, output: string, reclaimed: number): Promise<void> {
  const f = await loadFormat();
  if (output) ctx.out(`${output}\n`);
  ctx.out(`Total reclaimed space: ${f.humanSize(reclaimed, 4)}\n`);
}

export const containerSpec: CommandSpec<PruneFlags> = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove all stopped containers',
  maxArgs: 0,
  options: (cmd) =>
    cmd
      .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
      .option('-f, --force', 'Do not prompt for confirmation'),
  async run(ctx, _args, o) {
    if (!o.force && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return 0;
    const r = await containerPrune(ctx.client, parseFilterFlags(o.filter));
    const ids = r.ContainersDeleted ?? [];
    await finish(ctx, ids.length ? `Deleted Containers:\n${ids.map((i) => `${i}\n`).join('')}` : '', ids.length ? r.SpaceReclaimed : 0);
  },
};

export const imageSpec: CommandSpec<PruneFlags> = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused images',
  maxArgs: 0,
  options: (cmd) =>
    cmd
      .option('-a, --all', 'Remove all unused images, not just dangling ones')
      .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
      .option('-f, --force', 'Do not prompt for confirmation'),
  async run(ctx, _args, o) {
    const filters = parseFilterFlags(o.filter);
    filters.dangling = [o.all ? 'false' : 'true'];
    const warning = o.all
      ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?'
      : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
    if (!o.force && !(await confirm(ctx, warning))) return 0;
    const r = await imagePrune(ctx.client, filters);
    const items = r.ImagesDeleted ?? [];
    let out = '';
    if (items.length) {
      out = 'Deleted Images:\n';
      for (const it of items) {
        if (it.Untagged) out += `untagged: ${it.Untagged}\n`;
        if (it.Deleted) out += `deleted: ${it.Deleted}\n`;
      }
    }
    await finish(ctx, out, items.length ? r.SpaceReclaimed : 0);
  },
};

export const volumeSpec: CommandSpec<PruneFlags> = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused local volumes',
  maxArgs: 0,
  options: (cmd) =>
    cmd
      .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
      .option('--filter <filter>', 'Provide filter values (e.g. "label=<label>")', collect)
      .option('-f, --force', 'Do not prompt for confirmation'),
  async run(ctx, _args, o) {
    const filters = parseFilterFlags(o.filter);
    if (o.all) filters.all = ['true'];
    const warning = o.all
      ? 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?'
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
    if (!o.force && !(await confirm(ctx, warning))) return 0;
    const r = await volumePrune(ctx.client, filters);
    const names = r.VolumesDeleted ?? [];
    await finish(ctx, names.length ? `Deleted Volumes:\n${names.map((n) => `${n}\n`).join('')}` : '', names.length ? r.SpaceReclaimed : 0);
  },
};
