// Network endpoints: GET /networks, GET/DELETE /networks/{id}, POST /networks/create,
// POST /networks/{id}/connect and /disconnect, POST /networks/prune. Translation only: Docker's wire
// shapes from the network service's records.
import type { Router } from '../http-server.js';
import type { Services } from '../../daemon/services.js';
import { InvalidParameterError } from '../../errors.js';
import type { NetworkRecord } from '../../engine/networks/network-store.js';
import type { NetworkService } from '../../engine/networks/network-service.js';
import type { EndpointSettings, NetworkCreateRequest, NetworkResource } from '../../api/types/index.js';
import { untilTime } from '../../lib/format/filter-values.js';

function wire(n: NetworkRecord, net: NetworkService, withContainers: boolean): NetworkResource {
  const containers: NetworkResource['Containers'] = {};
  if (withContainers) {
    for (const c of net.containersOn(n.id)) {
      containers[c.containerId] = {
        Name: c.name,
        EndpointID: c.endpoint.endpointId,
        MacAddress: c.endpoint.macAddress,
        IPv4Address: `${c.endpoint.ipAddress}/${c.endpoint.ipPrefixLen}`,
        IPv6Address: '',
      };
    }
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: null,
      Config: n.subnet ? [{ Subnet: n.subnet, ...(n.gateway ? { Gateway: n.gateway } : {}), ...(n.ipRange ? { IPRange: n.ipRange } : {}) }] : [],
    },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  };
}

function matchLabel(labels: Record<string, string>, f: string): boolean {
  const i = f.indexOf('=');
  return i < 0 ? f in labels : labels[f.slice(0, i)] === f.slice(i + 1);
}

const FILTERS = ['name', 'id', 'driver', 'label', 'type', 'scope', 'dangling'];

function listFiltered(net: NetworkService, filters: Record<string, string[]>): NetworkRecord[] {
  for (const k of Object.keys(filters)) if (!FILTERS.includes(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
  const any = (k: string, pred: (v: string) => boolean) => !filters[k]?.length || filters[k]!.some(pred);
  for (const t of filters['type'] ?? []) if (t !== 'custom' && t !== 'builtin') throw new InvalidParameterError(`invalid filter: 'type'='${t}'`);
  return net
    .list()
    .filter((n) => any('name', (v) => n.name.includes(v)))
    .filter((n) => any('id', (v) => n.id.startsWith(v)))
    .filter((n) => any('driver', (v) => n.driver === v))
    .filter((n) => !filters['label']?.length || filters['label']!.every((f) => matchLabel(n.labels, f)))
    .filter((n) => any('type', (v) => (v === 'builtin') === n.builtin))
    .filter((n) => any('scope', (v) => v === 'local'))
    .filter((n) => any('dangling', (v) => (v === 'true' || v === '1') === (!n.builtin && net.containersOn(n.id).length === 0)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function stringMap(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new InvalidParameterError(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field CreateRequest.${field} of type map[string]string`);
  }
  return v as Record<string, string>;
}

export function registerNetworkRoutes(r: Router, s: Services): void {
  const net = s.networks;

  r.get('/networks', (ctx) => {
    ctx.sendJson(200, listFiltered(net, ctx.filters()).map((n) => wire(n, net, false)));
  });

  r.get('/networks/:id', (ctx) => {
    ctx.sendJson(200, wire(net.find(ctx.param('id')), net, true));
  });

  r.post('/networks/create', async (ctx) => {
    const b = await ctx.json<Record<string, unknown>>(); // a NetworkCreateRequest, checked field by field
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new InvalidParameterError('json: cannot unmarshal non-object into Go value of type types.NetworkCreateRequest');
    if (typeof b['Name'] !== 'string' || b['Name'] === '') throw new InvalidParameterError('invalid name: network name must not be empty');
    if (b['Driver'] !== undefined && typeof b['Driver'] !== 'string') throw new InvalidParameterError('json: cannot unmarshal into Go struct field CreateRequest.Driver of type string');
    if (b['EnableIPv6'] === true) throw new InvalidParameterError('berth networks are IPv4-only: --ipv6 is not supported');
    const ipam = (b['IPAM'] ?? {}) as NonNullable<NetworkCreateRequest['IPAM']>;
    if (typeof ipam !== 'object' || Array.isArray(ipam)) throw new InvalidParameterError('json: cannot unmarshal into Go struct field CreateRequest.IPAM of type network.IPAM');
    if (ipam.Config != null && (!Array.isArray(ipam.Config) || ipam.Config.some((c) => typeof c !== 'object' || c === null || [c.Subnet, c.Gateway, c.IPRange].some((v) => v !== undefined && typeof v !== 'string')))) {
      throw new InvalidParameterError('json: cannot unmarshal into Go struct field IPAM.IPAM.Config of type []network.IPAMConfig');
    }
    if (ipam.Driver && ipam.Driver !== 'default') throw new InvalidParameterError(`ipam driver ${ipam.Driver} is not supported`);
    const labels = stringMap(b['Labels'], 'Labels');
    const options = stringMap(b['Options'], 'Options');
    const res = await net.create({
      name: b['Name'],
      ...(typeof b['Driver'] === 'string' ? { driver: b['Driver'] } : {}),
      internal: b['Internal'] === true,
      ...(labels ? { labels } : {}),
      ...(options ? { options } : {}),
      ipam: (ipam.Config ?? []).map((c) => ({ ...(c.Subnet ? { subnet: c.Subnet } : {}), ...(c.Gateway ? { gateway: c.Gateway } : {}), ...(c.IPRange ? { ipRange: c.IPRange } : {}) })),
    });
    ctx.sendJson(201, { Id: res.id, Warning: res.warning });
  });

  r.delete('/networks/:id', async (ctx) => {
    await net.remove(ctx.param('id'));
    ctx.sendStatus(204);
  });

  r.post('/networks/prune', async (ctx) => {
    const f = ctx.filters();
    for (const k of Object.keys(f)) if (!['until', 'label'].includes(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    const until = f['until']?.[0] ? parseUntil(f['until'][0]) : undefined;
    const labels = f['label'];
    const removed = await net.prune(until, labels?.length ? (l) => labels.every((x) => matchLabel(l, x)) : undefined);
    ctx.sendJson(200, { NetworksDeleted: removed });
  });

  r.post('/networks/:id/connect', async (ctx) => {
    const b = await ctx.json<{ Container?: string; EndpointConfig?: EndpointSettings }>();
    if (!b || typeof b.Container !== 'string') throw new InvalidParameterError('a container name or ID is required');
    await s.containers.connectNetwork(b.Container, net.find(ctx.param('id')).name, b.EndpointConfig ?? {});
    ctx.sendStatus(200);
  });

  r.post('/networks/:id/disconnect', async (ctx) => {
    const b = await ctx.json<{ Container?: string; Force?: boolean }>();
    if (!b || typeof b.Container !== 'string') throw new InvalidParameterError('a container name or ID is required');
    await s.containers.disconnectNetwork(b.Container, net.find(ctx.param('id')).name);
    ctx.sendStatus(200);
  });
}

function parseUntil(v: string): number {
  const t = untilTime(v);
  if (t === null) throw new InvalidParameterError(`invalid filter 'until=${v}'`);
  return t;
}
