// POST /build (the classic builder's API: a tar context in the body, options in the query, JSON
// progress lines out) and POST /commit. Errors found before any progress is written (a bad query, an
// unreadable context, a Dockerfile that does not parse) are HTTP errors, as dockerd answers them; once
// the steps run, errors travel inside the stream as {"errorDetail":{...},"error":...}.
import { checkedBody } from './create-body.js';
import { ContainerConfig as ContainerConfigSchema } from '../../api/body-schema.js';
import type { Router } from '../http-server.js';
import type { RouteContext } from '../context.js';
import type { Services } from '../../daemon/services.js';
import type { JSONMessage } from '../../api/types/images.js';
import type { ContainerConfig } from '../../api/types/containers.js';
import { BuildStepError, type BuildOptions } from '../../engine/builder/builder.js';
import { InvalidParameterError } from '../../errors.js';
import { decodeRegistryConfig } from '../../lib/distribution/auth-config.js';

function jsonParam<T>(ctx: RouteContext, name: string, check: (v: unknown) => v is T, dflt: T): T {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return dflt;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new InvalidParameterError(`invalid ${name} parameter: ${raw}`);
  }
  if (v === null) return dflt;
  if (!check(v)) throw new InvalidParameterError(`invalid ${name} parameter: ${raw}`);
  return v;
}

const isStringMap = (v: unknown): v is Record<string, string> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
const isArgMap = (v: unknown): v is Record<string, string | null> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string' || x === null);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Reads what is left of a refused request body so the client sees our answer, not a reset. */
async function drainBody(ctx: RouteContext): Promise<void> {
  if (ctx.req.readableEnded || ctx.req.destroyed) return;
  await new Promise<void>((resolve) => {
    ctx.req.on('end', resolve);
    ctx.req.on('close', resolve);
    ctx.req.on('error', resolve);
    ctx.req.resume();
  });
}

export function registerBuildRoutes(r: Router, s: Services): void {
  r.post('/build', async (ctx) => {
    let opts: BuildOptions;
    try {
      if (ctx.query.get('remote')) throw new InvalidParameterError('building from a remote context (remote=) is not supported; send the context as a tar body');
      if (ctx.query.get('version') === '2') throw new InvalidParameterError('BuildKit (version=2) is not supported by berth; use the classic builder (DOCKER_BUILDKIT=0)');
      opts = {
        dockerfile: ctx.query.get('dockerfile') || 'Dockerfile',
        tags: ctx.query.getAll('t').filter(Boolean),
        quiet: ctx.bool('q'),
        noCache: ctx.bool('nocache'),
        rm: ctx.bool('rm', true),
        forceRm: ctx.bool('forcerm'),
        pull: ctx.bool('pull'),
        buildArgs: jsonParam(ctx, 'buildargs', isArgMap, {}),
        labels: jsonParam(ctx, 'labels', isStringMap, {}),
        cacheFrom: jsonParam(ctx, 'cachefrom', isStringList, []),
        registryAuth: decodeRegistryConfig([ctx.req.headers['x-registry-config']].flat()[0]),
        ...(ctx.query.get('target') ? { target: ctx.query.get('target')! } : {}),
        signal: ctx.signal,
      };
    } catch (e) {
      await drainBody(ctx);
      throw e;
    }
    let prepared;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    try {
      prepared = await s.builder.prepare(ctx.req, opts);
      s.log.debug(`build: context read (not unpacked) and Dockerfile parsed in ${(performance.now() - t0).toFixed(1)} ms`);
    } catch (e) {
      await drainBody(ctx);
      throw e;
    }
    ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
    ctx.signal.addEventListener('abort', () => s.log.info('build: the client went away; cancelling'), { once: true });
    // Messages written in the same turn of the event loop leave in one chunk (a cached build's ~30
    // lines in one or two writes instead of a syscall each); a RUN's output still flows at once.
    let corked = false;
    const write = (m: JSONMessage) => {
      if (ctx.res.writableEnded || ctx.res.destroyed) return;
      if (!corked) {
        corked = true;
        ctx.res.cork();
        setImmediate(() => {
          corked = false;
          ctx.res.uncork();
        });
      }
      ctx.res.write(JSON.stringify(m) + '\r\n');
    };
    try {
      const t1 = performance.now();
      await s.builder.run(prepared, { stream: (text) => write({ stream: text }), aux: (id) => write({ aux: { ID: id } }), progress: (m) => write(m as JSONMessage) });
      const cpu = process.cpuUsage(cpu0);
      s.log.debug(`build: steps done in ${(performance.now() - t1).toFixed(1)} ms; request so far ${(performance.now() - t0).toFixed(1)} ms, daemon CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms (all requests)`);
    } catch (e) {
      const message = (e as Error).message;
      if (!ctx.signal.aborted) s.log.info(`build failed: ${message}`);
      const code = e instanceof BuildStepError ? Number(/non-zero code: (\d+)$/.exec(message)?.[1] ?? 1) : undefined;
      write({ errorDetail: { ...(code !== undefined ? { code } : {}), message }, error: message });
    }
    ctx.res.end();
  });

  r.post('/commit', async (ctx) => {
    const container = ctx.query.get('container');
    if (!container) throw new InvalidParameterError('container is required');
    // The body is a container config: checked by the same schema as create's (a wrong type is a 400).
    const raw = await ctx.json<unknown>(null);
    const body = raw === null ? null : checkedBody<ContainerConfig>(raw, { struct: ContainerConfigSchema, go: 'container.Config' }, 'container.Config');
    const id = await s.builder.commitContainer(container, {
      repo: ctx.query.get('repo') || undefined,
      tag: ctx.query.get('tag') || undefined,
      comment: ctx.query.get('comment') ?? '',
      author: ctx.query.get('author') ?? '',
      pause: ctx.bool('pause', true),
      changes: ctx.query.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim() !== ''),
      config: body ?? {},
    });
    ctx.sendJson(201, { Id: id });
  });
}
