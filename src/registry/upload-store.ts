// Blob uploads in flight. An upload is a directory of chunks, each an object named by its offset, so a
// PATCH that dies halfway leaves no chunk at all (the driver's put is atomic) and the upload's size is
// always what was fully received. Completion hashes every byte, then moves the content into the blob
// area in one step: nothing is visible under a digest before it is verified.
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { StorageDriver } from './storage/driver.js';
import { RegistryError } from '../lib/distribution/errors.js';
import { digestAlgorithm, type BlobDigest } from '../lib/distribution/digest.js';
import type { ByteRange } from '../lib/distribution/range.js';
import { uploadKey, uploadsKey } from './layout.js';
import type { BlobStore } from './blob-store.js';
import { KeyedMutex } from './rw-lock.js';

const UPLOAD_ID = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;

/**
 * The running sha256 of an upload's bytes, kept in memory by the process that received them, so that
 * completing a push does not read the blob back. Lost on restart (or on another process): completion
 * then hashes the stored chunks instead.
 */
interface RunningHash {
  hash: crypto.Hash;
  size: number;
}

export class UploadStore {
  private readonly mutex = new KeyedMutex();
  private readonly running = new Map<string, RunningHash>();

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
  ) {}

  async start(repo: string): Promise<string> {
    const id = crypto.randomUUID();
    await this.driver.putContent(`${uploadKey(repo, id)}/startedat`, new Date().toISOString());
    this.running.set(uploadKey(repo, id), { hash: crypto.createHash('sha256'), size: 0 });
    return id;
  }

  /** Upload ids of a repository with their start times (for the GC's purge of abandoned uploads). */
  async list(repo: string): Promise<{ id: string; started: Date | undefined }[]> {
    const out = [];
    for (const id of await this.driver.list(uploadsKey(repo))) {
      const raw = await this.driver.getContent(`${uploadKey(repo, id)}/startedat`);
      const t = raw ? new Date(raw.toString()) : undefined;
      out.push({ id, started: t && !Number.isNaN(t.getTime()) ? t : undefined });
    }
    return out;
  }

  private async check(repo: string, id: string): Promise<string> {
    if (!UPLOAD_ID.test(id)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', undefined, { uuid: id.slice(0, 100) });
    const key = uploadKey(repo, id);
    if (!(await this.driver.stat(`${key}/startedat`))) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', undefined, { uuid: id });
    return key;
  }

  private async chunks(key: string): Promise<{ names: string[]; size: number }> {
    const names = await this.driver.list(`${key}/chunks`);
    if (names.length === 0) return { names, size: 0 };
    const last = names[names.length - 1]!;
    const st = await this.driver.stat(`${key}/chunks/${last}`);
    return { names, size: Number(last) + (st?.size ?? 0) };
  }

  /** Bytes received so far; BLOB_UPLOAD_UNKNOWN for an unknown upload. */
  async size(repo: string, id: string): Promise<number> {
    return (await this.chunks(await this.check(repo, id))).size;
  }

  /**
   * Appends one chunk. With a Content-Range the chunk must start where the upload ends (RANGE_INVALID,
   * 416, otherwise) and be exactly as long as the range says.
   */
  async append(repo: string, id: string, source: Readable, range?: ByteRange): Promise<number> {
    const key = await this.check(repo, id);
    return this.mutex.run(key, async () => {
      const { size } = await this.chunks(key);
      if (range && range.start !== size) {
        source.resume();
        throw new RegistryError('RANGE_INVALID', `chunk starts at ${range.start}, upload is at ${size}`, { start: range.start, size });
      }
      return this.writeChunk(key, size, source, range ? range.end - range.start + 1 : undefined);
    });
  }

  private async writeChunk(key: string, offset: number, source: Readable, expected?: number): Promise<number> {
    const chunkKey = `${key}/chunks/${String(offset).padStart(16, '0')}`;
    const run = this.running.get(key);
    const hashing = run && run.size === offset ? run : undefined;
    if (!hashing) this.running.delete(key);
    // Hashed on the way through by a generator, not a piped Transform: a client that hangs up before
    // the driver starts reading (it opens its temp file first) must surface as the driver's read
    // error, never as an 'error' event on a stream nobody listens to yet (that killed the process).
    const feed = hashing
      ? Readable.from(
          (async function* () {
            for await (const chunk of source) {
              hashing.hash.update(chunk as Buffer);
              yield chunk as Buffer;
            }
          })(),
          { objectMode: false },
        )
      : source;
    let written: number;
    try {
      written = await this.driver.putStream(chunkKey, feed);
    } catch (e) {
      this.running.delete(key); // the hash saw bytes that were not kept
      throw e;
    }
    if (expected !== undefined && written !== expected) {
      await this.driver.delete(chunkKey);
      this.running.delete(key);
      throw new RegistryError('SIZE_INVALID', `chunk of ${written} bytes for a range of ${expected}`);
    }
    if (written === 0) await this.driver.delete(chunkKey);
    if (hashing) hashing.size += written;
    return offset + written;
  }

  /**
   * Finishes an upload as blob `digest` (with an optional last chunk), links it into the repository,
   * and removes the upload. DIGEST_INVALID when the bytes do not match (the upload is then removed too,
   * as distribution does).
   */
  async complete(repo: string, id: string, digest: BlobDigest, last?: Readable, link?: (d: BlobDigest) => Promise<void>): Promise<number> {
    const key = await this.check(repo, id);
    return this.mutex.run(key, async () => {
      let { size } = await this.chunks(key);
      if (last) size = await this.writeChunk(key, size, last);
      const { names } = await this.chunks(key);
      const run = this.running.get(key);
      const known = run && run.size === size && digestAlgorithm(digest) === 'sha256' ? `sha256:${run.hash.copy().digest('hex')}` : undefined;
      let staged: string;
      if (names.length === 1) {
        staged = `${key}/chunks/${names[0]}`;
      } else {
        // Several chunks (or none: the empty blob) are joined into one object first.
        staged = `${key}/joined`;
        const driver = this.driver;
        await driver.putStream(
          staged,
          Readable.from(
            (async function* () {
              for (const n of names) {
                const r = await driver.reader(`${key}/chunks/${n}`);
                if (!r) throw new RegistryError('BLOB_UPLOAD_INVALID', 'an upload chunk vanished');
                yield* r;
              }
            })(),
          ),
        );
      }
      try {
        const n = await this.blobs.publishStaged(staged, digest, known);
        if (link) await link(digest);
        return n;
      } finally {
        this.running.delete(key);
        await this.driver.delete(key);
      }
    });
  }

  async cancel(repo: string, id: string): Promise<void> {
    const key = await this.check(repo, id);
    await this.mutex.run(key, async () => {
      this.running.delete(key);
      await this.driver.delete(key);
    });
  }

  /** Removes an upload without the checks (GC's purge of abandoned uploads). */
  async purge(repo: string, id: string): Promise<void> {
    this.running.delete(uploadKey(repo, id));
    await this.driver.delete(uploadKey(repo, id));
  }
}
