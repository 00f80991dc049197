// Image endpoints: translate requests to ImageService calls and its results to the Engine API's shapes.
// Image names may contain slashes (localhost:5000/a/b), which path parameters cannot hold, so the
// per-image endpoints are one wildcard route per method that splits the suffix (/json, /history, /tag,
// /get) off itself.
import type { Router } from '../http-server.js';
import { progressStream, isInternalError } from '../progress-stream.js';
import type { RouteContext } from '../context.js';
import type { Services } from '../../daemon/services.js';
import type { ContainerConfig } from '../../api/types/containers.js';
import type { HistoryResponseItem, ImageDeleteResponseItem, ImageInspect, ImagePruneResponse, ImageSummary, JSONMessage } from '../../api/types/images.js';
import type { DeleteRecord, ImageDetails } from '../../engine/images/image-service.js';
import { compareVersions } from '../../api/version.js';
import { InvalidParameterError, NotFoundError } from '../../errors.js';
import { decodeRegistryAuth } from '../../lib/distribution/auth-config.js';

function header(ctx: RouteContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Docker's image inspect shows the full container-config shape, nulls included. */
function fullConfig(c: ContainerConfig): ContainerConfig {
  return {
    Hostname: '',
    Domainname: '',
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    ...(c.ArgsEscaped !== undefined ? { ArgsEscaped: c.ArgsEscaped } : {}),
    Image: '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.Shell ? { Shell: c.Shell } : {}),
  };
}

function unixSeconds(iso: string): number {
  return Math.floor((Date.parse(iso) || 0) / 1000);
}

export function summary(d: ImageDetails, apiVersion: string): ImageSummary {
  const s: ImageSummary = {
    Containers: -1,
    Created: unixSeconds(d.created),
    Id: d.id,
    Labels: Object.keys(d.labels).length ? d.labels : null,
    ParentId: d.parent,
    RepoDigests: d.repoDigests,
    RepoTags: d.repoTags,
    SharedSize: -1,
    Size: d.size,
  };
  // VirtualSize went away in API 1.44.
  if (compareVersions(apiVersion, '1.44') < 0) s.VirtualSize = d.size;
  return s;
}

function inspect(d: ImageDetails, apiVersion: string): ImageInspect {
  const cfg = d.config.config ?? {};
  const dirs = d.layerDirs;
  const out: ImageInspect = {
    Id: d.id,
    RepoTags: d.repoTags,
    RepoDigests: d.repoDigests,
    Parent: d.parent,
    Comment: d.comment,
    Created: d.created,
    DockerVersion: d.dockerVersion,
    Author: d.author,
    Config: fullConfig(cfg as ContainerConfig),
    Architecture: d.architecture,
    ...(d.variant ? { Variant: d.variant } : {}),
    Os: d.os,
    Size: d.size,
    GraphDriver: {
      Name: 'overlay2',
      Data: dirs.length
        ? { ...(dirs.length > 1 ? { LowerDir: dirs.slice(0, -1).reverse().join(':') } : {}), UpperDir: dirs[dirs.length - 1]! }
        : null,
    },
    RootFS: { Type: 'layers', Layers: d.diffIds },
    Metadata: { LastTagTime: d.lastTagTime ?? '0001-01-01T00:00:00Z' },
  };
  if (compareVersions(apiVersion, '1.44') < 0) out.VirtualSize = d.size;
  // Container and ContainerConfig were dropped in API 1.45; older clients still get the (empty) shape.
  if (compareVersions(apiVersion, '1.45') < 0) {
    out.Container = '';
    out.ContainerConfig = fullConfig({});
  }
  return out;
}

function deleteItems(records: DeleteRecord[]): ImageDeleteResponseItem[] {
  return records.map((r) => ('untagged' in r ? { Untagged: r.untagged } : { Deleted: r.deleted }));
}

/** Starts a JSON-lines answer (Docker's progress stream) and returns a writer for it. */
function jsonStream(ctx: RouteContext): (m: JSONMessage) => void {
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  return (m) => {
    ctx.res.write(JSON.stringify(m) + '\r\n');
  };
}

/**
 * Reads what is left of a refused request body before answering, so a client still sending a big tar
 * sees our error instead of a reset connection.
 */
async function drainBody(ctx: RouteContext): Promise<void> {
  if (ctx.req.readableEnded || ctx.req.destroyed) return;
  // A reader that gave up early (the tar parser on a bad archive) may have left the request in
  // iterator ('readable') mode, where resume() no longer makes it flow: read it through a fresh
  // iterator instead, which works in either mode.
  try {
    for await (const chunk of ctx.req) void chunk;
  } catch {
    // the client went away: nothing left to drain
  }
}

async function withBody<T>(ctx: RouteContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    await drainBody(ctx);
    throw e;
  }
}

/** The wildcard's value: the image name plus the endpoint suffix, percent-decoded once. */
function wildcard(ctx: RouteContext): string {
  const raw = ctx.params['*'] ?? '';
  try {
    return raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    throw new InvalidParameterError(`invalid image name in path: ${raw}`);
  }
}

function splitSuffix(rest: string, suffixes: string[]): { name: string; suffix: string } | null {
  for (const s of suffixes) {
    if (rest.endsWith(`/${s}`) && rest.length > s.length + 1) return { name: rest.slice(0, -(s.length + 1)), suffix: s };
  }
  return null;
}

