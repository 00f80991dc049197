// Reading `docker load` input: a docker-archive (manifest.json + config + layer tars, both the classic
// layout and the OCI-layout-plus-manifest.json that Docker 25+ writes) or a plain OCI image layout
// (index.json + blobs). The archive is unpacked with the same hostile-tar-safe extractor as layers into
// a private temp dir (Docker unpacks it too); every path named inside it is resolved within that dir.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { extractLayer, entryComponents } from '../../host/tar-extract.js';
import { InvalidParameterError } from '../../errors.js';
import { isDigest, digestHex, type Digest } from '../../lib/oci/digest.js';
import { isIndexType, isManifestType } from '../../lib/oci/media-types.js';
import { AnnotationImageName, AnnotationRefName, type Descriptor, type DockerArchiveManifestEntry, type ImageIndex, type ImageManifest } from '../../lib/oci/types.js';
import { parseDockerRef, type Reference } from '../../lib/reference/reference.js';
import { goArch } from './image-config.js';

const MAX_JSON = 16 * 1024 * 1024;

export interface ArchiveImage {
  configBytes: Buffer;
  refs: Reference[];
  /** How many layer files the archive names for this image (must equal the config's diff IDs). */
  layerCount: number;
  openLayer(index: number): AsyncIterable<Uint8Array>;
}

class BadArchiveError extends InvalidParameterError {}

/** A path named inside the archive, resolved within `root` (symlinks included); refuses escapes. */
async function inArchive(root: string, rel: string): Promise<string> {
  let comps: string[];
  try {
    comps = entryComponents(rel);
  } catch {
    throw new BadArchiveError(`invalid archive: path ${JSON.stringify(rel)} is outside of the archive`);
  }
  let real: string;
  try {
    real = await fsp.realpath(path.join(root, ...comps));
  } catch {
    throw new BadArchiveError(`invalid archive: ${rel} is missing`);
  }
  const rootReal = await fsp.realpath(root);
  if (real !== rootReal && !real.startsWith(rootReal + path.sep)) throw new BadArchiveError(`invalid archive: path ${JSON.stringify(rel)} is outside of the archive`);
  return real;
}

async function readBounded(p: string, what: string): Promise<Buffer> {
  const st = await fsp.stat(p);
  if (!st.isFile()) throw new BadArchiveError(`invalid archive: ${what} is not a file`);
  if (st.size > MAX_JSON) throw new BadArchiveError(`invalid archive: ${what} is too large`);
  return fsp.readFile(p);
}

async function readJson<T>(p: string, what: string): Promise<T> {
  try {
    return JSON.parse((await readBounded(p, what)).toString('utf8')) as T;
  } catch (e) {
    if (e instanceof BadArchiveError) throw e;
    throw new BadArchiveError(`invalid archive: ${what}: ${(e as Error).message}`);
  }
}

function parseRefs(names: string[]): Reference[] {
  return names.map((n) => {
    try {
      return parseDockerRef(n);
    } catch (e) {
      throw new BadArchiveError(`invalid archive: invalid tag ${JSON.stringify(n)}: ${(e as Error).message}`);
    }
  });
}

/** The i-th layer file; the config naming more layers than the archive holds is a bad archive. */
function openAt(paths: string[], i: number): AsyncIterable<Uint8Array> {
  const p = paths[i];
  if (p === undefined) throw new BadArchiveError(`invalid archive: the image config names more layers (${i + 1}+) than the archive has (${paths.length})`);
  return fs.createReadStream(p);
}

function exists(p: string): Promise<boolean> {
  return fsp.lstat(p).then(
    () => true,
    () => false,
  );
}

export async function readArchive(src: AsyncIterable<Uint8Array>, tmp: string, opts: { signal?: AbortSignal; warn?: (m: string) => void } = {}): Promise<ArchiveImage[]> {
  const root = path.join(tmp, 'archive');
  await fsp.mkdir(root, { mode: 0o700 });
  await extractLayer(src, root, { sameOwner: false, signal: opts.signal, warn: opts.warn });
  if (await exists(path.join(root, 'manifest.json'))) return readDockerArchive(root);
  if (await exists(path.join(root, 'index.json'))) return readOciLayout(root);
  if (await exists(path.join(root, 'repositories'))) return readLegacyArchive(root);
  throw new BadArchiveError('invalid archive: it has neither manifest.json (docker save) nor index.json (OCI image layout)');
}

