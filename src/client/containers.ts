// Container endpoints of the Engine API, one function each, typed with the wire shapes in api/types.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type {
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerPruneResponse,
  ContainerSummary,
  ContainerTopResponse,
  ContainerWaitResponse,
  FilesystemChange,
  PathStat,
} from '../api/types/index.js';
import { ApiError, errorFromBody } from './api-error.js';
import { encodeFilters, readBody, type Client, type HijackedStream } from './client.js';

const enc = encodeURIComponent;

export interface ContainerListOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Record<string, string[]>;
}

export function containerList(c: Client, o: ContainerListOptions = {}): Promise<ContainerSummary[]> {
  return c.json('GET', '/containers/json', {
    query: { all: o.all || undefined, limit: o.limit && o.limit > 0 ? o.limit : undefined, size: o.size || undefined, filters: encodeFilters(o.filters) },
  });
}

export function containerCreate(c: Client, body: ContainerCreateRequest, o: { name?: string; platform?: string } = {}): Promise<ContainerCreateResponse> {
  return c.json('POST', '/containers/create', { query: { name: o.name || undefined, platform: o.platform || undefined }, json: body });
}

export function containerInspect(c: Client, id: string, o: { size?: boolean } = {}): Promise<ContainerInspect> {
  return c.json('GET', `/containers/${enc(id)}/json`, { query: { size: o.size || undefined } });
}

/** Returns the HTTP status: 204 started, 304 already running. */
export function containerStart(c: Client, id: string, o: { detachKeys?: string } = {}): Promise<number> {
  return c.noContent('POST', `/containers/${enc(id)}/start`, { query: { detachKeys: o.detachKeys } });
}

export function containerStop(c: Client, id: string, o: { t?: number; signal?: string } = {}): Promise<number> {
  return c.noContent('POST', `/containers/${enc(id)}/stop`, { query: { t: o.t, signal: o.signal } });
}

export function containerRestart(c: Client, id: string, o: { t?: number; signal?: string } = {}): Promise<number> {
  return c.noContent('POST', `/containers/${enc(id)}/restart`, { query: { t: o.t, signal: o.signal } });
}

export function containerKill(c: Client, id: string, signal?: string): Promise<number> {
  return c.noContent('POST', `/containers/${enc(id)}/kill`, { query: { signal } });
}

export function containerRemove(c: Client, id: string, o: { force?: boolean; volumes?: boolean; link?: boolean } = {}): Promise<number> {
  return c.noContent('DELETE', `/containers/${enc(id)}`, { query: { force: o.force || undefined, v: o.volumes || undefined, link: o.link || undefined } });
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/**
 * POST /containers/{id}/wait. Resolves once the daemon has answered with headers (so the wait is
 * registered, as docker's client ensures before it starts the container); `result` settles at exit.
 */
export async function containerWait(c: Client, id: string, condition?: WaitCondition): Promise<{ result: Promise<ContainerWaitResponse> }> {
  const res = await c.request('POST', `/containers/${enc(id)}/wait`, { query: { condition } });
  const result = readBody(res).then((b) => {
    const text = b.toString('utf8').trim();
    if (!text) throw new ApiError(500, 'wait: the daemon closed the connection without a status');
    const parsed = JSON.parse(text) as ContainerWaitResponse & { message?: string };
    if (parsed.StatusCode === undefined && parsed.message) throw new ApiError(500, parsed.message);
    return parsed;
  });
  // Avoid an unhandled rejection if the caller never awaits the result.
  result.catch(() => {});
  return { result };
}

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  since?: string;
  until?: string;
  timestamps?: boolean;
  tail?: string;
  details?: boolean;
}

/** The raw log stream: framed unless the container has a TTY. */
export function containerLogs(c: Client, id: string, o: LogsOptions, signal?: AbortSignal): Promise<IncomingMessage> {
  return c.request('GET', `/containers/${enc(id)}/logs`, {
    query: {
      follow: o.follow || undefined,
      stdout: o.stdout ?? true,
      stderr: o.stderr ?? true,
      since: o.since,
      until: o.until,
      timestamps: o.timestamps || undefined,
      tail: o.tail,
      details: o.details || undefined,
    },
    signal,
  });
}