export function registerImageRoutes(r: Router, s: Services): void {
  const images = s.images;

  r.get('/images/json', async (ctx) => {
    const list = await images.list({ all: ctx.bool('all'), filters: ctx.filters() });
    ctx.sendJson(200, list.map((d) => summary(d, ctx.apiVersion)));
  });

  const save = async (ctx: RouteContext, names: string[]) => {
    if (!names.length) throw new InvalidParameterError('no image names given');
    const set = images.saveSet(names);
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await images.save(set, ctx.res, ctx.signal);
  };

  r.get('/images/get', (ctx) => save(ctx, ctx.query.getAll('names').flatMap((n) => n.split(',')).filter(Boolean)));

  r.get('/images/*', async (ctx) => {
    const rest = wildcard(ctx);
    const m = splitSuffix(rest, ['json', 'history', 'get']);
    if (!m) throw new NotFoundError('page not found');
    if (m.suffix === 'json') {
      ctx.sendJson(200, inspect(await images.inspect(m.name), ctx.apiVersion));
    } else if (m.suffix === 'history') {
      const items: HistoryResponseItem[] = (await images.history(m.name)).map((h) => ({
        Id: h.id,
        Created: h.created,
        CreatedBy: h.createdBy,
        Tags: h.tags.length ? h.tags : null,
        Size: h.size,
        Comment: h.comment,
      }));
      ctx.sendJson(200, items);
    } else {
      await save(ctx, [m.name]);
    }
  });

  r.post('/images/create', async (ctx) => {
    const fromSrc = ctx.query.get('fromSrc');
    const fromImage = ctx.query.get('fromImage');
    if (fromSrc !== null && fromSrc !== '') {
      if (fromSrc !== '-') {
        await drainBody(ctx);
        throw new InvalidParameterError(`importing from a URL is not supported (fromSrc=${fromSrc}); send the tar as the request body with fromSrc=-`);
      }
      const id = await withBody(ctx, () =>
        images.importImage(ctx.req, {
          repo: ctx.query.get('repo') || undefined,
          tag: ctx.query.get('tag') || undefined,
          message: ctx.query.get('message') || undefined,
          changes: ctx.query.getAll('changes'),
          source: '-',
          signal: ctx.signal,
        }),
      );
      // Docker answers an import from the body with just the new ID as a status line.
      const write = jsonStream(ctx);
      write({ status: id });
      ctx.res.end();
      return;
    }
    if (fromImage) {
      await drainBody(ctx);
      // Docker's flushing writer: an error before the first progress line is still an HTTP error
      // (404 for an unknown manifest), one after it travels inside the stream.
      const out = progressStream(ctx);
      try {
        await s.distribution.pull({
          fromImage,
          tag: ctx.query.get('tag') || undefined,
          platform: ctx.query.get('platform') || undefined,
          auth: decodeRegistryAuth(header(ctx, 'x-registry-auth')),
          signal: ctx.signal,
          onProgress: (m) => out.write(m),
        });
        out.end();
      } catch (e) {
        if (!ctx.res.headersSent) throw e;
        if (ctx.signal.aborted) return;
        if (isInternalError(e)) s.log.error(`POST /images/create: ${(e as Error)?.message ?? e}`);
        out.fail(e);
      }
      return;
    }
    await drainBody(ctx);
    throw new InvalidParameterError('fromImage or fromSrc is required');
  });

  r.post('/images/load', async (ctx) => {
    const quiet = ctx.bool('quiet');
    // Docker answers a load with 200 whatever happens and reports a failure inside the JSON stream
    // (the CLI prints it and exits 1): a body that is no archive is not an HTTP error.
    const out = progressStream(ctx);
    try {
      const lines = await images.load(ctx.req, { quiet, signal: ctx.signal });
      for (const l of lines) out.write({ stream: `${l}\n` });
      out.end();
    } catch (e) {
      await drainBody(ctx);
      if (ctx.signal.aborted) return;
      if (isInternalError(e)) s.log.error(`POST /images/load: ${(e as Error)?.message ?? e}`);
      out.fail(e);
    }
  });

  r.post('/images/prune', async (ctx) => {
    const { deleted, spaceReclaimed } = await images.prune(ctx.filters());
    const body: ImagePruneResponse = { ImagesDeleted: deleted.length ? deleteItems(deleted) : null, SpaceReclaimed: spaceReclaimed };
    ctx.sendJson(200, body);
  });

  r.post('/images/*', async (ctx) => {
    const m = splitSuffix(wildcard(ctx), ['tag', 'push']);
    if (!m) throw new NotFoundError('page not found');
    if (m.suffix === 'push') {
      await drainBody(ctx);
      // Docker answers a push with 200 and reports every failure inside the stream.
      const out = progressStream(ctx);
      try {
        await s.distribution.push({
          name: m.name,
          tag: ctx.query.get('tag') || undefined,
          auth: decodeRegistryAuth(header(ctx, 'x-registry-auth')),
          signal: ctx.signal,
          onProgress: (msg) => out.write(msg),
        });
        out.end();
      } catch (e) {
        if (!ctx.res.headersSent) throw e;
        if (ctx.signal.aborted) return;
        if (isInternalError(e)) s.log.error(`POST /images/${m.name}/push: ${(e as Error)?.message ?? e}`);
        out.fail(e);
      }
      return;
    }
    const repo = ctx.query.get('repo');
    if (!repo) throw new InvalidParameterError('repository name must have at least one component');
    await images.tag(m.name, repo, ctx.query.get('tag') || undefined);
    ctx.sendStatus(201);
  });

  r.delete('/images/*', async (ctx) => {
    const name = wildcard(ctx);
    const records = await images.remove(name, { force: ctx.bool('force'), noprune: ctx.bool('noprune') });
    ctx.sendJson(200, deleteItems(records));
  });
}
