// The packet-filter rules of one daemon's networks and published ports, computed as data (pure; the
// host adapter installs them with iptables-restore, whole chains at a time). See host/bridge-net.ts
// for the chains and where they hang.
import type { Proto } from './ports.js';

export interface RuleNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
}

export interface RulePort {
  proto: Proto;
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

export interface RuleSet {
  filter: Record<string, string[][]>;
  nat: Record<string, string[][]>;
}

/**
 * filter: a network's bridge takes in only answers, published-port traffic (DNAT) and its own
 * members; that isolates networks from each other and from outside. What leaves a bridge goes out
 * unless the network is internal.
 * nat: published ports DNAT (from anywhere on the host, 127.0.0.1 included); masquerade for traffic
 * leaving a non-internal network, for host-local sources entering a bridge (loopback needs the
 * bridge's address as its source to be routable), and for a container reaching itself through its
 * own published port (hairpin).
 */
export function computeRules(chains: { filter: string; dnat: string; post: string }, networks: RuleNetwork[], ports: RulePort[]): RuleSet {
  const filter: string[][] = [];
  // An internal network's traffic stays on its bridge, whatever the later rules would accept.
  for (const n of networks) if (n.internal) filter.push(['-i', n.bridge, '!', '-o', n.bridge, '-j', 'DROP'], ['-o', n.bridge, '!', '-i', n.bridge, '-j', 'DROP']);
  for (const n of networks) {
    filter.push(['-o', n.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
    if (!n.internal) filter.push(['-o', n.bridge, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT']);
    filter.push(['-i', n.bridge, '-o', n.bridge, '-j', 'ACCEPT']);
    filter.push(['-o', n.bridge, '-j', 'DROP']);
  }
  for (const n of networks) if (!n.internal) filter.push(['-i', n.bridge, '-j', 'ACCEPT']);

  const dnat: string[][] = [];
  const post: string[][] = [];
  for (const p of ports) {
    const dst = p.hostIp === '0.0.0.0' ? [] : ['-d', `${p.hostIp}/32`];
    dnat.push(['-p', p.proto, ...dst, '-m', p.proto, '--dport', String(p.hostPort), '-j', 'DNAT', '--to-destination', `${p.containerIp}:${p.containerPort}`]);
    post.push(['-s', `${p.containerIp}/32`, '-d', `${p.containerIp}/32`, '-p', p.proto, '-m', p.proto, '--dport', String(p.containerPort), '-j', 'MASQUERADE']);
  }
  for (const n of networks) {
    if (!n.internal) post.push(['-s', n.subnet, '!', '-o', n.bridge, '-j', 'MASQUERADE']);
    post.push(['-o', n.bridge, '-m', 'addrtype', '--src-type', 'LOCAL', '-j', 'MASQUERADE']);
  }
  return { filter: { [chains.filter]: filter }, nat: { [chains.dnat]: dnat, [chains.post]: post } };
}

/**
 * Whether `iptables-save` output holds `-A CHAIN RULE` in TABLE. The rule is compared as iptables-save
 * prints it (the arguments in the order given, single spaces), so a rule written differently reads
 * as absent: the caller then asks iptables itself (`-C`) before adding one.
 */
export function savedRulePresent(saveText: string, table: string, chain: string, rule: string[]): boolean {
  const want = ['-A', chain, ...rule].join(' ');
  let inTable = false;
  for (const raw of saveText.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) inTable = line.slice(1) === table;
    else if (line === 'COMMIT') inTable = false;
    else if (inTable && line === want) return true;
  }
  return false;
}
