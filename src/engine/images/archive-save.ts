// Writing `docker save` output in the form Docker 25+ writes: an OCI image layout (oci-layout,
// index.json, blobs/sha256/...) that also carries docker-archive's manifest.json and repositories, so
// both `docker load` (old and new) and OCI tools read it. Layers are the stored uncompressed layer tars
// (their digest is the diff ID), streamed from the content store, never held in memory.
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import tar from 'tar-stream';
import { digestHex, type Digest } from '../../lib/oci/digest.js';
import { sha256Digest } from '../../lib/oci/chain-id.js';
import { MediaType } from '../../lib/oci/media-types.js';
import { AnnotationImageName, AnnotationRefName, type Descriptor, type DockerArchiveManifestEntry, type ImageIndex, type ImageManifest } from '../../lib/oci/types.js';
import { familiarName, familiarString, refString, type Reference } from '../../lib/reference/reference.js';
import type { ContentStore } from './content-store.js';

export interface SaveImage {
  id: Digest;
  /** Filled by the service just before writing. */
  configBytes: Buffer | null;
  diffIds: Digest[];
  /** Tag references to record (digest references are not written as RepoTags). */
  refs: Reference[];
}

const MTIME = new Date(0);

/** The OCI manifest of an image as we save it (config + uncompressed layers). */
export async function buildManifest(img: SaveImage, content: ContentStore): Promise<{ manifest: ImageManifest; layers: Descriptor[] }> {
  const layers: Descriptor[] = [];
  for (const d of img.diffIds) {
    const info = await content.info(d);
    if (!info) throw new Error(`layer blob ${d} of image ${img.id} is missing`);
    layers.push({ mediaType: MediaType.OciLayer, digest: d, size: info.size });
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: img.id, size: img.configBytes!.length },
    layers,
  };
  return { manifest, layers };
}

export async function writeArchive(images: SaveImage[], content: ContentStore, out: Writable, signal?: AbortSignal): Promise<void> {
  const pack = tar.pack();
  const piping = pipeline(pack, out, { signal });
  piping.catch(() => {});
  const addBuffer = (name: string, data: Buffer | string) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, mode: 0o644, mtime: MTIME }, data, (e) => (e ? reject(e) : resolve())));
  const addDir = (name: string) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, type: 'directory', mode: 0o755, mtime: MTIME }, (e) => (e ? reject(e) : resolve())));
  const addBlob = async (d: Digest, size: number) => {
    const w = pack.entry({ name: `blobs/sha256/${digestHex(d)}`, size, mode: 0o644, mtime: MTIME });
    await pipeline(content.open(d), w);
  };
  try {
    await addDir('blobs/');
    await addDir('blobs/sha256/');
    const written = new Set<Digest>();
    const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
    const dockerManifest: DockerArchiveManifestEntry[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const img of images) {
      const { manifest, layers } = await buildManifest(img, content);
      for (const l of layers) {
        if (written.has(l.digest)) continue;
        await addBlob(l.digest, l.size);
        written.add(l.digest);
      }
      if (!written.has(img.id)) {
        await addBuffer(`blobs/sha256/${digestHex(img.id)}`, img.configBytes!);
        written.add(img.id);
      }
      const manifestBytes = Buffer.from(JSON.stringify(manifest));
      const manifestDigest = sha256Digest(manifestBytes);
      if (!written.has(manifestDigest)) {
        await addBuffer(`blobs/sha256/${digestHex(manifestDigest)}`, manifestBytes);
        written.add(manifestDigest);
      }
      const desc: Descriptor = { mediaType: MediaType.OciManifest, digest: manifestDigest, size: manifestBytes.length };
      const tags = img.refs.filter((r) => r.tag && !r.digest);
      if (tags.length === 0) index.manifests.push(desc);
      for (const r of tags) {
        index.manifests.push({ ...desc, annotations: { [AnnotationImageName]: refString(r), [AnnotationRefName]: r.tag! } });
        const top = img.diffIds[img.diffIds.length - 1];
        if (top) (repositories[familiarName(r)] ??= {})[r.tag!] = digestHex(top);
      }
      dockerManifest.push({
        Config: `blobs/sha256/${digestHex(img.id)}`,
        RepoTags: tags.length ? tags.map(familiarString) : null,
        // No LayerSources: Docker reserves it for foreign (non-distributable) layers; older loaders
        // register layers named there with a remote source.
        Layers: layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`),
      });
    }
    await addBuffer('index.json', JSON.stringify(index));
    await addBuffer('manifest.json', JSON.stringify(dockerManifest));
    await addBuffer('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    if (Object.keys(repositories).length) await addBuffer('repositories', JSON.stringify(repositories));
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    await piping.catch(() => {});
    throw e;
  }
  await piping;
}
