// Network endpoints of the Engine API.
import type { EndpointSettings, NetworkCreateRequest, NetworkResource } from '../api/types/index.js';
import { encodeFilters, type Client } from './client.js';

const enc = encodeURIComponent;

export function networkCreate(c: Client, body: NetworkCreateRequest): Promise<{ Id: string; Warning?: string }> {
  return c.json('POST', '/networks/create', { json: body });
}

export function networkList(c: Client, filters?: Record<string, string[]>): Promise<NetworkResource[]> {
  return c.json('GET', '/networks', { query: { filters: encodeFilters(filters) } });
}

export function networkInspect(c: Client, idOrName: string): Promise<NetworkResource> {
  return c.json('GET', `/networks/${enc(idOrName)}`);
}

export function networkRemove(c: Client, idOrName: string): Promise<number> {
  return c.noContent('DELETE', `/networks/${enc(idOrName)}`);
}

export function networkConnect(c: Client, network: string, container: string, cfg: EndpointSettings): Promise<number> {
  return c.noContent('POST', `/networks/${enc(network)}/connect`, { json: { Container: container, EndpointConfig: cfg } });
}

export function networkDisconnect(c: Client, network: string, container: string, force: boolean): Promise<number> {
  return c.noContent('POST', `/networks/${enc(network)}/disconnect`, { json: { Container: container, Force: force } });
}

export function networkPrune(c: Client, filters?: Record<string, string[]>): Promise<{ NetworksDeleted: string[] | null }> {
  return c.json('POST', '/networks/prune', { query: { filters: encodeFilters(filters) } });
}
