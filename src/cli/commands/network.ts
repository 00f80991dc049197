// `berth network create|ls|rm|connect|disconnect|prune` with docker's flags and output (the ID on
// create, the NETWORK ID/NAME/DRIVER/SCOPE table, names echoed on rm). `network inspect` is in inspect.ts.
import type { CommandSpec } from '../command-spec.js';
import { collect, parseFilterFlags } from '../command-spec.js';
import { StatusError } from '../context.js';
import { errorText } from '../error-text.js';
import { networkConnect, networkCreate, networkDisconnect, networkList, networkPrune, networkRemove } from '../../client/networks.js';
import { kvToMap } from '../flag-values.js';
import { loadFormat } from '../formatting.js';
import { renderListWith } from '../list-format.js';
import { confirm } from '../prompt.js';
import type { CliContext } from '../context.js';

interface CreateFlags {
  driver?: string;
  subnet?: string[];
  gateway?: string[];
  ipRange?: string[];
  internal?: boolean;
  label?: string[];
  opt?: string[];
  ipv6?: boolean;
}

export const createSpec: CommandSpec<CreateFlags> = {
  name: 'create',
  usage: '[OPTIONS] NETWORK',
  description: 'Create a network',
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('-d, --driver <string>', 'Driver to manage the Network', 'bridge')
      .option('--subnet <strings>', 'Subnet in CIDR format that represents a network segment', collect)
      .option('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet', collect)
      .option('--ip-range <strings>', 'Allocate container ip from a sub-range', collect)
      .option('--internal', 'Restrict external access to the network')
      .option('--label <list>', 'Set metadata on a network', collect)
      .option('-o, --opt <map>', 'Set driver specific options', collect)
      .option('--ipv6', 'Enable or disable IPv6 networking'),
  async run(ctx, args, o) {
    const subnets = o.subnet ?? [];
    if ((o.gateway?.length || o.ipRange?.length) && !subnets.length) throw new Error('every ip-range or gateway must have a corresponding subnet');
    const r = await networkCreate(ctx.client, {
      Name: args[0]!,
      Driver: o.driver ?? 'bridge',
      Internal: !!o.internal,
      Labels: kvToMap(o.label ?? []),
      Options: kvToMap(o.opt ?? []),
      ...(o.ipv6 ? { EnableIPv6: true } : {}),
      IPAM: { Driver: 'default', Config: subnets.map((s, i) => ({ Subnet: s, ...(o.gateway?.[i] ? { Gateway: o.gateway[i] } : {}), ...(o.ipRange?.[i] ? { IPRange: o.ipRange[i] } : {}) })) },
    });
    ctx.out(`${r.Id}\n`);
  },
};

const HEADERS = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' };

export const lsSpec: CommandSpec<{ quiet?: boolean; filter?: string[]; format?: string; noTrunc?: boolean }> = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  description: 'List networks',
  maxArgs: 0,
  options: (cmd) =>
    cmd
      .option('-f, --filter <filter>', "Provide filter values (e.g. 'driver=bridge')", collect)
      .option('--format <string>', 'Format output using a custom template')
      .option('--no-trunc', 'Do not truncate the output')
      .option('-q, --quiet', 'Only display network IDs'),
  async run(ctx, _args, o) {
    const [list, f] = await Promise.all([networkList(ctx.client, parseFilterFlags(o.filter)), loadFormat()]);
    const rows = [...list]
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map((n) => ({
        ID: o.noTrunc ? n.Id : n.Id.slice(0, 12),
        Name: n.Name,
        Driver: n.Driver,
        Scope: n.Scope,
        IPv6: 'false',
        Internal: String(n.Internal),
        Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(','),
        CreatedAt: n.Created,
      }));
    ctx.out(renderListWith(f, rows, { format: o.format ?? '', quiet: !!o.quiet, defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}', quietFormat: '{{.ID}}', headers: HEADERS }));
  },
};

/** Runs `fn` for each argument, echoing it on success; errors are collected and exit 1, as docker's. */
async function eachArg(ctx: CliContext, args: string[], fn: (a: string) => Promise<unknown>): Promise<void> {
  const errs: string[] = [];
  for (const a of args) {
    try {
      await fn(a);
      ctx.out(`${a}\n`);
    } catch (e) {
      errs.push(errorText(e));
    }
  }
  if (errs.length) throw new StatusError(1, errs.join('\n'));
}

export const rmSpec: CommandSpec<{ force?: boolean }> = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  minArgs: 1,
  options: (cmd) => cmd.option('-f, --force', 'Do not error if the network does not exist'),
  run: (ctx, args) => eachArg(ctx, args, (n) => networkRemove(ctx.client, n)),
};

export const connectSpec: CommandSpec<{ alias?: string[]; ip?: string; link?: string[] }> = {
  name: 'connect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Connect a container to a network',
  minArgs: 2,
  maxArgs: 2,
  options: (cmd) =>
    cmd
      .option('--alias <strings>', 'Add network-scoped alias for the container', collect)
      .option('--ip <string>', 'IPv4 address (e.g., "172.30.100.104")')
      .option('--link <list>', 'Add link to another container', collect),
  async run(ctx, args, o) {
    await networkConnect(ctx.client, args[0]!, args[1]!, {
      ...(o.alias?.length ? { Aliases: o.alias } : {}),
      ...(o.ip ? { IPAMConfig: { IPv4Address: o.ip } } : {}),
      ...(o.link?.length ? { Links: o.link } : {}),
    });
  },
};

export const disconnectSpec: CommandSpec<{ force?: boolean }> = {
  name: 'disconnect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Disconnect a container from a network',
  minArgs: 2,
  maxArgs: 2,
  options: (cmd) => cmd.option('-f, --force', 'Force the container to disconnect from a network'),
  async run(ctx, args, o) {
    await networkDisconnect(ctx.client, args[0]!, args[1]!, !!o.force);
  },
};

export const pruneSpec: CommandSpec<{ filter?: string[]; force?: boolean }> = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove all unused networks',
  maxArgs: 0,
  options: (cmd) => cmd.option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect).option('-f, --force', 'Do not prompt for confirmation'),
  async run(ctx, _args, o) {
    if (!o.force && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) return 0;
    const r = await networkPrune(ctx.client, parseFilterFlags(o.filter));
    const names = r.NetworksDeleted ?? [];
    if (names.length) ctx.out(`Deleted Networks:\n${names.map((n) => `${n}\n`).join('')}`);
  },
};
