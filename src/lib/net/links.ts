// Legacy container links (--link name:alias), as pure data: the HostConfig.Links form Docker stores
// ("/target:/container/alias"), and what a link gives the linking container: /etc/hosts lines and
// the environment variables Docker sets (ALIAS_NAME, ALIAS_PORT, ALIAS_PORT_80_TCP_ADDR,
// ALIAS_ENV_X for the target's own environment).
import { InvalidParameterError } from '../../errors.js';

export interface LinkSpec {
  target: string;
  alias: string;
}

/** `name`, `name:alias` or the stored `/name:/container/alias`. */
export function parseLink(raw: string): LinkSpec {
  const m = /^\/?([^:]+)(?::(.+))?$/.exec(raw.trim());
  if (!m || !m[1]) throw new InvalidParameterError(`invalid link format: ${raw}`);
  const target = m[1];
  let alias = m[2] ?? target;
  if (alias.includes('/')) alias = alias.slice(alias.lastIndexOf('/') + 1);
  if (!alias) throw new InvalidParameterError(`invalid link format: ${raw}`);
  return { target, alias };
}

export function storedLink(l: LinkSpec, containerName: string): string {
  return `/${l.target}:/${containerName}/${l.alias}`;
}

export interface LinkTarget {
  name: string;
  id: string;
  ip: string;
  exposedPorts: string[];
  env: string[];
}

function envPrefix(alias: string): string {
  return alias.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** The variables one link sets, in Docker's order. */
export function linkEnv(alias: string, containerName: string, t: LinkTarget): string[] {
  const p = envPrefix(alias);
  const out: string[] = [];
  const ports = t.exposedPorts
    .map((k) => {
      const [port, proto = 'tcp'] = k.split('/');
      return { port: Number(port), proto: proto.toLowerCase() };
    })
    .filter((x) => Number.isInteger(x.port))
    .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  if (ports.length) out.push(`${p}_PORT=${ports[0]!.proto}://${t.ip}:${ports[0]!.port}`);
  for (const { port, proto } of ports) {
    const k = `${p}_PORT_${port}_${proto.toUpperCase()}`;
    out.push(`${k}=${proto}://${t.ip}:${port}`, `${k}_ADDR=${t.ip}`, `${k}_PORT=${port}`, `${k}_PROTO=${proto}`);
  }
  out.push(`${p}_NAME=/${containerName}/${alias}`);
  for (const e of t.env) {
    const i = e.indexOf('=');
    if (i <= 0) continue;
    const k = e.slice(0, i);
    // Docker leaves out the two every image has.
    if (k === 'HOME' || k === 'PATH') continue;
    out.push(`${p}_ENV_${k}=${e.slice(i + 1)}`);
  }
  return out;
}

/** The /etc/hosts entry of a link: the alias, then the target's short ID and name. */
export function linkHostsEntry(alias: string, t: LinkTarget): string {
  const names = [alias, t.id.slice(0, 12), t.name].filter((n, i, all) => all.indexOf(n) === i);
  return `${names.join(' ')}:${t.ip}`;
}
