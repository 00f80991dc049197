// Pulling an image from a registry into the content, layer and image stores. In Docker's order: resolve
// the manifest (a manifest list or OCI index picks this host's platform or --platform), fetch and check
// the config, then every layer not already unpacked streams in (N at a time) through a digest check
// and its decompressor into both the content store (the uncompressed tar, for save and push) and the
// layer extractor, so a layer is unpacked while it downloads. A connection cut mid-layer resumes with a
// Range request (or starts that layer again); whatever fails, nothing half-written becomes visible
// (content and layer stores commit by rename after verification) and the lease lets the collector take
// the pieces. The image record and its names are written last.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageService } from '../images/image-service.js';
import type { Lease } from '../images/leases.js';
import type { Logger } from '../../daemon/logger.js';
import { chainIds } from '../../lib/oci/chain-id.js';
import { shortId, type Digest } from '../../lib/oci/digest.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../../lib/oci/types.js';
import { MANIFEST_TYPES } from '../../lib/distribution/manifest.js';
import { choosePlatform, formatPlatform, type PlatformSpec } from '../../lib/distribution/platform.js';
import { familiarString, refString, type Reference } from '../../lib/reference/reference.js';
import { InvalidParameterError, NotFoundError } from '../../errors.js';
import { validateImageConfig } from '../images/image-config.js';
import { compressionOf, decompressor, DigestVerifier, tee } from './layer-streams.js';
import { ProgressReporter, Semaphore } from './progress.js';
import { RegistryHttpError, UnknownBlobError } from './registry-errors.js';
import { readAll, type RegistrySession } from './registry-session.js';
import type { BlobCache } from './blob-cache.js';

export const MANIFEST_ACCEPT = [MANIFEST_TYPES.DockerManifestList, MANIFEST_TYPES.OciIndex, MANIFEST_TYPES.DockerManifest, MANIFEST_TYPES.OciManifest].join(', ');
const MAX_MANIFEST = 4 * 1024 * 1024;
const MAX_CONFIG = 32 * 1024 * 1024;
/** Resumes per layer after a cut connection (Docker: 5, 5 s apart and growing; ours wait less). */
const LAYER_RETRIES = 5;
const retryDelayMs = (attempt: number) => 200 * attempt;

export interface PullContext {
  images: ImageService;
  session: RegistrySession;
  /** Registry host as named in the reference ("docker.io", "127.0.0.1:5000"). */
  registry: string;
  blobCache: BlobCache;
  concurrency: number;
  log: Logger;
  platform: PlatformSpec;
  /** Whether the platform was asked for (--platform): a single-platform image must then match. */
  platformExplicit: boolean;
  signal?: AbortSignal;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: Digest;
}

const sha256 = (b: Buffer): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** GET a manifest by tag or digest; a digest is checked against the bytes. */
export async function fetchManifest(session: RegistrySession, ref: string, signal?: AbortSignal): Promise<FetchedManifest> {
  const res = await session.request('GET', `/v2/${session.repo}/manifests/${ref}`, { headers: { Accept: MANIFEST_ACCEPT }, signal });
  const bytes = await readAll(res, MAX_MANIFEST);
  const digest = sha256(bytes);
  if (ref.includes(':') && ref !== digest) throw new InvalidParameterError(`manifest verification failed for digest ${ref}`);
  let mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown; schemaVersion?: number };
    if (doc.schemaVersion === 1) throw new InvalidParameterError('schema 1 manifests are not supported: the image must be pushed again with a current client');
    if (typeof doc.mediaType === 'string') mediaType = doc.mediaType;
    else if (![MANIFEST_TYPES.DockerManifest, MANIFEST_TYPES.OciManifest, MANIFEST_TYPES.DockerManifestList, MANIFEST_TYPES.OciIndex].includes(mediaType as never)) {
      mediaType = Array.isArray(doc.manifests) ? MANIFEST_TYPES.OciIndex : MANIFEST_TYPES.OciManifest;
    }
  } catch (e) {
    if (e instanceof InvalidParameterError) throw e;
    throw new InvalidParameterError(`invalid manifest for ${ref}: not JSON`);
  }
  return { bytes, mediaType, digest };
}

