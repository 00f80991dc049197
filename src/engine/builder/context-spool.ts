// Where the bytes of a build context's files wait until a step needs them (most builds of an unchanged
// context never do: every step is a cache hit). Files are kept as the chunks they arrived in (no copy)
// while the build's share of memory lasts; past it they are appended to one spool file in the build's
// temp directory. Nothing is fsynced: the spool dies with the build.
import fs from 'node:fs';
import path from 'node:path';

/** A file's bytes: chunks in memory, or a range of the spool file. */
export type SpoolRef = { chunks: Buffer[] } | { offset: number; length: number };

/** Context bytes a build keeps in memory before spilling to its spool file. */
export const CONTEXT_MEMORY_BUDGET = 64 * 1024 * 1024;

export class ContextSpool {
  private inMemory = 0;
  private fd: number | null = null;
  private spoolSize = 0;
  private readonly file: string;

  constructor(
    dir: string,
    private readonly budget = CONTEXT_MEMORY_BUDGET,
  ) {
    this.file = path.join(dir, 'context.spool');
  }

  /** Starts a file of `size` bytes (from its tar header): memory if it fits what is left, else the spool. */
  begin(size: number): SpoolRef {
    if (this.inMemory + size <= this.budget) {
      this.inMemory += size;
      return { chunks: [] };
    }
    this.fd ??= fs.openSync(this.file, 'w+', 0o600);
    return { offset: this.spoolSize, length: 0 };
  }

  append(ref: SpoolRef, chunk: Buffer): void {
    if ('chunks' in ref) {
      // A small piece of a large received buffer would keep all of it alive: copy those.
      ref.chunks.push(chunk.length < 16384 && chunk.buffer.byteLength > 2 * chunk.length ? Buffer.from(chunk) : chunk);
      return;
    }
    // Appends are sequential: a file's range is contiguous because files arrive one at a time.
    for (let off = 0; off < chunk.length; ) off += fs.writeSync(this.fd!, chunk, off, chunk.length - off, this.spoolSize + off);
    this.spoolSize += chunk.length;
    ref.length += chunk.length;
  }

  /** The whole content (for the Dockerfile and .dockerignore: small files). */
  read(ref: SpoolRef): Buffer {
    if ('chunks' in ref) return Buffer.concat(ref.chunks);
    const buf = Buffer.alloc(ref.length);
    for (let off = 0; off < ref.length; ) {
      const n = fs.readSync(this.fd!, buf, off, ref.length - off, ref.offset + off);
      if (n === 0) break;
      off += n;
    }
    return buf;
  }

  /** Writes the content to an open file descriptor. */
  writeTo(ref: SpoolRef, fd: number): void {
    if ('chunks' in ref) {
      for (const c of ref.chunks) for (let off = 0; off < c.length; ) off += fs.writeSync(fd, c, off, c.length - off);
      return;
    }
    const buf = Buffer.allocUnsafe(Math.min(ref.length, 1 << 20));
    for (let done = 0; done < ref.length; ) {
      const n = fs.readSync(this.fd!, buf, 0, Math.min(buf.length, ref.length - done), ref.offset + done);
      if (n === 0) throw new Error('build context spool is shorter than recorded');
      for (let off = 0; off < n; ) off += fs.writeSync(fd, buf, off, n - off);
      done += n;
    }
  }

  /** Closes and removes the spool file (the memory goes with the last reference to the refs). */
  close(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
      fs.rmSync(this.file, { force: true });
    }
  }
}
