// Image endpoints of the Engine API. Tar bodies (import, load) and tar answers (save) pass through as
// streams, never held whole in memory.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { HistoryResponseItem, ImageDeleteResponseItem, ImageInspect, ImagePruneResponse, ImageSummary } from '../api/types/index.js';
import { encodeFilters, type Client } from './client.js';

const enc = encodeURIComponent;

export function imageList(c: Client, o: { all?: boolean; digests?: boolean; filters?: Record<string, string[]> } = {}): Promise<ImageSummary[]> {
  return c.json('GET', '/images/json', { query: { all: o.all || undefined, digests: o.digests || undefined, filters: encodeFilters(o.filters) } });
}

export function imageInspect(c: Client, name: string): Promise<ImageInspect> {
  return c.json('GET', `/images/${enc(name)}/json`);
}

export function imageHistory(c: Client, name: string): Promise<HistoryResponseItem[]> {
  return c.json('GET', `/images/${enc(name)}/history`);
}

export function imageTag(c: Client, source: string, repo: string, tag?: string): Promise<number> {
  return c.noContent('POST', `/images/${enc(source)}/tag`, { query: { repo, tag: tag || undefined } });
}

export function imageRemove(c: Client, name: string, o: { force?: boolean; noprune?: boolean } = {}): Promise<ImageDeleteResponseItem[]> {
  return c.json('DELETE', `/images/${enc(name)}`, { query: { force: o.force || undefined, noprune: o.noprune || undefined } });
}

export function imagePrune(c: Client, filters?: Record<string, string[]>): Promise<ImagePruneResponse> {
  return c.json('POST', '/images/prune', { query: { filters: encodeFilters(filters) } });
}

/** POST /images/create?fromImage= (pull); the answer is a JSON progress stream. */
export function imagePull(c: Client, fromImage: string, tag?: string, platform?: string): Promise<IncomingMessage> {
  return c.request('POST', '/images/create', { query: { fromImage, tag: tag || undefined, platform: platform || undefined } });
}

/**
 * POST /images/create?fromSrc=- (import) with the rootfs tar as the body, or fromSrc=URL with no body.
 * `changes` are Dockerfile instructions (CMD, ENV...), one query value each as docker sends them.
 */
export function imageImport(
  c: Client,
  source: Readable | Buffer | string,
  o: { repo?: string; tag?: string; message?: string; changes?: string[]; platform?: string } = {},
): Promise<IncomingMessage> {
  const fromSrc = typeof source === 'string' ? source : '-';
  return c.request('POST', '/images/create', {
    query: { fromSrc, repo: o.repo || undefined, tag: o.tag || undefined, message: o.message || undefined, changes: o.changes?.length ? o.changes : undefined, platform: o.platform || undefined },
    ...(typeof source === 'string' ? {} : { raw: source, contentType: 'application/x-tar' }),
  });
}

/** POST /images/load: a docker-archive (or OCI layout) tar in, a JSON progress stream out. */
export function imageLoad(c: Client, tar: Readable | Buffer, o: { quiet?: boolean } = {}): Promise<IncomingMessage> {
  return c.request('POST', '/images/load', { query: { quiet: o.quiet ?? false }, raw: tar, contentType: 'application/x-tar' });
}

/** GET /images/get?names=a&names=b: a docker-archive tar stream of the named images. */
export function imageSave(c: Client, names: string[]): Promise<IncomingMessage> {
  return c.request('GET', '/images/get', { query: { names } });
}

/** POST /images/{name}/push?tag=: the JSON progress stream; `auth` is the X-Registry-Auth value. */
export function imagePush(c: Client, name: string, o: { tag?: string; auth?: string } = {}): Promise<IncomingMessage> {
  return c.request('POST', `/images/${enc(name)}/push`, { query: { tag: o.tag || undefined }, headers: { 'X-Registry-Auth': o.auth ?? '' } });
}

/** POST /images/create?fromImage= with credentials (X-Registry-Auth) for the image's registry. */
export function imagePullWithAuth(c: Client, fromImage: string, o: { tag?: string; platform?: string; auth?: string } = {}): Promise<IncomingMessage> {
  return c.request('POST', '/images/create', {
    query: { fromImage, tag: o.tag || undefined, platform: o.platform || undefined },
    headers: o.auth ? { 'X-Registry-Auth': o.auth } : {},
  });
}

export interface ImageSearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

/** GET /images/search?term=&limit=&filters= */
export function imageSearch(c: Client, term: string, o: { limit?: number; filters?: Record<string, string[]>; auth?: string } = {}): Promise<ImageSearchResult[]> {
  return c.json('GET', '/images/search', {
    query: { term, limit: o.limit || undefined, filters: encodeFilters(o.filters) },
    headers: o.auth ? { 'X-Registry-Auth': o.auth } : {},
  });
}

/** POST /auth: checks credentials with the registry ({"Status":"Login Succeeded"}). */
export function registryLogin(c: Client, auth: { username: string; password: string; serveraddress: string }): Promise<{ Status: string; IdentityToken?: string }> {
  return c.json('POST', '/auth', { json: auth });
}
