// Manifests of a repository: stored as blobs (by digest), listed as revisions, named by tags, and
// indexed by subject for the OCI 1.1 referrers API. A PUT is checked whole before anything is written:
// valid JSON of a known media type, the digest it is pushed under, and every blob and child manifest
// it names present in the repository (MANIFEST_BLOB_UNKNOWN otherwise).
import type { StorageDriver } from './storage/driver.js';
import { RegistryError } from '../lib/distribution/errors.js';
import { isBlobDigest, parseBlobDigest, digestAlgorithm, type BlobDigest } from '../lib/distribution/digest.js';
import { isValidTag } from '../lib/distribution/names.js';
import { parseManifest, referrerDescriptor, type ParsedDescriptor, type ParsedManifest } from '../lib/distribution/manifest.js';
import { BlobStore, digestOf } from './blob-store.js';
import { referrerEntryKey, referrersKey, revisionLinkKey, revisionsKey, tagLinkKey, tagsKey } from './layout.js';

export interface StoredManifest {
  digest: BlobDigest;
  mediaType: string;
  body: Buffer;
}

export interface PutResult {
  digest: BlobDigest;
  subject?: BlobDigest;
}

/** Content by digest never changes, so parsed bodies are cached (bounded) for the hot GET path. */
class ContentCache {
  private readonly map = new Map<string, Buffer>();
  constructor(private readonly maxBytes: number) {}
  private bytes = 0;
  get(d: string): Buffer | undefined {
    return this.map.get(d);
  }
  set(d: string, b: Buffer): void {
    if (b.length > this.maxBytes / 16 || this.map.has(d)) return;
    this.map.set(d, b);
    this.bytes += b.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }
  delete(d: string): void {
    const b = this.map.get(d);
    if (b) this.bytes -= b.length;
    this.map.delete(d);
  }
}

