// The engine's registry client: pull, push, login and search for the Engine API's /images/create,
// /images/{name}/push, /auth and /images/search. It picks endpoints (mirrors for Docker Hub, plain
// HTTP for loopback and --insecure-registry hosts), opens a RegistrySession per repository with the
// caller's credentials, and turns registry answers into dockerd's messages and error kinds.
import path from 'node:path';
import type { EventBus } from '../events.js';
import type { ImageService } from '../images/image-service.js';
import type { Logger } from '../../daemon/logger.js';
import { goArch } from '../images/image-config.js';
import { endpointsFor, isLoopbackHost, isInsecure, DOCKER_INDEX_URL, type Endpoint, type EndpointOptions } from '../../lib/distribution/endpoints.js';
import { parsePlatform, PlatformError, type PlatformSpec } from '../../lib/distribution/platform.js';
import { authForRegistry, registryHostOf, withUserFromAuth, type AuthConfig } from '../../lib/distribution/auth-config.js';
import { parseChallenges } from '../../lib/distribution/challenge.js';
import { familiarName, familiarString, nameOnly, parseNormalizedNamed, parseDockerRef, refString, repoName, withTag, type Reference } from '../../lib/reference/reference.js';
import { isDigest, type Digest } from '../../lib/oci/digest.js';
import { InvalidParameterError, NotFoundError, SystemError, UnauthorizedError, type BerthError } from '../../errors.js';
import { BlobCache } from './blob-cache.js';
import { ProgressReporter, type ProgressSink } from './progress.js';
import { makeAgents, drain, readAll, RegistrySession, httpError, type Agents } from './registry-session.js';
import { pullOne } from './pull.js';
import { mountSources, pushImage } from './push.js';
import { asBerthError, codeText, pullError, RegistryHttpError, RegistryUnreachableError } from './registry-errors.js';

export interface DistributionOptions {
  dataRoot: string;
  images: ImageService;
  events: EventBus;
  log: Logger;
  mirrors: string[];
  insecureRegistries: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  dockerHubUrl?: string;
}

export interface PullRequest {
  fromImage: string;
  tag?: string;
  platform?: string;
  auth: AuthConfig;
  signal?: AbortSignal;
  onProgress: ProgressSink;
}

export interface PushRequest {
  name: string;
  tag?: string;
  auth: AuthConfig;
  signal?: AbortSignal;
  onProgress: ProgressSink;
}

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

function badRef(e: unknown): InvalidParameterError {
  return new InvalidParameterError((e as Error).message);
}

export class DistributionService {
  private readonly agents: Agents = makeAgents();
  readonly blobCache: BlobCache;
  private readonly endpointOpts: EndpointOptions;

  constructor(private readonly o: DistributionOptions) {
    this.blobCache = new BlobCache(path.join(o.dataRoot, 'distribution'), o.log);
    this.endpointOpts = { mirrors: o.mirrors, insecure: o.insecureRegistries, hub: o.dockerHubUrl };
  }

  async init(): Promise<void> {
    await this.blobCache.init();
  }

  /** The registries berthd was told about, for /info's RegistryConfig. */
  get mirrors(): string[] {
    return [...this.o.mirrors];
  }

  get insecureRegistries(): string[] {
    return [...this.o.insecureRegistries];
  }

  private credsFor(auth: AuthConfig): AuthConfig {
    return withUserFromAuth(auth);
  }

  private session(ep: Endpoint, repo: string, auth: AuthConfig, actions: string, extra: string[] = []): RegistrySession {
    const scopes = repo ? [`repository:${repo}:${actions}`, ...extra] : extra;
    return new RegistrySession(ep, repo, this.credsFor(auth), scopes, this.agents);
  }

