// Network endpoints of the Engine API.
import type { EndpointSettings } from '../api/types/index.js';
import { encodeFilters, type Client } from './client.js';

const enc = encodeURIComponent;

export interface NetworkSummary {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  Internal: boolean;
  Labels: Record<string, string> | null;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string; IPRange?: string }[] | null };
}

export interface NetworkCreateBody {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Labels?: Record<string, string>;
  Options?: Record<string, string>;
  IPAM?: { Driver?: string; Config?: { Subnet?: string; Gateway?: string; IPRange?: string }[] };
}

export function networkCreate(c: Client, body: NetworkCreateBody): Promise<{ Id: string; Warning?: string }> {
  return c.json('POST', '/networks/create', { json: body });
}

export function networkList(c: Client, filters?: Record<string, string[]>): Promise<NetworkSummary[]> {
  return c.json('GET', '/networks', { query: { filters: encodeFilters(filters) } });
}

export function networkInspect(c: Client, idOrName: string): Promise<NetworkSummary & Record<string, unknown>> {
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
