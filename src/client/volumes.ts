// Volume endpoints of the Engine API.
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../api/types/index.js';
import { encodeFilters, type Client } from './client.js';

const enc = encodeURIComponent;

export function volumeCreate(c: Client, body: VolumeCreateRequest): Promise<Volume> {
  return c.json('POST', '/volumes/create', { json: body });
}

export function volumeList(c: Client, filters?: Record<string, string[]>): Promise<VolumeListResponse> {
  return c.json('GET', '/volumes', { query: { filters: encodeFilters(filters) } });
}

export function volumeInspect(c: Client, name: string): Promise<Volume> {
  return c.json('GET', `/volumes/${enc(name)}`);
}

export function volumeRemove(c: Client, name: string, o: { force?: boolean } = {}): Promise<number> {
  return c.noContent('DELETE', `/volumes/${enc(name)}`, { query: { force: o.force || undefined } });
}

export function volumePrune(c: Client, filters?: Record<string, string[]>): Promise<VolumePruneResponse> {
  return c.json('POST', '/volumes/prune', { query: { filters: encodeFilters(filters) } });
}
