// What a pushed manifest says, checked before it is stored: its media type (Docker v2 schema 2, a
// Docker manifest list, an OCI manifest or index, artifacts among them), the blobs and manifests it
// references (which must exist: MANIFEST_BLOB_UNKNOWN), and its OCI 1.1 subject for the referrers API.
import { RegistryError } from './errors.js';
import { isBlobDigest, type BlobDigest } from './digest.js';

export const MANIFEST_TYPES = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const IMAGE_TYPES: readonly string[] = [MANIFEST_TYPES.OciManifest, MANIFEST_TYPES.DockerManifest];
const INDEX_TYPES: readonly string[] = [MANIFEST_TYPES.OciIndex, MANIFEST_TYPES.DockerManifestList];
export const ALL_MANIFEST_TYPES: readonly string[] = [...IMAGE_TYPES, ...INDEX_TYPES];

export interface ParsedDescriptor {
  mediaType: string;
  digest: BlobDigest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  /** Blobs that must be in the repository (config and layers; foreign layers with URLs excepted). */
  blobs: ParsedDescriptor[];
  /** Manifests that must be in the repository (an index's entries). */
  manifests: ParsedDescriptor[];
  subject?: ParsedDescriptor;
  /** The artifact type the referrers API reports: artifactType, else the config's media type. */
  artifactType?: string;
  annotations?: Record<string, string>;
}

function invalid(message: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', message);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function descriptor(v: unknown, where: string): ParsedDescriptor {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`${where}: not a descriptor`);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${where}: mediaType missing`);
  if (typeof d.digest !== 'string' || !isBlobDigest(d.digest)) throw invalid(`${where}: invalid digest ${JSON.stringify(d.digest)}`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${where}: invalid size`);
  const out: ParsedDescriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.artifactType !== undefined) {
    if (typeof d.artifactType !== 'string') throw invalid(`${where}: artifactType must be a string`);
    out.artifactType = d.artifactType;
  }
  if (d.annotations !== undefined) {
    if (!isStringMap(d.annotations)) throw invalid(`${where}: annotations must map strings to strings`);
    out.annotations = d.annotations;
  }
  if (d.urls !== undefined) {
    if (!Array.isArray(d.urls) || !d.urls.every((u) => typeof u === 'string')) throw invalid(`${where}: urls must be strings`);
    out.urls = d.urls as string[];
  }
  return out;
}

/**
 * Parses a manifest body. `contentType` is the request's Content-Type (without parameters); the
 * body's own mediaType, when present, must agree with it.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('manifest is not a JSON object');
  const m = doc as Record<string, unknown>;
  if (m.schemaVersion !== 2) throw invalid(m.schemaVersion === 1 ? 'schema 1 manifests are not supported' : 'schemaVersion must be 2');
  const declared = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  if (m.mediaType !== undefined && declared === undefined) throw invalid('mediaType must be a string');
  const header = contentType && ALL_MANIFEST_TYPES.includes(contentType) ? contentType : undefined;
  if (declared && header && declared !== header) throw invalid(`mediaType ${declared} does not match Content-Type ${header}`);
  // Without either, the shape decides (the OCI spec makes mediaType optional in both documents).
  const mediaType = declared ?? header ?? (Array.isArray(m.manifests) ? MANIFEST_TYPES.OciIndex : MANIFEST_TYPES.OciManifest);
  if (!ALL_MANIFEST_TYPES.includes(mediaType)) throw invalid(`unsupported manifest media type ${mediaType}`);
  if (m.artifactType !== undefined && typeof m.artifactType !== 'string') throw invalid('artifactType must be a string');
  if (m.annotations !== undefined && !isStringMap(m.annotations)) throw invalid('annotations must map strings to strings');
  const out: ParsedManifest = { mediaType, kind: INDEX_TYPES.includes(mediaType) ? 'index' : 'image', blobs: [], manifests: [] };
  if (m.annotations) out.annotations = m.annotations as Record<string, string>;
  if (m.subject !== undefined) out.subject = descriptor(m.subject, 'subject');
  if (out.kind === 'image') {
    const config = descriptor(m.config, 'config');
    if (!Array.isArray(m.layers)) throw invalid('layers must be an array');
    const layers = m.layers.map((l, i) => descriptor(l, `layers[${i}]`));
    // Foreign (non-distributable) layers live at their URLs, not in the registry.
    out.blobs = [config, ...layers.filter((l) => !(l.urls && l.urls.length > 0))];
    out.artifactType = typeof m.artifactType === 'string' ? m.artifactType : config.mediaType;
  } else {
    if (!Array.isArray(m.manifests)) throw invalid('manifests must be an array');
    out.manifests = m.manifests.map((d, i) => descriptor(d, `manifests[${i}]`));
    if (typeof m.artifactType === 'string') out.artifactType = m.artifactType;
  }
  return out;
}

/** The descriptor the referrers API lists for a manifest that names a subject. */
export function referrerDescriptor(p: ParsedManifest, digest: BlobDigest, size: number): ParsedDescriptor {
  const d: ParsedDescriptor = { mediaType: p.mediaType, digest, size };
  if (p.artifactType) d.artifactType = p.artifactType;
  if (p.annotations) d.annotations = p.annotations;
  return d;
}
