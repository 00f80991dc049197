// `berth volume create|ls|rm`: named volumes, with docker's output (names printed, VOLUME NAME table).
import type { CommandSpec } from '../command-spec.js';
import { collect, parseFilterFlags } from '../command-spec.js';
import { StatusError } from '../context.js';
import { errorText } from '../error-text.js';
import { volumeCreate, volumeList, volumeRemove } from '../../client/volumes.js';
import { kvToMap } from '../flag-values.js';
import { loadFormat } from '../formatting.js';
import { renderListWith } from '../list-format.js';

interface CreateFlags {
  driver?: string;
  label?: string[];
  opt?: string[];
  name?: string;
}

export const createSpec: CommandSpec<CreateFlags> = {
  name: 'create',
  usage: '[OPTIONS] [VOLUME]',
  description: 'Create a volume',
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('-d, --driver <string>', 'Specify volume driver name', 'local')
      .option('--label <list>', 'Set metadata for a volume', collect)
      .option('-o, --opt <map>', 'Set driver specific options', collect)
      .option('--name <string>', 'Specify volume name'),
  async run(ctx, args, o) {
    if (args[0] && o.name && args[0] !== o.name) throw new Error(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`);
    const v = await volumeCreate(ctx.client, {
      Name: args[0] ?? o.name ?? '',
      Driver: o.driver ?? 'local',
      DriverOpts: kvToMap(o.opt ?? []),
      Labels: kvToMap(o.label ?? []),
    });
    ctx.out(`${v.Name}\n`);
  },
};

export const rmSpec: CommandSpec<{ force?: boolean }> = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Remove one or more volumes',
  minArgs: 1,
  options: (cmd) => cmd.option('-f, --force', 'Force the removal of one or more volumes'),
  async run(ctx, args, o) {
    const errs: string[] = [];
    for (const name of args) {
      try {
        await volumeRemove(ctx.client, name, { force: o.force });
        ctx.out(`${name}\n`);
      } catch (e) {
        errs.push(errorText(e));
      }
    }
    if (errs.length) throw new StatusError(1, errs.join('\n'));
  },
};

const HEADERS = { Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE', Group: 'GROUP', Availability: 'AVAILABILITY', Status: 'STATUS' };

export const lsSpec: CommandSpec<{ quiet?: boolean; filter?: string[]; format?: string; cluster?: boolean }> = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  description: 'List volumes',
  maxArgs: 0,
  options: (cmd) =>
    cmd
      .option('-f, --filter <filter>', "Provide filter values (e.g. 'dangling=true')", collect)
      .option('--format <string>', 'Format output using a custom template')
      .option('-q, --quiet', 'Only display volume names'),
  async run(ctx, _args, o) {
    const [res, f] = await Promise.all([volumeList(ctx.client, parseFilterFlags(o.filter)), loadFormat()]);
    const vols = [...(res.Volumes ?? [])].sort((a, b) => a.Name.localeCompare(b.Name));
    const rows = vols.map((v) => ({
      Availability: 'N/A',
      Driver: v.Driver,
      Group: 'N/A',
      Labels: Object.entries(v.Labels ?? {}).map(([k, x]) => `${k}=${x}`).sort().join(','),
      Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
      Mountpoint: v.Mountpoint,
      Name: v.Name,
      Scope: v.Scope,
      Size: v.UsageData && v.UsageData.Size >= 0 ? f.humanSize(v.UsageData.Size, 4) : 'N/A',
      Status: 'N/A',
    }));
    for (const w of res.Warnings ?? []) ctx.err(`${w}\n`);
    ctx.out(renderListWith(f, rows, { format: o.format ?? '', quiet: !!o.quiet, defaultTable: 'table {{.Driver}}\t{{.Name}}', quietFormat: '{{.Name}}', headers: HEADERS }));
  },
};
