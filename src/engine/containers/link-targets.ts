// Legacy links against the container records: what --link names is checked at create and stored as
// Docker stores it, and at each start resolved to the running targets' bridge addresses (the hosts
// entries and variables themselves are pure, in lib/net/links.ts).
import { ConflictError, InvalidParameterError } from '../../errors.js';
import { parseLink, storedLink, type LinkTarget } from '../../lib/net/links.js';
import type { ContainerRecord } from './container-model.js';

type Find = (idOrName: string) => ContainerRecord;

/** HostConfig.Links as Docker stores them ("/target:/name/alias"); each target must exist. */
export function normalizeLinks(links: string[], name: string, mode: string | undefined, find: Find): string[] {
  if (mode === 'host' || mode === 'none' || mode?.startsWith('container:')) {
    throw new InvalidParameterError("conflicting options: container type network can't be used with links. This would result in undefined behavior");
  }
  return links.map((raw) => {
    const l = parseLink(raw);
    return storedLink({ target: find(l.target).name, alias: l.alias }, name);
  });
}

/** The running containers `c` links to, with their bridge addresses, at its start. */
export function linkTargets(c: ContainerRecord, find: Find): Array<{ alias: string; target: LinkTarget }> {
  return (c.hostConfig.Links ?? []).map((raw) => {
    const l = parseLink(raw);
    const t = find(l.target);
    if (t.state.status !== 'running') throw new ConflictError(`Cannot link to a non running container: /${t.name} AS /${c.name}/${l.alias}`);
    const ep = t.network?.endpoints.find((e) => e.network === 'bridge') ?? t.network?.endpoints[0];
    if (!ep) throw new ConflictError(`Cannot link to /${t.name}, as it does not belong to the default network`);
    return { alias: l.alias, target: { name: t.name, id: t.id, ip: ep.ipAddress, exposedPorts: Object.keys(t.config.ExposedPorts ?? {}), env: t.config.Env ?? [] } };
  });
}
