// The stream pieces of a layer transfer: a digest-checking pass-through (it fails in its flush, before
// anything downstream sees the end, so a wrong blob is never committed), decompressors for the layer
// media types (gzip through zlib; zstd through fzstd, since Node 20's zlib has none), and a tee that
// feeds two consumers (the content store and the layer extractor) with backpressure from both.
import { createHash } from 'node:crypto';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';

export class DigestVerifier extends Transform {
  private readonly hash;
  bytes = 0;

  constructor(
    private readonly expected: string,
    private readonly expectedSize: number | undefined,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
    const alg = expected.slice(0, expected.indexOf(':'));
    this.hash = createHash(alg === 'sha512' ? 'sha512' : 'sha256');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }

  override _flush(cb: (e?: Error | null) => void): void {
    const alg = this.expected.slice(0, this.expected.indexOf(':'));
    const got = `${alg}:${this.hash.digest('hex')}`;
    if (got !== this.expected) return cb(new Error(`filesystem layer verification failed for digest ${this.expected}`));
    if (this.expectedSize !== undefined && this.expectedSize >= 0 && this.bytes !== this.expectedSize) {
      return cb(new Error(`filesystem layer verification failed for digest ${this.expected}: ${this.bytes} bytes, the manifest says ${this.expectedSize}`));
    }
    cb();
  }
}

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** The compression a layer's media type names; unknown types are sniffed by the caller. */
export function compressionOf(mediaType: string): LayerCompression | undefined {
  if (/\+gzip$|\.tar\.gzip$|\.gzip$/.test(mediaType)) return 'gzip';
  if (/\+zstd$/.test(mediaType)) return 'zstd';
  if (/\.tar$/.test(mediaType) || /layer\.v1\.tar$/.test(mediaType)) return 'none';
  return undefined;
}

export function zstdDecompressor(): Transform {
  let t: Transform;
  const z = new ZstdDecompress((chunk: Uint8Array) => {
    t.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        z.push(chunk);
        cb();
      } catch (e) {
        cb(new Error(`zstd: ${(e as Error).message}`));
      }
    },
    flush(cb) {
      try {
        z.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(new Error(`zstd: ${(e as Error).message}`));
      }
    },
  });
  return t;
}

/**
 * zlib hands out 16 KiB pieces by default: every piece then costs a hash update, a tee, a write and a
 * promise on each of two consumers. 1 MiB pieces cut that overhead (and the garbage) by 64.
 */
const INFLATE_CHUNK = 1 << 20;

export function decompressor(c: LayerCompression): Transform {
  if (c === 'gzip') return zlib.createGunzip({ chunkSize: INFLATE_CHUNK });
  if (c === 'zstd') return zstdDecompressor();
  return new PassThrough();
}

/** A writable that copies every chunk to two readables and waits for both to take it. */
export function tee(): { sink: Writable; a: PassThrough; b: PassThrough } {
  const a = new PassThrough({ highWaterMark: 1 << 20 });
  const b = new PassThrough({ highWaterMark: 1 << 20 });
  // A consumer may still be getting ready (a stat, a mkdir) when the source fails and both sides are
  // destroyed: it then sees the stream's stored error when it starts reading. Without a listener the
  // 'error' event would be an uncaught exception and take the daemon down.
  a.on('error', () => {});
  b.on('error', () => {});
  const write = (s: PassThrough, chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (s.destroyed) return reject(new Error('layer consumer stopped'));
      if (s.write(chunk)) resolve();
      else {
        const done = () => {
          s.off('drain', done);
          s.off('close', done);
          s.destroyed ? reject(new Error('layer consumer stopped')) : resolve();
        };
        s.on('drain', done);
        s.on('close', done);
      }
    });
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      Promise.all([write(a, chunk), write(b, chunk)]).then(() => cb(), cb);
    },
    final(cb) {
      a.end();
      b.end();
      cb();
    },
    destroy(err, cb) {
      if (err) {
        a.destroy(err);
        b.destroy(err);
      }
      cb(err);
    },
  });
  return { sink, a, b };
}

/** How much of a layer is looked at before choosing how hard to compress it. */
const SAMPLE_BYTES = 1 << 20;

/**
 * The deflate level for a layer whose first bytes are `sample`: 1 (fast) for data that compresses,
 * 0 (stored blocks) for data that does not, such as already-compressed files, where searching for
 * matches costs CPU and gains nothing (deflate itself falls back to stored blocks there). The choice
 * depends only on the bytes, so the same layer always compresses to the same blob and digest.
 */
export function chooseGzipLevel(sample: Buffer): number {
  if (sample.length === 0) return zlib.constants.Z_BEST_SPEED;
  const packed = zlib.deflateRawSync(sample, { level: zlib.constants.Z_BEST_SPEED });
  return packed.length > sample.length * 0.97 ? zlib.constants.Z_NO_COMPRESSION : zlib.constants.Z_BEST_SPEED;
}

/** Gzip at the level chooseGzipLevel picked from the layer's first MiB. */
export function gzipper(level: number): Transform {
  return zlib.createGzip({ level });
}

export const GZIP_SAMPLE_BYTES = SAMPLE_BYTES;

export type { Readable };
