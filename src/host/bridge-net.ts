// The kernel side of bridge networking, as thin as it can be: bridges and veth pairs through
// rtnetlink from berthd itself (veth-netlink.ts; iproute2's `ip -batch` when the native addon is not
// built), sysctls through /proc, and packet filtering through
// iptables-restore, which replaces whole chains in one atomic call. The engine decides everything;
// this file only carries it out.
//
// Every chain is named after the daemon's default bridge (unique per daemon), so test daemons and a
// real dockerd beside them never touch each other's rules:
//   filter BERTHF-<tag>  (from FORWARD)          who may talk to whom
//   nat    BERTH-<tag>   (PREROUTING and OUTPUT)  DNAT of published ports, loopback included
//   nat    BERTHP-<tag>  (POSTROUTING)            masquerade: outbound, and loopback to a bridge
import fs from 'node:fs';
import { runCommand } from './command.js';
import type { Logger } from '../daemon/logger.js';
import { SystemError } from '../errors.js';
import { deleteLinkNetlink, ensureBridgeNetlink, vethNetlinkAvailable, wireVethNetlink } from './veth-netlink.js';
import { savedRulePresent } from '../lib/net/rules.js';

export interface ChainNames {
  filter: string;
  dnat: string;
  post: string;
}

export function chainNames(tag: string): ChainNames {
  return { filter: `BERTHF-${tag}`, dnat: `BERTH-${tag}`, post: `BERTHP-${tag}` };
}

/** The jumps from the built-in chains into ours: [table, chain, rule args]. */
export function jumpRules(tag: string): Array<[string, string, string[]]> {
  const c = chainNames(tag);
  return [
    ['filter', 'FORWARD', ['-j', c.filter]],
    ['nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.dnat]],
    ['nat', 'OUTPUT', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.dnat]],
    ['nat', 'POSTROUTING', ['-j', c.post]],
  ];
}

async function run(file: string, args: string[], log: Logger | undefined, input?: string): Promise<void> {
  const r = await runCommand(file, args, { ...(log ? { log } : {}), ...(input !== undefined ? { input } : {}) });
  if (r.code !== 0) throw new SystemError(`${file} ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
}

function writeSysctl(p: string, value: string): void {
  try {
    if (fs.readFileSync(p, 'utf8').trim() !== value) fs.writeFileSync(p, value);
  } catch (e) {
    throw new SystemError(`cannot set ${p} to ${value}: ${(e as Error).message}`, { cause: e });
  }
}

export function linkExists(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}`);
}

/**
 * The bridge with its gateway address, up. An existing bridge is adopted (a restarted daemon finds
 * its own; its containers' veths stay attached). route_localnet lets DNAT send 127.0.0.1 traffic
 * across it, which is how published ports answer on loopback without a userland proxy.
 */