export interface AttachOptions {
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  logs?: boolean;
  detachKeys?: string;
}

export function containerAttach(c: Client, id: string, o: AttachOptions): Promise<HijackedStream> {
  return c.hijack('POST', `/containers/${enc(id)}/attach`, {
    query: { stream: o.stream ?? true, stdin: o.stdin || undefined, stdout: o.stdout || undefined, stderr: o.stderr || undefined, logs: o.logs || undefined, detachKeys: o.detachKeys },
  });
}

export function containerResize(c: Client, id: string, h: number, w: number): Promise<number> {
  return c.noContent('POST', `/containers/${enc(id)}/resize`, { query: { h, w } });
}

export function containerTop(c: Client, id: string, psArgs?: string): Promise<ContainerTopResponse> {
  return c.json('GET', `/containers/${enc(id)}/top`, { query: { ps_args: psArgs || undefined } });
}

export function containerRename(c: Client, id: string, name: string): Promise<number> {
  return c.noContent('POST', `/containers/${enc(id)}/rename`, { query: { name } });
}

export function containerChanges(c: Client, id: string): Promise<FilesystemChange[] | null> {
  return c.json('GET', `/containers/${enc(id)}/changes`);
}

/** GET /containers/{id}/export: the root filesystem as a tar stream. */
export function containerExport(c: Client, id: string): Promise<IncomingMessage> {
  return c.request('GET', `/containers/${enc(id)}/export`);
}

export function containerPrune(c: Client, filters?: Record<string, string[]>): Promise<ContainerPruneResponse> {
  return c.json('POST', '/containers/prune', { query: { filters: encodeFilters(filters) } });
}

function decodePathStat(res: IncomingMessage): PathStat | null {
  const h = res.headers['x-docker-container-path-stat'];
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return null;
  return JSON.parse(Buffer.from(v, 'base64').toString('utf8')) as PathStat;
}

/** HEAD /containers/{id}/archive: stat of a path in the container (HEAD has no body, so errors come by status). */
export async function containerStatPath(c: Client, id: string, path: string): Promise<PathStat> {
  try {
    const res = await c.request('HEAD', `/containers/${enc(id)}/archive`, { query: { path } });
    await readBody(res);
    const st = decodePathStat(res);
    if (!st) throw new ApiError(500, 'the daemon sent no path stat');
    return st;
  } catch (e) {
    // A HEAD answer carries no message; name the usual ones like docker does.
    if (e instanceof ApiError && e.message.startsWith('daemon answered')) {
      if (e.statusCode === 404) throw new ApiError(404, `Could not find the file ${path} in container ${id}`);
      throw errorFromBody(e.statusCode, '');
    }
    throw e;
  }
}

/** GET /containers/{id}/archive: a tar of the path, and the stat of the path itself. */
export async function containerGetArchive(c: Client, id: string, path: string): Promise<{ stat: PathStat | null; body: IncomingMessage }> {
  const res = await c.request('GET', `/containers/${enc(id)}/archive`, { query: { path } });
  return { stat: decodePathStat(res), body: res };
}

/** PUT /containers/{id}/archive: extracts a tar into a directory of the container. */
export function containerPutArchive(
  c: Client,
  id: string,
  path: string,
  tar: Readable | Buffer,
  o: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean } = {},
): Promise<number> {
  return c.noContent('PUT', `/containers/${enc(id)}/archive`, {
    query: { path, noOverwriteDirNonDir: o.noOverwriteDirNonDir || undefined, copyUIDGID: o.copyUIDGID || undefined },
    raw: tar,
    contentType: 'application/x-tar',
  });
}

export function containerUpdate(c: Client, id: string, body: Record<string, unknown>): Promise<{ Warnings: string[] | null }> {
  return c.json('POST', `/containers/${enc(id)}/update`, { json: body });
}

export function containerPause(c: Client, id: string): Promise<number> {
  return c.noContent('POST', `/containers/${enc(id)}/pause`);
}

export function containerUnpause(c: Client, id: string): Promise<number> {
  return c.noContent('POST', `/containers/${enc(id)}/unpause`);
}
