// `-p/--publish` and `--expose` as docker parses them (go-connections nat.ParsePortSpecs):
// `[ip:][hostPort:]containerPort[/proto]`, ranges like `8000-8010:80-90`, and the long form
// `published=8080,target=80,protocol=udp`. The daemon refuses publishing for now; we still send it.
import { isIP } from 'node:net';
import type { PortBinding } from '../api/types/index.js';

export interface PortSpecs {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, PortBinding[]>;
}

function parseRange(s: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new Error(`invalid port: ${s}`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535) throw new Error(`invalid port: ${s}`);
  if (b < a) throw new Error(`invalid range specified for port: ${s}`);
  return [a, b];
}

function splitProtoPort(s: string): [string, string] {
  const i = s.indexOf('/');
  if (i < 0) return ['tcp', s];
  return [s.slice(i + 1) || 'tcp', s.slice(0, i)];
}

/** The long syntax `published=8080,target=80` becomes `8080:80/tcp` (docker's convertToStandardNotation). */
export function toStandardNotation(spec: string): string {
  if (!spec.includes('=')) return spec;
  const params: Record<string, string> = { protocol: 'tcp' };
  for (const p of spec.split(',')) {
    const i = p.indexOf('=');
    if (i <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${p}')`);
    params[p.slice(0, i)] = p.slice(i + 1);
  }
  return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
}

function splitParts(raw: string): [string, string, string] {
  // An IPv6 host address comes in brackets: [::1]:8080:80
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(raw);
  if (v6) {
    const rest = v6[2]!.split(':');
    return [v6[1]!, rest.length > 1 ? rest[0]! : '', rest[rest.length - 1]!];
  }
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0]!, container];
  if (n === 3) return [parts[0]!, parts[1]!, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, container];
}

export function parsePortSpecs(publish: string[], expose: string[] = []): PortSpecs {
  const out: PortSpecs = { exposed: {}, bindings: {} };
  for (const rawSpec of publish) {
    const raw = toStandardNotation(rawSpec);
    const [ip, hostPort, containerSpec] = splitParts(raw);
    if (ip !== '' && isIP(ip) === 0) throw new Error(`invalid IP address: ${ip}`);
    const [proto, containerPort] = splitProtoPort(containerSpec);
    if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
    if (containerPort === '') throw new Error(`no port specified: ${containerSpec}<empty>`);
    let cStart: number, cEnd: number;
    try {
      [cStart, cEnd] = parseRange(containerPort);
    } catch {
      throw new Error(`invalid containerPort: ${containerPort}`);
    }
    let hStart = 0;
    let hEnd = 0;
    if (hostPort !== '') {
      try {
        [hStart, hEnd] = parseRange(hostPort);
      } catch {
        throw new Error(`invalid hostPort: ${hostPort}`);
      }
      // A single host port with a container range is not allowed; equal-length ranges map one to one.
      if (cEnd - cStart !== hEnd - hStart && hEnd !== hStart) {
        throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
      }
    }
    for (let i = 0; i <= cEnd - cStart; i++) {
      const key = `${cStart + i}/${proto.toLowerCase()}`;
      let hp = '';
      if (hostPort !== '') hp = hEnd !== hStart && hEnd - hStart === cEnd - cStart ? String(hStart + i) : hostPort;
      out.exposed[key] = {};
      (out.bindings[key] ??= []).push({ HostIp: ip, HostPort: hp });
    }
  }
  for (const e of expose) {
    if (e.includes(':')) throw new Error(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let a: number, b: number;
    try {
      [a, b] = parseRange(port);
    } catch (err) {
      throw new Error(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
    }
    for (let p = a; p <= b; p++) out.exposed[`${p}/${proto}`] ??= {};
  }
  return out;
}