async function readDockerArchive(root: string): Promise<ArchiveImage[]> {
  const manifest = await readJson<DockerArchiveManifestEntry[]>(path.join(root, 'manifest.json'), 'manifest.json');
  if (!Array.isArray(manifest)) throw new BadArchiveError('invalid archive: manifest.json is not a list');
  const out: ArchiveImage[] = [];
  for (const m of manifest) {
    if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers)) throw new BadArchiveError('invalid archive: manifest.json entry without Config or Layers');
    const configBytes = await readBounded(await inArchive(root, m.Config), m.Config);
    const layerPaths = await Promise.all(m.Layers.map((l) => inArchive(root, String(l))));
    out.push({
      configBytes,
      refs: parseRefs(m.RepoTags ?? []),
      layerCount: layerPaths.length,
      openLayer: (i) => openAt(layerPaths, i),
    });
  }
  return out;
}

function blobPath(root: string, d: Descriptor): Promise<string> {
  if (!isDigest(d?.digest)) throw new BadArchiveError(`invalid archive: unsupported or invalid digest ${String(d?.digest)}`);
  return inArchive(root, `blobs/sha256/${digestHex(d.digest)}`);
}

async function readVerified(root: string, d: Descriptor, what: string): Promise<Buffer> {
  const bytes = await readBounded(await blobPath(root, d), what);
  const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
  if (got !== d.digest) throw new BadArchiveError(`invalid archive: ${what} has digest ${got}, expected ${d.digest}`);
  return bytes;
}

/** Names from an index entry's annotations: containerd's full name, or a ref.name that is a reference. */
function namesOf(d: Descriptor): string[] {
  const a = d.annotations ?? {};
  const full = a[AnnotationImageName];
  if (full) return [full];
  const refName = a[AnnotationRefName];
  // A bare tag ("latest") names nothing without a repository; a full reference does.
  if (refName && /[/:]/.test(refName)) return [refName];
  return [];
}

async function readOciLayout(root: string): Promise<ArchiveImage[]> {
  const index = await readJson<ImageIndex>(path.join(root, 'index.json'), 'index.json');
  if (!Array.isArray(index?.manifests)) throw new BadArchiveError('invalid archive: index.json has no manifests');
  const byManifest = new Map<string, { desc: Descriptor; names: string[] }>();
  const visit = async (d: Descriptor, names: string[], depth: number) => {
    if (depth > 4) throw new BadArchiveError('invalid archive: indexes nested too deep');
    if (isIndexType(d.mediaType)) {
      const nested = JSON.parse((await readVerified(root, d, `index ${d.digest}`)).toString('utf8')) as ImageIndex;
      // A multi-platform index: the entry for this host's platform (or the only one).
      const candidates = (nested.manifests ?? []).filter((m) => !m.platform || (m.platform.os === 'linux' && m.platform.architecture === goArch()));
      const pick = candidates[0] ?? (nested.manifests?.length === 1 ? nested.manifests[0] : undefined);
      if (!pick) throw new BadArchiveError(`invalid archive: index ${d.digest} has no manifest for linux/${goArch()}`);
      await visit(pick, names, depth + 1);
      return;
    }
    if (!isManifestType(d.mediaType)) return; // attestations and other artifacts
    const seen = byManifest.get(d.digest);
    if (seen) seen.names.push(...names);
    else byManifest.set(d.digest, { desc: d, names: [...names] });
  };
  for (const d of index.manifests) await visit(d, namesOf(d), 0);
  const out: ArchiveImage[] = [];
  for (const { desc, names } of byManifest.values()) {
    const manifest = JSON.parse((await readVerified(root, desc, `manifest ${desc.digest}`)).toString('utf8')) as ImageManifest;
    if (!manifest?.config || !Array.isArray(manifest.layers)) throw new BadArchiveError(`invalid archive: manifest ${desc.digest} is malformed`);
    const configBytes = await readVerified(root, manifest.config, `config ${manifest.config.digest}`);
    const layerPaths = await Promise.all(manifest.layers.map((l) => blobPath(root, l)));
    out.push({ configBytes, refs: parseRefs(names), layerCount: layerPaths.length, openLayer: (i) => openAt(layerPaths, i) });
  }
  return out;
}