  /**
   * Runs `fn` against each endpoint of `domain` in turn; only a registry that cannot be reached lets
   * the next one (the next mirror, then Docker Hub) be tried.
   */
  private async overEndpoints<T>(domain: string, fn: (ep: Endpoint) => Promise<T>, o: { mirrors?: boolean } = {}): Promise<T> {
    // Mirrors serve pulls only: a push always goes to the registry the name says.
    const eps = endpointsFor(domain, o.mirrors === false ? { ...this.endpointOpts, mirrors: [] } : this.endpointOpts);
    let last: unknown;
    for (const ep of eps) {
      try {
        return await fn(ep);
      } catch (e) {
        last = e;
        if (!(e instanceof RegistryUnreachableError)) throw e;
        this.o.log.warn(`registry endpoint ${ep.url} for ${domain}: ${(e as Error).message}`);
      }
    }
    throw last;
  }

  // ------------------------------------------------------------------ pull

  /** POST /images/create?fromImage=&tag=: Docker's pull, all tags when none is named. */
  /**
   * One image by name for the builder's FROM: `latest` when the name has no tag (a bare name here is
   * never "all tags"), the credentials picked by its registry from the build's X-Registry-Config.
   */
  async pullNamed(name: string, o: { auth: Record<string, AuthConfig>; signal?: AbortSignal; progress: ProgressSink }): Promise<void> {
    let ref: Reference;
    try {
      ref = parseNormalizedNamed(name);
    } catch (e) {
      throw badRef(e);
    }
    if (!ref.tag && !ref.digest) ref = withTag(ref, 'latest');
    await this.pull({ fromImage: refString(ref), auth: authForRegistry(o.auth, ref.domain), signal: o.signal, onProgress: o.progress });
  }

  async pull(req: PullRequest): Promise<void> {
    let ref: Reference;
    try {
      ref = parseNormalizedNamed(req.fromImage);
      if (req.tag && !ref.digest) ref = isDigest(req.tag) ? { ...nameOnly(ref), digest: req.tag } : withTag(ref, req.tag);
    } catch (e) {
      throw badRef(e);
    }
    let platform: PlatformSpec = { os: 'linux', architecture: goArch() };
    if (req.platform) {
      try {
        platform = parsePlatform(req.platform, platform);
      } catch (e) {
        if (e instanceof PlatformError) throw new InvalidParameterError(e.message);
        throw e;
      }
    }
    const p = new ProgressReporter(req.onProgress);
    const tags = ref.tag || ref.digest ? [ref] : await this.allTags(ref, req.auth, req.signal);
    for (const r of tags) {
      const display = familiarString(r);
      try {
        const out = await this.overEndpoints(r.domain, (ep) =>
          pullOne(
            {
              images: this.o.images,
              session: this.session(ep, r.path, req.auth, 'pull'),
              registry: r.domain,
              blobCache: this.blobCache,
              concurrency: this.o.maxConcurrentDownloads,
              log: this.o.log,
              platform,
              platformExplicit: !!req.platform,
              signal: req.signal,
            },
            r,
            p,
          ),
        );
        p.message(`Status: ${out.upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${display}`);
        this.o.events.publish({ type: 'image', action: 'pull', id: display, attributes: { name: refString(r) } });
      } catch (e) {
        throw pullError(e, familiarName(r), display);
      }
    }
  }

  private async allTags(ref: Reference, auth: AuthConfig, signal?: AbortSignal): Promise<Reference[]> {
    try {
      const tags = await this.overEndpoints(ref.domain, async (ep) => {
        const s = this.session(ep, ref.path, auth, 'pull');
        const { body } = await s.json<{ tags?: string[] | null }>('GET', `/v2/${ref.path}/tags/list`, { signal });
        return body.tags ?? [];
      });
      if (!tags.length) throw new NotFoundError(`no tags found for ${familiarName(ref)}`);
      return tags.sort().map((t) => withTag(ref, t));
    } catch (e) {
      throw pullError(e, familiarName(ref), familiarName(ref));
    }
  }

  // ------------------------------------------------------------------ push

