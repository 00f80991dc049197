// Pushing an image to a registry as dockerd does: each layer's uncompressed tar (kept in the content
// store) is gzip-compressed while it streams up in one PATCH, its digest computed on the way and given
// in the closing PUT; a layer the registry is known to have (learnt from earlier pulls and pushes)
// is checked with HEAD ("Layer already exists") or mounted from another repository of the same
// registry ("Mounted from ..."); then the config blob and a Docker v2 schema 2 manifest under the tag.
import { createHash } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import type { ImageService } from '../images/image-service.js';
import type { Logger } from '../../daemon/logger.js';
import { shortId, type Digest } from '../../lib/oci/digest.js';
import { MediaType } from '../../lib/oci/media-types.js';
import { MANIFEST_TYPES } from '../../lib/distribution/manifest.js';
import type { ImageConfig } from '../../lib/oci/types.js';
import { chooseGzipLevel, gzipper, GZIP_SAMPLE_BYTES } from './layer-streams.js';
import fsp from 'node:fs/promises';

/** The first `n` bytes of a file (less when it is shorter). */
async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
import { ProgressReporter, Semaphore } from './progress.js';
import { drain, type RegistrySession } from './registry-session.js';
import type { BlobCache } from './blob-cache.js';

export interface PushContext {
  images: ImageService;
  session: RegistrySession;
  registry: string;
  blobCache: BlobCache;
  concurrency: number;
  log: Logger;
  signal?: AbortSignal;
}

interface PushedBlob {
  mediaType: string;
  digest: string;
  size: number;
}

/** Absolute URL of an upload Location, with `digest` added to its query. */
function uploadUrl(session: RegistrySession, location: string, digest?: string): string {
  const u = new URL(location, session.endpoint.url + '/');
  if (digest) u.searchParams.set('digest', digest);
  return u.href;
}

async function startUpload(c: PushContext, query = ''): Promise<{ status: number; location: string }> {
  const res = await c.session.request('POST', `/v2/${c.session.repo}/blobs/uploads/${query}`, { body: Buffer.alloc(0), signal: c.signal, ok: (s) => s === 201 || s === 202 });
  await drain(res);
  const location = res.headers.location;
  if (res.statusCode === 202 && !location) throw new Error('the registry started an upload without a Location');
  return { status: res.statusCode!, location: location ?? '' };
}

/** HEAD a blob in the repository; true when the registry has it. */
async function hasBlob(c: PushContext, digest: string): Promise<boolean> {
  const res = await c.session.request('HEAD', `/v2/${c.session.repo}/blobs/${digest}`, { signal: c.signal, ok: (s) => s === 200 || s === 404 });
  await drain(res);
  return res.statusCode === 200;
}

/** Repositories of this registry that a layer of `diffIds` is known to be in (for the token's scope). */
export function mountSources(cache: BlobCache, diffIds: readonly string[], registry: string, repo: string): string[] {
  const out = new Set<string>();
  for (const d of diffIds) for (const e of cache.lookup(d, registry, repo)) if (e.repo !== repo) out.add(e.repo);
  return [...out];
}