/** A v1 layer's JSON (docker save before 1.10): the image config of that layer, with its parent. */
interface V1LayerJson {
  id?: string;
  parent?: string;
  created?: string;
  author?: string;
  comment?: string;
  container_config?: { Cmd?: string[] | null };
  [k: string]: unknown;
}

const V1_ID = /^[a-f0-9]{64}$/;

/**
 * A pre-1.10 archive: `repositories` ({"repo": {"tag": "<top layer id>"}}) and one folder per layer
 * holding `json` (v1 config with its parent's id), `VERSION` and `layer.tar`. As Docker converts it:
 * the chain from the root to the named layer becomes the layers, the top layer's JSON (less the v1
 * bookkeeping keys) becomes the image config, with one history entry per layer.
 */
async function readLegacyArchive(root: string): Promise<ArchiveImage[]> {
  const repos = await readJson<Record<string, Record<string, string>>>(path.join(root, 'repositories'), 'repositories');
  if (typeof repos !== 'object' || repos === null || Array.isArray(repos)) throw new BadArchiveError('invalid archive: repositories is not an object');
  const byTop = new Map<string, string[]>();
  for (const [repo, tags] of Object.entries(repos)) {
    if (typeof tags !== 'object' || tags === null) throw new BadArchiveError(`invalid archive: repositories entry ${JSON.stringify(repo)} is not an object`);
    for (const [tag, top] of Object.entries(tags)) {
      if (typeof top !== 'string' || !V1_ID.test(top)) throw new BadArchiveError(`invalid archive: invalid layer id ${JSON.stringify(top)} for ${repo}:${tag}`);
      byTop.set(top, [...(byTop.get(top) ?? []), `${repo}:${tag}`]);
    }
  }
  const out: ArchiveImage[] = [];
  for (const [top, names] of byTop) {
    // Walk from the named layer to the root through `parent`, bounded and cycle-free.
    const chain: { id: string; json: V1LayerJson; tar: string }[] = [];
    const seen = new Set<string>();
    for (let id: string | undefined = top; id; ) {
      if (!V1_ID.test(id) || seen.has(id) || seen.size > 1000) throw new BadArchiveError(`invalid archive: bad layer chain at ${JSON.stringify(id)}`);
      seen.add(id);
      const json: V1LayerJson = await readJson<V1LayerJson>(await inArchive(root, `${id}/json`), `${id}/json`);
      const tar = await inArchive(root, `${id}/layer.tar`);
      chain.unshift({ id, json, tar });
      id = typeof json.parent === 'string' && json.parent ? json.parent : undefined;
    }
    const diffIds: string[] = [];
    for (const l of chain) diffIds.push(`sha256:${await hashFile(l.tar)}`);
    const history = chain.map((l) => ({
      created: l.json.created ?? '1970-01-01T00:00:00Z',
      ...(l.json.author ? { author: l.json.author } : {}),
      created_by: (l.json.container_config?.Cmd ?? []).join(' '),
      ...(l.json.comment ? { comment: l.json.comment } : {}),
    }));
    const config: Record<string, unknown> = { ...chain[chain.length - 1]!.json };
    for (const k of ['id', 'parent', 'Size', 'parent_id', 'layer_id', 'throwaway']) delete config[k];
    config['architecture'] ??= goArch();
    config['os'] ??= 'linux';
    config['rootfs'] = { type: 'layers', diff_ids: diffIds };
    config['history'] = history;
    const layerPaths = chain.map((l) => l.tar);
    out.push({
      configBytes: Buffer.from(JSON.stringify(config)),
      refs: parseRefs(names),
      layerCount: layerPaths.length,
      openLayer: (i) => openAt(layerPaths, i),
    });
  }
  return out;
}

async function hashFile(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(p)) h.update(chunk as Buffer);
  return h.digest('hex');
}
