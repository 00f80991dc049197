// The content store: immutable blobs addressed by sha256 digest under <dataRoot>/content/blobs/sha256/.
// Ingest streams into a temp file while hashing, checks the expected digest and size, fsyncs and
// renames into place, so a blob is either absent or whole (containerd's content store discipline).
// Temp files left by a killed daemon are removed by init().
import { syncDir, writeFileAtomic } from '../atomic-file.js';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, isDigest, type Digest } from '../../lib/oci/digest.js';
import { InvalidParameterError, NotFoundError } from '../../errors.js';
import type { Lease } from './leases.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

export interface IngestOptions {
  /** When given, the blob is refused (and nothing kept) unless the bytes hash to it. */
  expected?: Digest;
  expectedSize?: number;
  signal?: AbortSignal;
  /** Leases the blob as it becomes visible, so garbage collection keeps it until released. */
  lease?: Lease;
}

/** The narrow interface the image service, and later the builder and the registry client, use. */
export interface ContentStore {
  ingest(src: AsyncIterable<Uint8Array> | Readable, opts?: IngestOptions): Promise<BlobInfo>;
  put(data: Uint8Array | string, opts?: IngestOptions): Promise<BlobInfo>;
  has(d: Digest): Promise<boolean>;
  info(d: Digest): Promise<BlobInfo | null>;
  /** The whole blob in memory: for configs and manifests, never for layers. */
  get(d: Digest): Promise<Buffer>;
  open(d: Digest): Readable;
  path(d: Digest): string;
  delete(d: Digest): Promise<void>;
  list(): Promise<Digest[]>;
}

export class DigestMismatchError extends InvalidParameterError {}

export class FsContentStore implements ContentStore {
  private readonly blobDir: string;
  private readonly ingestDir: string;

  constructor(root: string) {
    this.blobDir = path.join(root, 'blobs', 'sha256');
    this.ingestDir = path.join(root, 'ingest');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.blobDir, { recursive: true, mode: 0o700 });
    // Anything in ingest/ is a write that never finished (a killed daemon): it was never visible.
    await fsp.rm(this.ingestDir, { recursive: true, force: true });
    await fsp.mkdir(this.ingestDir, { recursive: true, mode: 0o700 });
  }

  path(d: Digest): string {
    if (!isDigest(d)) throw new InvalidParameterError(`invalid digest: ${d}`);
    return path.join(this.blobDir, digestHex(d));
  }

  async ingest(src: AsyncIterable<Uint8Array> | Readable, opts: IngestOptions = {}): Promise<BlobInfo> {
    const guard = <T>(d: Digest, fn: () => Promise<T>) => (opts.lease ? opts.lease.guard(`blob:${d}`, fn) : fn());
    const expected = opts.expected;
    if (expected && (await guard(expected, () => this.has(expected)))) {
      // Already stored: drain the source so the caller's stream completes, verify nothing more.
      for await (const _ of src) void _;
      return (await this.info(expected))!;
    }
    const tmp = path.join(this.ingestDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await fsp.open(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    try {
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          fh.write(chunk).then(() => cb(), cb);
        },
      });
      await pipeline(src, sink, { signal: opts.signal });
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => {});
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    const digest: Digest = `sha256:${hash.digest('hex')}`;
    try {
      if (opts.expected && opts.expected !== digest) {
        throw new DigestMismatchError(`digest mismatch: expected ${opts.expected}, got ${digest}`);
      }
      if (opts.expectedSize !== undefined && opts.expectedSize !== size) {
        throw new DigestMismatchError(`size mismatch for ${digest}: expected ${opts.expectedSize} bytes, got ${size}`);
      }
      await guard(digest, async () => {
        await fsp.rename(tmp, this.path(digest));
        await syncDir(this.blobDir);
      });
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    return { digest, size };
  }

  put(data: Uint8Array | string, opts?: IngestOptions): Promise<BlobInfo> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return this.ingest(Readable.from([buf]), opts);
  }

  async has(d: Digest): Promise<boolean> {
    return (await this.info(d)) !== null;
  }

  async info(d: Digest): Promise<BlobInfo | null> {
    try {
      const st = await fsp.stat(this.path(d));
      return { digest: d, size: st.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async get(d: Digest): Promise<Buffer> {
    try {
      return await fsp.readFile(this.path(d));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`content ${d}: not found`);
      throw e;
    }
  }

  open(d: Digest): Readable {
    return fs.createReadStream(this.path(d));
  }

  async delete(d: Digest): Promise<void> {
    await fsp.rm(this.path(d), { force: true });
  }

  async list(): Promise<Digest[]> {
    const names = await fsp.readdir(this.blobDir);
    return names.map((n) => `sha256:${n}` as Digest).filter(isDigest);
  }
}

// Shared with the rest of the engine; re-exported for the image modules that import it from here.
export { syncDir, writeFileAtomic };