  /** POST /images/{name}/push?tag=: every local tag of the repository when no tag is given. */
  async push(req: PushRequest): Promise<void> {
    let ref: Reference;
    try {
      ref = parseNormalizedNamed(req.name);
      if (req.tag) ref = withTag(ref, req.tag);
    } catch (e) {
      throw badRef(e);
    }
    const p = new ProgressReporter(req.onProgress);
    const images = this.o.images;
    // dockerd names the repository before it looks for the image (so the message comes first).
    p.message(`The push refers to repository [${repoName(ref)}]`);
    const targets: { tag: string; id: Digest }[] = [];
    if (ref.tag) {
      const id = images.store.lookupRef(refString(ref));
      if (!id) {
        const any = images.store.allRefs().some(([r]) => repoName(parseDockerRef(r)) === repoName(ref));
        throw new NotFoundError(any ? `tag does not exist: ${familiarString(ref)}` : `An image does not exist locally with the tag: ${familiarName(ref)}`);
      }
      targets.push({ tag: ref.tag, id });
    } else {
      for (const [r, id] of images.store.allRefs()) {
        const pr = parseDockerRef(r);
        if (pr.tag && !pr.digest && repoName(pr) === repoName(ref)) targets.push({ tag: pr.tag, id });
      }
      if (!targets.length) throw new NotFoundError(`An image does not exist locally with the tag: ${familiarName(ref)}`);
      targets.sort((a, b) => (a.tag < b.tag ? -1 : 1));
    }
    const lease = images.leases.open();
    try {
      for (const t of targets) {
        // Keep the image's blobs while they are read, even if it is removed meanwhile.
        await lease.guard(`blob:${t.id}`, async () => {});
        const diffIds = images.configOf(t.id).rootfs.diff_ids;
        for (const d of diffIds) await lease.guard(`blob:${d}`, async () => {});
        const sources = mountSources(this.blobCache, diffIds, ref.domain, ref.path).map((r) => `repository:${r}:pull`);
        const { digest, size } = await this.overEndpoints(ref.domain, (ep) => {
          return pushImage(
            {
              images,
              session: this.session(ep, ref.path, req.auth, 'pull,push', sources),
              registry: ref.domain,
              blobCache: this.blobCache,
              concurrency: this.o.maxConcurrentUploads,
              log: this.o.log,
              signal: req.signal,
            },
            t.id,
            t.tag,
            p,
          );
        }, { mirrors: false });
        p.message(`${t.tag}: digest: ${digest} size: ${size}`);
        p.aux({ Tag: t.tag, Digest: digest, Size: size });
        await images.addReference(`${repoName(ref)}@${digest}`, t.id);
        this.o.events.publish({ type: 'image', action: 'push', id: familiarString(withTag(ref, t.tag)), attributes: { name: refString(withTag(ref, t.tag)) } });
      }
    } catch (e) {
      throw asBerthError(e);
    } finally {
      lease.release();
    }
  }

  // ------------------------------------------------------------------ login

  /**
   * POST /auth: Docker's login check: GET /v2/ on the registry and answer its challenge with the
   * credentials (a token from the realm for Bearer, the header itself for Basic).
   */
  async login(auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
    const creds = this.credsFor(auth);
    const host = registryHostOf(creds.serveraddress);
    // Docker Hub logins go to Docker Hub, never to a mirror.
    const eps = endpointsFor(host, host === 'docker.io' ? { ...this.endpointOpts, mirrors: [] } : this.endpointOpts);
    let last: unknown;
    for (const ep of eps) {
      try {
        await this.tryLogin(ep, creds);
        return { Status: 'Login Succeeded', IdentityToken: '' };
      } catch (e) {
        last = e;
        if (!(e instanceof RegistryUnreachableError)) break;
      }
    }
    if (last instanceof RegistryUnreachableError) throw new SystemError(last.message);
    throw last;
  }

