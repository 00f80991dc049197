// The registry service: repositories, blobs, uploads and manifests over one storage driver, and the
// lock and bookkeeping that make an online garbage collection safe (see gc.ts for the rule). The HTTP
// handlers translate requests into these calls and nothing more.
import type { Readable } from 'node:stream';
import type { ByteSpan, StorageDriver } from './storage/driver.js';
import { RegistryError } from '../lib/distribution/errors.js';
import { isBlobDigest, type BlobDigest } from '../lib/distribution/digest.js';
import type { ByteRange } from '../lib/distribution/range.js';
import type { ParsedDescriptor } from '../lib/distribution/manifest.js';
import { BlobStore } from './blob-store.js';
import { UploadStore } from './upload-store.js';
import { ManifestStore, type PutResult, type StoredManifest } from './manifest-store.js';
import { RWLock } from './rw-lock.js';
import { REPOSITORIES, repoKey } from './layout.js';

export class Registry {
  readonly blobs: BlobStore;
  readonly uploads: UploadStore;
  readonly manifests: ManifestStore;
  /** Shared by every operation that makes a blob referenced; held alone by the GC's sweep. */
  readonly lock = new RWLock();
  /** While a GC runs: every digest pushed, linked, mounted, checked or referenced since it started. */
  private touched: Set<string> | undefined;

  constructor(readonly driver: StorageDriver) {
    this.blobs = new BlobStore(driver);
    this.uploads = new UploadStore(driver, this.blobs);
    this.manifests = new ManifestStore(driver, this.blobs);
  }

  private touch(...digests: string[]): void {
    if (this.touched) for (const d of digests) this.touched.add(d);
  }

  /** Starts recording touched digests for a GC; returns the set the sweep must spare. */
  beginGcWindow(): Set<string> {
    this.touched = new Set();
    return this.touched;
  }

  endGcWindow(): void {
    this.touched = undefined;
  }

  async repositoryExists(repo: string): Promise<boolean> {
    const children = await this.driver.list(repoKey(repo));
    return children.includes('_manifests') || children.includes('_layers');
  }