function isIndex(mt: string): boolean {
  return mt === MANIFEST_TYPES.DockerManifestList || mt === MANIFEST_TYPES.OciIndex;
}

export interface ResolvedPull {
  top: FetchedManifest;
  manifest: FetchedManifest;
  parsed: ImageManifest;
}

/** Resolves a tag or digest to one image manifest, through an index when there is one. */
export async function resolveImageManifest(c: PullContext, tagOrDigest: string, display: string): Promise<ResolvedPull> {
  const top = await fetchManifest(c.session, tagOrDigest, c.signal);
  let manifest = top;
  if (isIndex(top.mediaType)) {
    const index = JSON.parse(top.bytes.toString('utf8')) as ImageIndex;
    const entries = (index.manifests ?? []).filter((m) => m && typeof m.digest === 'string');
    const pick = choosePlatform(entries, c.platform);
    if (!pick) throw new NotFoundError(`no matching manifest for ${formatPlatform(c.platform)} in the manifest list entries`);
    manifest = await fetchManifest(c.session, pick.digest, c.signal);
    if (isIndex(manifest.mediaType)) throw new InvalidParameterError(`${display}: nested manifest lists are not supported`);
  }
  const parsed = JSON.parse(manifest.bytes.toString('utf8')) as ImageManifest;
  if (!parsed || typeof parsed !== 'object' || !parsed.config || typeof parsed.config.digest !== 'string' || !Array.isArray(parsed.layers)) {
    throw new InvalidParameterError(`invalid manifest for ${display}: it has no config or layers`);
  }
  return { top, manifest, parsed };
}

class BlobTooLongError extends InvalidParameterError {}

/** Streams a blob, resuming with Range after a cut connection; yields verified-length bytes in order. */
async function* blobStream(c: PullContext, desc: Descriptor, onRetry: (attempt: number, e: Error) => void): AsyncGenerator<Buffer> {
  let offset = 0;
  let attempt = 0;
  const target = `/v2/${c.session.repo}/blobs/${desc.digest}`;
  for (;;) {
    let skip = 0;
    try {
      const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
      let res = await c.session.request('GET', target, { headers, signal: c.signal, ok: (s) => s === 200 || s === 206 || (s >= 300 && s < 400) });
      // Registries may redirect blob downloads to their storage; the redirect target gets no credentials.
      for (let hops = 0; res.statusCode! >= 300 && res.statusCode! < 400; hops++) {
        const loc = res.headers.location;
        res.resume();
        if (!loc || hops >= 5) throw new RegistryHttpError(res.statusCode!, undefined, 'redirect without a usable Location', target, 'GET');
        res = await c.session.raw('GET', new URL(loc, c.session.url(target)).href, { headers, noAuth: true, signal: c.signal });
        if (res.statusCode !== 200 && res.statusCode !== 206 && !(res.statusCode! >= 300 && res.statusCode! < 400)) {
          res.resume();
          throw new RegistryHttpError(res.statusCode!, undefined, `${res.statusCode} from the blob's redirect`, loc, 'GET');
        }
      }
      // A registry that ignores Range sends the whole blob again: skip what we already have.
      if (offset > 0 && res.statusCode === 200) skip = offset;
      for await (const chunk of res as AsyncIterable<Buffer>) {
        let b = chunk;
        if (skip > 0) {
          if (b.length <= skip) {
            skip -= b.length;
            continue;
          }
          b = b.subarray(skip);
          skip = 0;
        }
        offset += b.length;
        // More bytes than the manifest says is a wrong blob, not a broken connection: no retry.
        if (desc.size >= 0 && offset > desc.size) throw new BlobTooLongError(`filesystem layer verification failed for digest ${desc.digest}: more than the ${desc.size} bytes the manifest says`);
        yield b;
      }
      if (desc.size >= 0 && offset < desc.size) throw new Error(`unexpected EOF after ${offset} of ${desc.size} bytes`);
      return;
    } catch (e) {
      if (c.signal?.aborted || e instanceof BlobTooLongError) throw e;
      // Registry answers (404, 401...) are final; broken connections are retried.
      if (e instanceof RegistryHttpError && e.status === 404) throw new UnknownBlobError('unknown blob');
      if (e instanceof RegistryHttpError || attempt >= LAYER_RETRIES) {
        if (e instanceof RegistryHttpError) throw e;
        throw new Error(`failed to download layer ${shortId(desc.digest)} after ${attempt + 1} attempts: ${(e as Error).message}`);
      }
      attempt++;
      onRetry(attempt, e as Error);
      await new Promise((r) => setTimeout(r, retryDelayMs(attempt)));
    }
  }
}