  private async tryLogin(ep: Endpoint, creds: AuthConfig): Promise<void> {
    const s = new RegistrySession(ep, '', creds, [], this.agents);
    const probe = await s.raw('GET', '/v2/', { noAuth: true });
    await drain(probe);
    if (probe.statusCode === 200) return;
    if (probe.statusCode !== 401) throw new UnauthorizedError(`login attempt to ${ep.url}/v2/ failed with status: ${probe.statusCode} ${probe.statusMessage ?? ''}`.trim());
    const challenges = parseChallenges(probe.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      try {
        await s.fetchToken(bearer, [], undefined);
        return;
      } catch (e) {
        if (e instanceof RegistryHttpError && (e.status === 401 || e.status === 403)) {
          // dockerd names the registry's /v2/ (where the challenge came from), not the token URL.
          throw new UnauthorizedError(`Get "${ep.url}/v2/": ${e.code ? `${codeText(e.code)}: ` : ''}${e.detailMessage}`);
        }
        throw asBerthError(e) as BerthError;
      }
    }
    const basic = new RegistrySession(ep, '', creds, [], this.agents);
    const res = await basic.raw('GET', '/v2/', { headers: { Authorization: `Basic ${Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`).toString('base64')}` }, noAuth: true });
    await drain(res);
    if (res.statusCode === 200) return;
    throw new UnauthorizedError(`login attempt to ${ep.url}/v2/ failed with status: ${res.statusCode} ${res.statusMessage ?? ''}`.trim());
  }

  // ------------------------------------------------------------------ search

  /** GET /images/search?term=&limit=: Docker's v1 search on the registry the term names (Docker Hub by default). */
  async search(term: string, limit: number | undefined, auth: AuthConfig, signal?: AbortSignal): Promise<SearchResult[]> {
    // "host:port/rest" searches that registry for "rest"; anything else is Docker Hub's index.
    let host = 'docker.io';
    let q = term;
    const slash = term.indexOf('/');
    if (slash > 0) {
      const first = term.slice(0, slash);
      if (/[.:]/.test(first) || first === 'localhost') {
        host = first;
        q = term.slice(slash + 1);
      }
    }
    if (!q) throw new InvalidParameterError('invalid search term: it names a registry but no term');
    const ep: Endpoint =
      host === 'docker.io'
        ? { url: DOCKER_INDEX_URL, tlsVerify: true, mirror: false }
        : isLoopbackHost(host)
          ? { url: `http://${host}`, tlsVerify: false, mirror: false }
          : { url: `https://${host}`, tlsVerify: !isInsecure(host, this.o.insecureRegistries), mirror: false };
    const n = limit && limit > 0 ? Math.min(limit, 100) : 25;
    const target = `/v1/search?q=${encodeURIComponent(q)}&n=${n}`;
    const creds = this.credsFor(auth);
    const s = new RegistrySession(ep, '', creds, [], this.agents);
    try {
      // A registry may answer an anonymous search with what anyone may see: with credentials, sign in
      // first (a token without scope from the realm, or Basic) so the answer covers what they see.
      const headers: Record<string, string> = {};
      if (creds.username !== undefined) {
        const probe = await s.raw('GET', '/v2/', { signal, noAuth: true });
        await drain(probe);
        if (probe.statusCode === 401) {
          const bearer = parseChallenges(probe.headers['www-authenticate']).find((c) => c.scheme === 'bearer');
          headers['Authorization'] = bearer ? `Bearer ${await s.fetchToken(bearer, [], signal)}` : `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
        }
      }
      const res = await s.raw('GET', target, { signal, noAuth: true, headers });
      if (res.statusCode !== 200) throw await httpError(res, 'GET', s.url(target));
      const body = JSON.parse((await readAll(res, 8 * 1024 * 1024)).toString('utf8')) as { results?: SearchResult[] };
      return (body.results ?? []).slice(0, n).map((r) => ({
        name: String(r.name ?? ''),
        description: String(r.description ?? ''),
        star_count: Number(r.star_count ?? 0),
        is_official: !!r.is_official,
        is_automated: !!r.is_automated,
      }));
    } catch (e) {
      throw asBerthError(e);
    }
  }
}
