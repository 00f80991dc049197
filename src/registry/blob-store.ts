// Blobs: content by digest in the shared area, visible to a repository through its link. Every byte is
// hashed before it is published under a digest (ingest), so a blob key never holds other content.
import crypto from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { ByteSpan, StorageDriver } from './storage/driver.js';
import { RegistryError } from '../lib/distribution/errors.js';
import { digestAlgorithm, type BlobDigest } from '../lib/distribution/digest.js';
import { blobDataKey, layerLinkKey } from './layout.js';

/** A pass-through that hashes what flows through it. */
export class HashingStream extends Transform {
  private readonly hash: crypto.Hash;
  bytes = 0;
  constructor(readonly algorithm: 'sha256' | 'sha512') {
    super();
    this.hash = crypto.createHash(algorithm);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

export function digestOf(data: Buffer, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${crypto.createHash(algorithm).update(data).digest('hex')}`;
}

export class BlobStore {
  constructor(private readonly driver: StorageDriver) {}

  /** The blob's size when its content is stored (in any repository), else undefined. */
  async size(d: BlobDigest): Promise<number | undefined> {
    const st = await this.driver.stat(blobDataKey(d));
    return st && !st.isPrefix ? st.size : undefined;
  }

  async modified(d: BlobDigest): Promise<Date | undefined> {
    return (await this.driver.stat(blobDataKey(d)))?.modified;
  }

  async isLinked(repo: string, d: BlobDigest): Promise<boolean> {
    return (await this.driver.stat(layerLinkKey(repo, d))) !== undefined;
  }

  /** The size of a blob the repository holds (linked and stored), else undefined. */
  async sizeIn(repo: string, d: BlobDigest): Promise<number | undefined> {
    if (!(await this.isLinked(repo, d))) return undefined;
    return this.size(d);
  }

  open(d: BlobDigest, span?: ByteSpan): Promise<Readable | undefined> {
    return this.driver.reader(blobDataKey(d), span);
  }

  getContent(d: BlobDigest): Promise<Buffer | undefined> {
    return this.driver.getContent(blobDataKey(d));
  }

  async link(repo: string, d: BlobDigest): Promise<void> {
    await this.driver.putContent(layerLinkKey(repo, d), d);
  }

  async unlink(repo: string, d: BlobDigest): Promise<boolean> {
    if (!(await this.isLinked(repo, d))) return false;
    await this.driver.delete(layerLinkKey(repo, d));
    return true;
  }

  /** Stores small content (a manifest) under its digest after checking it; idempotent. */
  async putVerified(d: BlobDigest, data: Buffer): Promise<void> {
    if (digestOf(data, digestAlgorithm(d)) !== d) throw new RegistryError('DIGEST_INVALID', undefined, { digest: d });
    if ((await this.size(d)) === data.length) return;
    await this.driver.putContent(blobDataKey(d), data);
  }

  /**
   * Publishes an object the caller staged under `stagedKey` as blob `d`, after hashing every byte of
   * it. A mismatch is DIGEST_INVALID and the staged object is removed. Two publishers of the same
   * digest race harmlessly: the content is identical and the move is atomic.
   */
  async publishStaged(stagedKey: string, d: BlobDigest, knownDigest?: string): Promise<number> {
    let actual = knownDigest;
    let size = (await this.driver.stat(stagedKey))?.size ?? 0;
    if (actual === undefined) {
      const src = await this.driver.reader(stagedKey);
      if (!src) throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
      const h = crypto.createHash(digestAlgorithm(d));
      size = 0;
      for await (const chunk of src) {
        h.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      actual = `${digestAlgorithm(d)}:${h.digest('hex')}`;
    }
    if (actual !== d) {
      await this.driver.delete(stagedKey);
      throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: d });
    }
    await this.driver.move(stagedKey, blobDataKey(d));
    return size;
  }

  async deleteData(d: BlobDigest): Promise<void> {
    await this.driver.delete(blobDataKey(d).replace(/\/data$/, ''));
  }
}