export interface PullLayersResult {
  configBytes: Buffer;
  config: ImageConfig;
}

/**
 * Fetches the config and every missing layer of `r` under `lease`, reporting Docker's per-layer
 * progress. Throws on the first failure (the other transfers are stopped).
 */
export async function pullLayers(c: PullContext, r: ResolvedPull, repoDisplay: string, lease: Lease, p: ProgressReporter): Promise<PullLayersResult> {
  const { parsed } = r;
  // Through blobStream, like the layers: registries that keep blobs elsewhere redirect configs too.
  if (!(parsed.config.size >= 0 && parsed.config.size <= MAX_CONFIG)) throw new InvalidParameterError(`invalid manifest for ${repoDisplay}: config size ${parsed.config.size}`);
  const parts: Buffer[] = [];
  for await (const chunk of blobStream(c, parsed.config, (_attempt, e) => c.log.warn(`pull ${repoDisplay}: config: ${e.message}; retrying`))) parts.push(chunk);
  const configBytes = Buffer.concat(parts);
  if (sha256(configBytes) !== parsed.config.digest) throw new InvalidParameterError(`image config verification failed for digest ${parsed.config.digest}`);
  let config: ImageConfig;
  try {
    config = validateImageConfig(JSON.parse(configBytes.toString('utf8')));
  } catch (e) {
    throw new InvalidParameterError(`invalid image config for ${repoDisplay}: ${(e as Error).message}`);
  }
  if (c.platformExplicit && (config.os !== c.platform.os || config.architecture !== c.platform.architecture)) {
    throw new NotFoundError(
      `image with reference ${repoDisplay} was found but does not match the specified platform: wanted ${formatPlatform(c.platform)}, actual: ${config.os}/${config.architecture}`,
    );
  }
  const layers = parsed.layers.filter((l) => !(l.urls && l.urls.length));
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== layers.length) throw new InvalidParameterError(`invalid manifest for ${repoDisplay}: ${layers.length} layers, the config names ${diffIds.length}`);
  for (const l of layers) {
    if (compressionOf(l.mediaType) === undefined) throw new InvalidParameterError(`unsupported layer media type ${l.mediaType}`);
  }
  const chains = chainIds(diffIds);
  const todo: number[] = [];
  for (let i = 0; i < layers.length; i++) {
    const present = (await c.images.layers.leaseExisting(chains[i]!, lease)) && (await lease.guard(`blob:${diffIds[i]}`, () => c.images.content.has(diffIds[i]!)));
    if (present) p.message('Already exists', shortId(layers[i]!.digest));
    else {
      p.message('Pulling fs layer', shortId(layers[i]!.digest));
      todo.push(i);
    }
  }
  const sem = new Semaphore(c.concurrency);
  const abort = new AbortController();
  const signal = c.signal ? AbortSignal.any([c.signal, abort.signal]) : abort.signal;
  const cc: PullContext = { ...c, signal };
  const one = async (i: number) => {
    const desc = layers[i]!;
    const id = shortId(desc.digest);
    const diffId = diffIds[i]!;
    const verifier = new DigestVerifier(desc.digest, desc.size, (n) => p.bytes('Downloading', id, n, desc.size));
    const { sink, a, b } = tee();
    const ingest = c.images.content.ingest(a, { expected: diffId, lease, signal });
    const extract = c.images.layers.create(i === 0 ? null : chains[i - 1]!, b, { expectedDiffId: diffId, lease, signal, parentPending: true });
    const source = Readable.from(
      (async function* () {
        yield* blobStream(cc, desc, (attempt, e) => {
          c.log.warn(`pull ${repoDisplay}: layer ${desc.digest}: ${e.message}; retrying (${attempt}/${LAYER_RETRIES})`);
          const ms = retryDelayMs(attempt);
          p.message(ms >= 1000 ? `Retrying in ${Math.round(ms / 1000)} second${ms >= 2000 ? 's' : ''}` : 'Retrying in less than a second', id);
        });
        p.message('Verifying Checksum', id);
      })(),
    );
    const flow = pipeline(source, verifier, decompressor(compressionOf(desc.mediaType)!), sink, { signal }).then(() => p.message('Download complete', id));
    const settled = await Promise.allSettled([flow, ingest, extract]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      // The registry's digest check names the layer; a stopped consumer is only an echo of it.
      const first = (settled[0].status === 'rejected' ? settled[0].reason : failed.reason) as Error;
      throw first;
    }
    p.bytes('Extracting', id, desc.size, desc.size);
    p.message('Pull complete', id);
    await c.blobCache.add({ diffId, digest: desc.digest, size: desc.size, mediaType: desc.mediaType, registry: c.registry, repo: c.session.repo });
  };
  const jobs = todo.map((i, n) =>
    sem.run(
      () => one(i),
      () => {
        if (n >= c.concurrency) p.message('Waiting', shortId(layers[i]!.digest));
      },
    ),
  );
  const results = await Promise.allSettled(jobs.map((j) => j.catch((e) => (abort.abort(e), Promise.reject(e)))));
  const failed = results.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return { configBytes, config };
}

