// Published ports as pure data: what a container's HostConfig.PortBindings, ExposedPorts and
// PublishAllPorts ask for, checked and expanded into one request per port, and what inspect
// (NetworkSettings.Ports) and ps (the Ports summary) show once host ports are chosen.
import { ipToNumber } from './ipam.js';
import { InvalidParameterError } from '../../errors.js';

export type Proto = 'tcp' | 'udp';

/** One port to publish; hostPort null asks for any free port, a range for any free port within it. */
export interface PortRequest {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  hostPorts: { start: number; end: number } | null;
}

/** A port as published: the host side chosen. */
export interface PublishedPort {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

interface Binding {
  HostIp?: string;
  HostPort?: string;
}

function parsePortKey(key: string): { port: number; proto: string } {
  const m = /^(\d+)(?:\/(\w+))?$/.exec(key);
  const port = m ? Number(m[1]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new InvalidParameterError(`invalid port specification: "${key}"`);
  return { port, proto: (m[2] ?? 'tcp').toLowerCase() };
}

function parseHostPorts(s: string, key: string): { start: number; end: number } | null {
  if (s === '' || s === '0') return null;
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  const start = m ? Number(m[1]) : NaN;
  const end = m && m[2] !== undefined ? Number(m[2]) : start;
  if (!m || !(start >= 1 && start <= 65535) || !(end >= start && end <= 65535)) throw new InvalidParameterError(`invalid port specification: "${s}" (for ${key})`);
  return { start, end };
}

/**
 * The ports to publish, in a stable order (by container port, then protocol). -P publishes every
 * exposed port that has no explicit binding onto a free host port, as Docker does.
 */
export function portRequests(bindings: Record<string, Binding[] | null> | null | undefined, exposed: Record<string, unknown> | null | undefined, publishAll: boolean): PortRequest[] {
  const out: PortRequest[] = [];
  const keys = new Set<string>(Object.keys(bindings ?? {}));
  if (publishAll) for (const k of Object.keys(exposed ?? {})) keys.add(k);
  const sorted = [...keys].map((k) => ({ k, ...parsePortKey(k) })).sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  for (const { k, port, proto } of sorted) {
    if (proto !== 'tcp' && proto !== 'udp') throw new InvalidParameterError(`unsupported protocol ${proto} for port ${k}: berth publishes tcp and udp`);
    const list = bindings?.[k];
    const entries: Binding[] = list && list.length ? list : publishAll ? [{}] : [];
    for (const b of entries) {
      const hostIp = b.HostIp ?? '';
      // IPv6 host addresses are not published (berth's bridges are IPv4-only); Docker too skips them
      // when the daemon has no IPv6.
      if (/^[0-9a-fA-F:.]+$/.test(hostIp) && hostIp.includes(':')) continue;
      if (hostIp !== '' && ipToNumber(hostIp) === null) throw new InvalidParameterError(`invalid host IP address: ${hostIp}`);
      out.push({ proto, containerPort: port, hostIp: hostIp === '' ? '0.0.0.0' : hostIp, hostPorts: parseHostPorts(b.HostPort ?? '', k) });
    }
  }
  return out;
}

/** NetworkSettings.Ports: every exposed or published port; null for those not published. */
export function inspectPorts(exposed: Record<string, unknown> | null | undefined, published: PublishedPort[]): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const k of Object.keys(exposed ?? {})) {
    const { port, proto } = parsePortKeyLoose(k);
    out[`${port}/${proto}`] = null;
  }
  for (const p of published) (out[`${p.containerPort}/${p.proto}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  return out;
}

function parsePortKeyLoose(k: string): { port: string; proto: string } {
  const [port, proto] = k.split('/');
  return { port: port ?? k, proto: (proto ?? 'tcp').toLowerCase() };
}

export interface PortSummaryEntry {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: Proto;
}

/** The Ports of GET /containers/json: published ones with their host side, exposed ones without. */
export function summaryPorts(exposed: Record<string, unknown> | null | undefined, published: PublishedPort[]): PortSummaryEntry[] {
  const out: PortSummaryEntry[] = published.map((p) => ({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto }));
  for (const k of Object.keys(exposed ?? {})) {
    const { port, proto } = parsePortKeyLoose(k);
    const n = Number(port);
    if (!published.some((p) => p.containerPort === n && p.proto === proto)) out.push({ PrivatePort: n, Type: proto as Proto });
  }
  return out;
}