  /** Every repository that has (or had) content: directories holding `_manifests` or `_layers`. */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (prefix: string, name: string): Promise<void> => {
      const children = await this.driver.list(prefix);
      if (name && (children.includes('_manifests') || children.includes('_layers'))) out.push(name);
      for (const c of children) if (!c.startsWith('_')) await walk(`${prefix}/${c}`, name ? `${name}/${c}` : c);
    };
    await walk(REPOSITORIES, '');
    return out.sort();
  }

  /** The repositories listed by the catalog: those with at least one manifest or tag. */
  async catalog(): Promise<string[]> {
    const out: string[] = [];
    for (const r of await this.repositories()) if ((await this.driver.list(`${repoKey(r)}/_manifests`)).length > 0) out.push(r);
    return out;
  }

  // ---- blobs ----

  async blobSize(repo: string, d: BlobDigest): Promise<number> {
    const size = await this.blobs.sizeIn(repo, d);
    if (size === undefined) throw new RegistryError('BLOB_UNKNOWN', undefined, { digest: d });
    this.touch(d);
    return size;
  }

  async openBlob(repo: string, d: BlobDigest, span?: ByteSpan): Promise<{ size: number; stream: Readable }> {
    const size = await this.blobSize(repo, d);
    const stream = await this.blobs.open(d, span);
    if (!stream) throw new RegistryError('BLOB_UNKNOWN', undefined, { digest: d });
    return { size, stream };
  }

  async deleteBlob(repo: string, d: BlobDigest): Promise<void> {
    if (!(await this.blobs.unlink(repo, d))) throw new RegistryError('BLOB_UNKNOWN', undefined, { digest: d });
  }

  // ---- uploads ----

  startUpload(repo: string): Promise<string> {
    return this.uploads.start(repo);
  }

  uploadSize(repo: string, id: string): Promise<number> {
    return this.uploads.size(repo, id);
  }

  appendUpload(repo: string, id: string, body: Readable, range?: ByteRange): Promise<number> {
    return this.uploads.append(repo, id, body, range);
  }

  completeUpload(repo: string, id: string, d: BlobDigest, last?: Readable): Promise<number> {
    return this.lock.shared(() =>
      this.uploads.complete(repo, id, d, last, async (digest) => {
        this.touch(digest);
        await this.blobs.link(repo, digest);
      }),
    );
  }

  cancelUpload(repo: string, id: string): Promise<void> {
    return this.uploads.cancel(repo, id);
  }

  /**
   * Cross-repository mount: links a blob `from` holds (or, without `from`, any stored blob: the OCI 1.1
   * anonymous mount, where knowing the digest stands for having the content) into `repo`. False when
   * there is nothing to mount; the caller then starts an ordinary upload.
   */
  async mount(repo: string, d: BlobDigest, from?: string): Promise<boolean> {
    return this.lock.shared(async () => {
      const present = from !== undefined ? await this.blobs.sizeIn(from, d) : await this.blobs.size(d);
      if (present === undefined) return false;
      this.touch(d);
      await this.blobs.link(repo, d);
      return true;
    });
  }

  // ---- manifests ----

  async getManifest(repo: string, reference: string): Promise<StoredManifest> {
    const m = await this.manifests.get(repo, reference);
    if (!m) {
      if (!(await this.repositoryExists(repo))) throw new RegistryError('NAME_UNKNOWN', undefined, { name: repo });
      throw new RegistryError('MANIFEST_UNKNOWN', undefined, { reference: reference.slice(0, 200) });
    }
    return m;
  }

  async putManifest(repo: string, reference: string, body: Buffer, contentType: string | undefined): Promise<PutResult> {
    return this.lock.shared(async () => {
      const { parsed, digest } = await this.manifests.check(repo, reference, body, contentType);
      this.touch(digest, ...parsed.blobs.map((b) => b.digest), ...parsed.manifests.map((m) => m.digest));
      return this.manifests.store(repo, reference, body, parsed, digest);
    });
  }

  async deleteManifest(repo: string, reference: string): Promise<void> {
    if (!(await this.manifests.delete(repo, reference))) {
      if (!(await this.repositoryExists(repo))) throw new RegistryError('NAME_UNKNOWN', undefined, { name: repo });
      throw new RegistryError('MANIFEST_UNKNOWN', undefined, { reference: reference.slice(0, 200) });
    }
  }

  async tags(repo: string): Promise<string[]> {
    if (!(await this.repositoryExists(repo))) throw new RegistryError('NAME_UNKNOWN', undefined, { name: repo });
    return this.manifests.tags(repo);
  }

  /**
   * A repository's description for search: the `org.opencontainers.image.description` annotation of
   * the manifest tagged latest (or else the first tag), or that label of its image config; '' if none.
   */
  async description(repo: string): Promise<string> {
    const KEY = 'org.opencontainers.image.description';
    try {
      const tags = await this.manifests.tags(repo);
      const tag = tags.includes('latest') ? 'latest' : tags[0];
      if (!tag) return '';
      const m = await this.manifests.get(repo, tag);
      if (!m) return '';
      const doc = JSON.parse(m.body.toString()) as { annotations?: Record<string, unknown>; config?: { digest?: unknown } };
      if (typeof doc.annotations?.[KEY] === 'string') return doc.annotations[KEY] as string;
      if (typeof doc.config?.digest === 'string' && isBlobDigest(doc.config.digest)) {
        const cfg = await this.blobs.getContent(doc.config.digest);
        const labels = cfg ? (JSON.parse(cfg.toString()) as { config?: { Labels?: Record<string, unknown> } }).config?.Labels : undefined;
        if (typeof labels?.[KEY] === 'string') return labels[KEY] as string;
      }
    } catch {
      /* a description is a nicety: an unreadable document gives none */
    }
    return '';
  }

  referrers(repo: string, subject: BlobDigest, artifactType?: string): Promise<ParsedDescriptor[]> {
    return this.manifests.referrers(repo, subject, artifactType);
  }
}