export interface PullOutcome {
  id: Digest;
  /** The digest recorded as RepoDigest: the index's when the tag named one, else the manifest's. */
  digest: Digest;
  upToDate: boolean;
}

/** One tag or digest of one repository, start to finish; progress as Docker's (docker pull). */
export async function pullOne(c: PullContext, ref: Reference, p: ProgressReporter): Promise<PullOutcome> {
  const tagOrDigest = ref.digest ?? ref.tag ?? 'latest';
  const display = familiarString(ref);
  const resolved = await resolveImageManifest(c, tagOrDigest, display);
  // The first message: from here on failures travel inside the stream.
  p.message(`Pulling from ${ref.path}`, tagOrDigest);
  const lease = c.images.leases.open();
  try {
    const { configBytes } = await pullLayers(c, resolved, display, lease, p);
    await c.images.content.put(resolved.manifest.bytes, { lease });
    if (resolved.top !== resolved.manifest) await c.images.content.put(resolved.top.bytes, { lease });
    const id = await c.images.addImage(configBytes, lease, () => {
      throw new Error('layer vanished during the pull');
    }, { manifestDigest: resolved.manifest.digest, signal: c.signal });
    const key = refString(ref.digest ? { domain: ref.domain, path: ref.path, digest: ref.digest } : ref);
    const before = c.images.store.lookupRef(key);
    if (!ref.digest) await c.images.addReference(refString(ref), id);
    await c.images.addReference(`${ref.domain}/${ref.path}@${resolved.top.digest}`, id);
    p.message(`Digest: ${resolved.top.digest}`);
    return { id, digest: resolved.top.digest, upToDate: before === id };
  } finally {
    lease.release();
    await c.images.collectGarbage().catch((e) => c.log.warn(`image gc after pull: ${(e as Error).message}`));
  }
}
