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
import { decompressStream } from '../../host/tar-decompress.js';
import { configFromV1, historyFromV1, type V1History } from '../../lib/oci/v1-image.js';

const MAX_JSON = 16 * 1024 * 1024;

export interface ArchiveImage {
  configBytes: Buffer;
  refs: Reference[];
  /** How many layer files the archive names for this image (must equal the config's diff IDs). */
  layerCount: number;
  openLayer(index: number): AsyncIterable<Uint8Array>;
  /** The image this one was made on top of: an index into the same list, earlier than this one. */
  parent?: number;
  /** false: no "Loaded image" lines for its tags (Docker prints none for pre-1.10 archives). */
  announce?: boolean;
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

const V1_ID = /^[a-f0-9]{64}$/;

/**
 * A pre-1.10 archive: `repositories` ({"repo": {"tag": "<layer id>"}}) and one folder per layer holding
 * `json` (a v1 image JSON naming its parent), `VERSION` and `layer.tar`. As Docker loads it: every
 * folder becomes an image whose layers are its chain of parents and itself, its config made from its
 * own JSON (lib/oci/v1-image.ts, the bytes Docker makes, so the IDs are Docker's), its parent image
 * recorded; then the tags of `repositories` are set, without "Loaded image" lines (Docker prints none
 * for these). A tag naming a layer the archive lacks refuses the whole load before anything is stored
 * (Docker's "invalid target ID", which Docker reports after storing the layers it had read).
 */
async function readLegacyArchive(root: string): Promise<ArchiveImage[]> {
  const repos = await readJson<Record<string, Record<string, string>>>(path.join(root, 'repositories'), 'repositories');
  if (typeof repos !== 'object' || repos === null || Array.isArray(repos)) throw new BadArchiveError('invalid archive: repositories is not an object');
  const folders = (await fsp.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const loaded = new Map<string, number>(); // v1 id -> index in `out`
  const out: ArchiveImage[] = [];
  const chainOf = new Map<string, { tars: string[]; diffIds: string[]; history: V1History[] }>();
  const load = async (id: string, depth: number): Promise<void> => {
    if (loaded.has(id)) return;
    if (!V1_ID.test(id) || depth > 1000) throw new BadArchiveError(`invalid archive: bad layer chain at ${JSON.stringify(id)}`);
    const jsonText = (await readBounded(await inArchive(root, `${id}/json`), `${id}/json`)).toString('utf8');
    let v1: { parent?: unknown; os?: unknown };
    try {
      v1 = JSON.parse(jsonText) as typeof v1;
    } catch (e) {
      throw new BadArchiveError(`invalid archive: ${id}/json: ${(e as Error).message}`);
    }
    if (typeof v1 !== 'object' || v1 === null) throw new BadArchiveError(`invalid archive: ${id}/json is not an object`);
    const os = typeof v1.os === 'string' && v1.os ? v1.os : 'linux';
    if (os !== 'linux') throw new BadArchiveError(`cannot load ${os} image on linux`);
    const parent = typeof v1.parent === 'string' && v1.parent ? v1.parent : undefined;
    if (parent) {
      if (parent === id) throw new BadArchiveError(`invalid archive: bad layer chain at ${JSON.stringify(id)}`);
      await load(parent, depth + 1);
    }
    const base = parent ? chainOf.get(parent)! : { tars: [], diffIds: [], history: [] };
    const tar = await inArchive(root, `${id}/layer.tar`);
    let history: V1History;
    let configText: string;
    const diffIds = [...base.diffIds, `sha256:${await diffIdOf(tar)}`];
    try {
      history = historyFromV1(jsonText);
      configText = configFromV1(jsonText, diffIds, [...base.history, history]);
    } catch (e) {
      throw new BadArchiveError(`invalid archive: ${id}/json: ${(e as Error).message}`);
    }
    const tars = [...base.tars, tar];
    chainOf.set(id, { tars, diffIds, history: [...base.history, history] });
    loaded.set(id, out.length);
    out.push({
      configBytes: Buffer.from(configText),
      refs: [],
      layerCount: tars.length,
      openLayer: (i) => openAt(tars, i),
      ...(parent ? { parent: loaded.get(parent)! } : {}),
      announce: false,
    });
  };
  for (const f of folders) await load(f, 0);
  for (const [repo, tags] of Object.entries(repos)) {
    if (typeof tags !== 'object' || tags === null) throw new BadArchiveError(`invalid archive: repositories entry ${JSON.stringify(repo)} is not an object`);
    for (const [tag, target] of Object.entries(tags)) {
      const at = typeof target === 'string' ? loaded.get(target) : undefined;
      if (at === undefined) throw new BadArchiveError(`invalid target ID: ${String(target)}`);
      out[at]!.refs.push(...parseRefs([`${repo}:${tag}`]));
    }
  }
  return out;
}

/** A layer's diff ID: the digest of its uncompressed tar (Docker accepts compressed layer.tar files too). */
async function diffIdOf(p: string): Promise<string> {
  const h = createHash('sha256');
  const { stream } = await decompressStream(fs.createReadStream(p));
  for await (const chunk of stream) h.update(chunk as Buffer);
  return h.digest('hex');
}