export async function ensureBridge(name: string, gatewayCidr: string, log?: Logger): Promise<void> {
  const [gateway, prefix] = gatewayCidr.split('/');
  if (vethNetlinkAvailable()) await ensureBridgeNetlink(name, gateway!, Number(prefix));
  else {
    const cmds: string[] = [];
    if (!linkExists(name)) cmds.push(`link add name ${name} type bridge`);
    cmds.push(`addr replace ${gatewayCidr} dev ${name}`, `link set ${name} up`);
    await run('ip', ['-batch', '-'], log, cmds.join('\n') + '\n');
  }
  writeSysctl(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1');
  writeSysctl('/proc/sys/net/ipv4/ip_forward', '1');
}

export async function deleteLink(name: string, log?: Logger): Promise<void> {
  if (!linkExists(name)) return;
  if (vethNetlinkAvailable()) return deleteLinkNetlink(name);
  const r = await runCommand('ip', ['link', 'del', 'dev', name], log ? { log } : {});
  if (r.code !== 0 && linkExists(name)) throw new SystemError(`ip link del ${name}: ${r.stderr.trim()}`);
}

/** A veth pair from a bridge to a container's interface: what both ways of plumbing it take. */
interface VethEnds {
  bridge: string;
  hostIf: string;
  /** The name inside the container (eth0, eth1, ...). */
  ifName: string;
  address: string;
  prefixLen: number;
  mac: string;
  /** Set for the container's first network only: its default route. */
  gateway?: string;
}

export interface VethPlan extends VethEnds {
  /** The container's init: its network namespace is /proc/PID/ns/net. */
  pid: number;
}

/**
 * A veth pair from the bridge into a running container's namespace (a connect, or a container whose
 * namespace runc made): the same plumbing as plumbIntoNetns, through /proc/PID/ns/net.
 */
export async function plumbVeth(p: VethPlan, log?: Logger): Promise<void> {
  const { pid, ...rest } = p;
  await plumbIntoNetns({ ...rest, netns: `/proc/${pid}/ns/net` }, log);
}

/** A container's network namespace made ahead of its runtime create (see plumbIntoNetns). */
export interface NetnsVethPlan extends VethEnds {
  /** The namespace's bind-mounted file (the container joins it by this path). */
  netns: string;
  /** Bring the namespace's loopback up (the first endpoint of a namespace nobody else set up). */
  loopback?: boolean;
}

/**
 * A veth pair from the bridge into a namespace that exists before the container does, so that this
 * runs beside the runtime's create instead of after it: one `ip` on the host side makes the pair
 * with its host end enslaved and up and its peer named, addressed by MAC and moved into the namespace
 * (by path) in the same request; one inside it (nsenter --net) adds the address, the route and, for
 * the first endpoint, the loopback (runc brings lo up only in namespaces it makes itself).
 */
export async function plumbIntoNetns(p: NetnsVethPlan, log?: Logger): Promise<void> {
  if (vethNetlinkAvailable()) return wireVethNetlink(p);
  await run('ip', ['-batch', '-'], log, `link add ${p.hostIf} up master ${p.bridge} type veth peer name ${p.ifName} address ${p.mac} netns ${p.netns}\n`);
  const inside = [`addr add ${p.address}/${p.prefixLen} dev ${p.ifName}`, `link set ${p.ifName} up`];
  if (p.loopback) inside.unshift('link set lo up');
  if (p.gateway) inside.push(`route replace default via ${p.gateway} dev ${p.ifName}`);
  try {
    await run('nsenter', [`--net=${p.netns}`, 'ip', '-batch', '-'], log, inside.join('\n') + '\n');
  } catch (e) {
    await deleteLink(p.hostIf, log).catch(() => {});
    throw e;
  }
}

/**
 * Our chains, replaced whole in one iptables-restore (it flushes a chain it declares, and commits
 * each table atomically): one process for every change of networks or published ports.
 */
export async function replaceChains(tables: { filter: Record<string, string[][]>; nat: Record<string, string[][]> }, log?: Logger): Promise<void> {
  const lines: string[] = [];
  for (const [table, chains] of Object.entries(tables)) {
    lines.push(`*${table}`);
    for (const name of Object.keys(chains)) lines.push(`:${name} - [0:0]`);
    for (const [name, rules] of Object.entries(chains)) for (const r of rules) lines.push(['-A', name, ...r].join(' '));
    lines.push('COMMIT');
  }
  lines.push('');
  // Several daemons (tests, a dockerd) change the same tables: a commit that raced another one's is
  // refused by the kernel's generation check; the whole replacement is simply tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      await run('iptables-restore', ['--noflush', '-w', '5'], log, lines.join('\n'));
      return;
    } catch (e) {
      if (attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/** Makes sure each built-in chain jumps to ours once (inserted first, so a dockerd's DROP policy does not win). */
export async function ensureJumps(tag: string, log?: Logger): Promise<void> {
  // One iptables-save finds the jumps a restarted daemon left (the common case) in one process, where
  // a check per jump took four; a jump it does not show is checked with -C before it is added.
  const saved = await runCommand('iptables-save', [], log ? { log } : {});
  const text = saved.code === 0 ? saved.stdout : '';
  for (const [table, chain, rule] of jumpRules(tag)) {
    if (savedRulePresent(text, table, chain, rule)) continue;
    const check = await runCommand('iptables', ['-w', '5', '-t', table, '-C', chain, ...rule], log ? { log } : {});
    if (check.code === 0) continue;
    await run('iptables', ['-w', '5', '-t', table, '-I', chain, '1', ...rule], log);
  }
}

/** Removes the jumps and our chains (daemon clean-up in tests; a daemon never calls this on stop). */
export async function removeChains(tag: string, log?: Logger): Promise<void> {
  for (const [table, chain, rule] of jumpRules(tag)) {
    for (let i = 0; i < 4; i++) {
      const r = await runCommand('iptables', ['-w', '5', '-t', table, '-D', chain, ...rule], log ? { log } : {});
      if (r.code !== 0) break;
    }
  }
  const c = chainNames(tag);
  for (const [table, name] of [['filter', c.filter], ['nat', c.dnat], ['nat', c.post]] as const) {
    await runCommand('iptables', ['-w', '5', '-t', table, '-F', name], log ? { log } : {});
    await runCommand('iptables', ['-w', '5', '-t', table, '-X', name], log ? { log } : {});
  }
}