async function pushLayer(c: PushContext, diffId: Digest, p: ProgressReporter): Promise<PushedBlob> {
  const id = shortId(diffId);
  const repo = c.session.repo;
  for (const known of c.blobCache.lookup(diffId, c.registry, repo)) {
    const blob = { mediaType: known.mediaType, digest: known.digest, size: known.size };
    if (known.repo === repo) {
      if (await hasBlob(c, known.digest)) {
        p.message('Layer already exists', id);
        return blob;
      }
      await c.blobCache.remove(known.digest, c.registry, repo);
      continue;
    }
    // Cross-repository mount: 201 when the registry could link it, 202 (an upload) when it could not.
    const r = await startUpload(c, `?mount=${encodeURIComponent(known.digest)}&from=${encodeURIComponent(known.repo)}`).catch(() => null);
    if (r?.status === 201) {
      p.message(`Mounted from ${known.repo}`, id);
      await c.blobCache.add({ ...known, repo });
      return blob;
    }
    if (r?.location) await c.session.request('DELETE', uploadUrl(c.session, r.location), { signal: c.signal, ok: () => true }).then(drain, () => {});
  }
  const total = (await c.images.content.info(diffId))?.size ?? 0;
  const level = chooseGzipLevel(await readHead(c.images.content.path(diffId), GZIP_SAMPLE_BYTES));
  const { location } = await startUpload(c);
  const hash = createHash('sha256');
  let compressedSize = 0;
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      read += chunk.length;
      p.bytes('Pushing', id, read, total);
      cb(null, chunk);
    },
  });
  const hasher = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      compressedSize += chunk.length;
      cb(null, chunk);
    },
  });
  const body = () => {
    const src = c.images.content.open(diffId);
    const out = new PassThrough();
    const gz = gzipper(level);
    for (const [a, b] of [[src, counter], [counter, gz], [gz, hasher], [hasher, out]] as const) {
      a.on('error', (e) => out.destroy(e));
      a.pipe(b);
    }
    return out;
  };
  const patched = await c.session.request('PATCH', uploadUrl(c.session, location), {
    headers: { 'Content-Type': 'application/octet-stream' },
    body,
    signal: c.signal,
    ok: (s) => s === 202 || s === 204,
  });
  await drain(patched);
  const digest = `sha256:${hash.digest('hex')}`;
  const next = patched.headers.location ?? location;
  const put = await c.session.request('PUT', uploadUrl(c.session, next, digest), { body: Buffer.alloc(0), signal: c.signal, ok: (s) => s === 201 || s === 204 });
  await drain(put);
  p.message('Pushed', id);
  const blob = { mediaType: MediaType.DockerLayerGzip, digest, size: compressedSize };
  await c.blobCache.add({ diffId, ...blob, registry: c.registry, repo });
  return blob;
}

async function pushConfig(c: PushContext, id: Digest, bytes: Buffer): Promise<void> {
  if (await hasBlob(c, id)) return;
  const { status, location } = await startUpload(c);
  if (status === 201) return;
  const put = await c.session.request('PUT', uploadUrl(c.session, location, id), {
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes,
    signal: c.signal,
    ok: (s) => s === 201 || s === 204,
  });
  await drain(put);
}

/** Pushes image `id` as `tag`; returns the manifest digest and size (Docker's "TAG: digest: ... size: N"). */
export async function pushImage(c: PushContext, id: Digest, tag: string, p: ProgressReporter): Promise<{ digest: Digest; size: number }> {
  const configBytes = await c.images.content.get(id);
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  const diffIds = config.rootfs.diff_ids;
  // Docker lists the layers top first.
  const order = diffIds.map((_, i) => i).reverse();
  for (const i of order) p.message('Preparing', shortId(diffIds[i]!));
  const sem = new Semaphore(c.concurrency);
  const blobs: PushedBlob[] = new Array(diffIds.length);
  const abort = new AbortController();
  const signal = c.signal ? AbortSignal.any([c.signal, abort.signal]) : abort.signal;
  const cc = { ...c, signal };
  const jobs = order.map((i, n) =>
    sem
      .run(
        async () => {
          blobs[i] = await pushLayer(cc, diffIds[i]!, p);
        },
        () => {
          if (n >= c.concurrency) p.message('Waiting', shortId(diffIds[i]!));
        },
      )
      .catch((e) => {
        abort.abort(e);
        throw e;
      }),
  );
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  await pushConfig(cc, id, configBytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_TYPES.DockerManifest,
    config: { mediaType: MediaType.DockerConfig, size: configBytes.length, digest: id },
    layers: blobs.map((b) => ({ mediaType: b.mediaType, size: b.size, digest: b.digest })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const res = await c.session.request('PUT', `/v2/${c.session.repo}/manifests/${tag}`, {
    headers: { 'Content-Type': MANIFEST_TYPES.DockerManifest },
    body: bytes,
    signal: c.signal,
    ok: (s) => s === 201 || s === 200 || s === 202,
  });
  await drain(res);
  const digest: Digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return { digest, size: bytes.length };
}
