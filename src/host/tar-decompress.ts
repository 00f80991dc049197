// Detects the compression of a tar stream by its magic bytes (as Docker's archive.DecompressStream does)
// and returns the plain tar stream. gzip is handled; bzip2, xz and zstd are named in a clear error
// because Node 20's zlib cannot read them.
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { InvalidParameterError } from '../errors.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

export function detectCompression(head: Uint8Array): Compression {
  const starts = (...m: number[]) => m.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b, 0x08)) return 'gzip';
  if (starts(0x42, 0x5a, 0x68)) return 'bzip2';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  return 'none';
}

/** A view of the same bytes as a Buffer (Buffer.from(Uint8Array) would copy every chunk). */
function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Reads enough of `src` to recognise its compression; returns the decompressed stream. */
export async function decompressStream(src: AsyncIterable<Uint8Array>): Promise<{ stream: Readable; compression: Compression }> {
  const it = src[Symbol.asyncIterator]();
  const headChunks: Buffer[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 6) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = asBuffer(r.value);
    headChunks.push(b);
    headLen += b.length;
  }
  const head = Buffer.concat(headChunks);
  const compression = detectCompression(head);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield asBuffer(r.value);
    }
  }
  const raw = Readable.from(rest(), { objectMode: false });
  if (compression === 'none') return { stream: raw, compression };
  if (compression === 'gzip') {
    const gunzip = zlib.createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    raw.pipe(gunzip);
    return { stream: gunzip, compression };
  }
  raw.destroy();
  throw new InvalidParameterError(`unsupported compression format ${compression}: use a plain or gzip-compressed tar`);
}