export class ManifestStore {
  private readonly cache = new ContentCache(32 * 1024 * 1024);

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
  ) {}

  /** Resolves a tag or digest reference to the digest of a manifest the repository holds. */
  async resolve(repo: string, reference: string): Promise<{ digest: BlobDigest; mediaType: string } | undefined> {
    let digest: BlobDigest;
    if (reference.includes(':')) {
      digest = parseBlobDigest(reference);
    } else {
      if (!isValidTag(reference)) throw new RegistryError('MANIFEST_INVALID', 'invalid tag', { tag: reference.slice(0, 200) });
      const link = await this.driver.getContent(tagLinkKey(repo, reference));
      if (!link || !isBlobDigest(link.toString())) return undefined;
      digest = link.toString() as BlobDigest;
    }
    const rev = await this.driver.getContent(revisionLinkKey(repo, digest));
    if (!rev) return undefined;
    const mediaType = rev.toString().split('\n')[1] ?? '';
    return { digest, mediaType };
  }

  async get(repo: string, reference: string): Promise<StoredManifest | undefined> {
    const r = await this.resolve(repo, reference);
    if (!r) return undefined;
    let body = this.cache.get(r.digest);
    if (!body) {
      body = await this.blobs.getContent(r.digest);
      if (!body) return undefined;
      this.cache.set(r.digest, body);
    }
    return { digest: r.digest, mediaType: r.mediaType, body };
  }

  /** Checks a manifest and the references it makes; nothing is written. */
  async check(repo: string, reference: string, body: Buffer, contentType: string | undefined): Promise<{ parsed: ParsedManifest; digest: BlobDigest }> {
    const parsed = parseManifest(body, contentType);
    let digest: BlobDigest;
    if (reference.includes(':')) {
      const want = parseBlobDigest(reference);
      if (digestOf(body, digestAlgorithm(want)) !== want) throw new RegistryError('DIGEST_INVALID', 'manifest digest did not match the reference', { digest: want });
      digest = want;
    } else {
      if (!isValidTag(reference)) throw new RegistryError('TAG_INVALID', 'invalid tag', { tag: reference.slice(0, 200) });
      digest = digestOf(body) as BlobDigest;
    }
    const missing: ParsedDescriptor[] = [];
    for (const b of parsed.blobs) if ((await this.blobs.sizeIn(repo, b.digest)) === undefined) missing.push(b);
    for (const m of parsed.manifests) if (!(await this.driver.stat(revisionLinkKey(repo, m.digest)))) missing.push(m);
    if (missing.length > 0) {
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest references ${missing.length} blob(s) or manifest(s) unknown to the repository`, {
        missing: missing.map((m) => m.digest),
      });
    }
    return { parsed, digest };
  }

  /** Stores a checked manifest (call under the GC's shared lock, right after check()). */
  async store(repo: string, reference: string, body: Buffer, parsed: ParsedManifest, digest: BlobDigest): Promise<PutResult> {
    await this.blobs.putVerified(digest, body);
    await this.driver.putContent(revisionLinkKey(repo, digest), `${digest}\n${parsed.mediaType}`);
    if (parsed.subject) {
      await this.driver.putContent(referrerEntryKey(repo, parsed.subject.digest, digest), JSON.stringify(referrerDescriptor(parsed, digest, body.length)));
    }
    if (!reference.includes(':')) await this.driver.putContent(tagLinkKey(repo, reference), digest);
    return parsed.subject ? { digest, subject: parsed.subject.digest } : { digest };
  }

  async tags(repo: string): Promise<string[]> {
    return this.driver.list(tagsKey(repo));
  }

  /** Digests of every manifest revision of a repository. */
  async revisions(repo: string): Promise<BlobDigest[]> {
    const out: BlobDigest[] = [];
    for (const alg of await this.driver.list(revisionsKey(repo))) {
      for (const hex of await this.driver.list(`${revisionsKey(repo)}/${alg}`)) {
        const d = `${alg}:${hex}`;
        if (isBlobDigest(d)) out.push(d);
      }
    }
    return out;
  }

  /**
   * Deletes by digest (the revision, every tag on it, its referrer entry) or by tag (the tag only, as
   * OCI 1.1 allows). False when the repository has no such manifest or tag.
   */
  async delete(repo: string, reference: string): Promise<boolean> {
    if (!reference.includes(':')) {
      if (!isValidTag(reference)) throw new RegistryError('TAG_INVALID', 'invalid tag', { tag: reference.slice(0, 200) });
      if (!(await this.driver.stat(tagLinkKey(repo, reference)))) return false;
      await this.driver.delete(`${tagsKey(repo)}/${reference}`);
      return true;
    }
    const digest = parseBlobDigest(reference);
    if (!(await this.driver.stat(revisionLinkKey(repo, digest)))) return false;
    const body = await this.blobs.getContent(digest);
    for (const tag of await this.tags(repo)) {
      const link = await this.driver.getContent(tagLinkKey(repo, tag));
      if (link?.toString() === digest) await this.driver.delete(`${tagsKey(repo)}/${tag}`);
    }
    if (body) {
      try {
        const p = parseManifest(body, undefined);
        if (p.subject) await this.driver.delete(referrerEntryKey(repo, p.subject.digest, digest));
      } catch {
        /* stored manifests were checked on the way in; nothing to unindex otherwise */
      }
    }
    await this.driver.delete(revisionLinkKey(repo, digest).replace(/\/link$/, ''));
    return true;
  }

  /** The referrers of `subject` in the repository, optionally of one artifact type. */
  async referrers(repo: string, subject: BlobDigest, artifactType?: string): Promise<ParsedDescriptor[]> {
    const out: ParsedDescriptor[] = [];
    const dir = referrersKey(repo, subject);
    for (const name of await this.driver.list(dir)) {
      const raw = await this.driver.getContent(`${dir}/${name}`);
      if (!raw) continue;
      const d = JSON.parse(raw.toString()) as ParsedDescriptor;
      // A referrer deleted by digest is unindexed; one whose revision vanished another way is skipped.
      if (!(await this.driver.stat(revisionLinkKey(repo, d.digest)))) continue;
      if (artifactType === undefined || d.artifactType === artifactType) out.push(d);
    }
    return out;
  }
}
