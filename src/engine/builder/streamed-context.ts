// The build context as it arrives: the client's tar (plain or gzip) is read entry by entry into a
// ContextTree while each file's sha256 is taken from the passing bytes, which wait in a ContextSpool.
// Nothing is unpacked to disk up front: a fully cached build never writes the context anywhere. When a
// step that copies from the context misses the cache, the entries it needs (every directory and
// symlink, so paths resolve on disk as they did in the tree, and the files under its sources) are
// written into <workDir>/context, once, and COPY/ADD read them from there as from any directory.
// The tar is hostile until proven otherwise, with the checks of the layer extraction: names that climb
// out are refused, symlinks whose relative target leaves the context are refused, hardlinks must name
// an earlier entry, device nodes are skipped; on disk, every file is created O_EXCL|O_NOFOLLOW under
// directories that came from the tree, never through a symlink.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { detectCompression } from '../../host/tar-decompress.js';
import { asInputError, entryComponents, symlinkEscapes, UnsafeTarError } from '../../host/tar-extract.js';
import { makeFifo } from '../../host/tar-whiteouts.js';
import { InvalidParameterError } from '../../errors.js';
import { ContextTree, type TreeEntry } from '../../lib/dockerfile/context-tree.js';
import { parseDockerignore } from '../../lib/dockerfile/dockerignore.js';
import { TarFormatError, TarParser, type TarHeader } from '../../lib/tar/tar-parser.js';
import { ContextSpool, type SpoolRef } from './context-spool.js';
import { hashesOf, type SourceTree } from './build-context.js';

const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

export class StreamedContext implements SourceTree {
  /** Keys already on disk under `dir`. */
  private readonly written = new Set<string>();
  private skeletonDone = false;

  constructor(
    readonly tree: ContextTree<SpoolRef>,
    private readonly spool: ContextSpool,
    /** Where entries are written when a step needs them. */
    readonly dir: string,
    readonly dockerfile: string,
  ) {}

  async select(src: string): Promise<string[]> {
    return this.tree.select(src, 'context');
  }

  async hash(rels: string[]): Promise<Record<string, string>> {
    return hashesOf(this.tree.hashInputs(rels, 'context'));
  }

  async isDir(rel: string): Promise<boolean> {
    return this.tree.lookup(rel)?.entry.type === 'dir';
  }

  /** Writes what copying `rels` reads into `dir` (once per entry) and returns `dir`. */
  async materialize(rels: string[]): Promise<string> {
    const want: string[] = [];
    if (!this.skeletonDone) {
      await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
      for (const k of this.tree.keys()) {
        const t = this.tree.get(k)!.type;
        if (t === 'dir' || t === 'symlink') want.push(k);
      }
    }
    want.push(...this.tree.subtreeKeys(rels.map((r) => this.tree.resolve(r, true))));
    const dirs: [string, TreeEntry<SpoolRef>][] = [];
    for (const key of [...new Set(want)].sort()) {
      if (this.written.has(key)) continue;
      this.written.add(key);
      const e = this.tree.get(key)!;
      const p = path.join(this.dir, key);
      switch (e.type) {
        case 'dir':
          fs.mkdirSync(p, { mode: 0o700 });
          dirs.push([p, e]);
          break;
        case 'symlink':
          fs.symlinkSync(e.linkname ?? '', p);
          if (e.mtime) fs.lutimesSync(p, e.mtime, e.mtime);
          break;
        case 'fifo':
          await makeFifo(p, e.mode);
          break;
        case 'file': {
          const fd = fs.openSync(p, CREATE_FLAGS, 0o600);
          try {
            if (e.data) this.spool.writeTo(e.data, fd);
            fs.fchmodSync(fd, e.mode & 0o7777);
            if (e.mtime) fs.futimesSync(fd, e.mtime, e.mtime);
          } finally {
            fs.closeSync(fd);
          }
        }
      }
    }
    // Directory modes and times last (deepest first), so writing children does not disturb them.
    for (const [p, e] of dirs.reverse()) {
      fs.chmodSync(p, e.mode & 0o7777);
      if (e.mtime) fs.utimesSync(p, e.mtime, e.mtime);
    }
    this.skeletonDone = true;
    return this.dir;
  }

  /** Drops the bytes (the spool file; memory with this object). */
  close(): void {
    this.spool.close();
  }
}

/**
 * Reads the context tar into a tree, then reads the Dockerfile named `dockerfileName` from it and
 * applies .dockerignore (after, so an ignored Dockerfile still builds, as Docker's). `workDir` is
 * the build's private directory (the spool and, on demand, the written context go there).
 */
export async function receiveContext(
  src: AsyncIterable<Uint8Array>,
  workDir: string,
  dockerfileName: string,
  opts: { signal?: AbortSignal; warn?: (m: string) => void; memoryBudget?: number } = {},
): Promise<StreamedContext> {
  const { signal, warn = () => {} } = opts;
  const tree = new ContextTree<SpoolRef>();
  const spool = new ContextSpool(workDir, opts.memoryBudget);
  try {
    await readTar(src, tree, spool, signal, warn);
    const readText = (rel: string): string | null => {
      const found = tree.lookup(rel);
      if (!found || found.entry.type !== 'file' || !found.entry.data) return null;
      return spool.read(found.entry.data).toString('utf8');
    };
    const dfRel = path.posix.normalize('/' + dockerfileName).slice(1);
    const dockerfile = readText(dfRel);
    if (dockerfile === null) throw new InvalidParameterError(`Cannot locate specified Dockerfile: ${dockerfileName}`);
    const ignoreText = readText('.dockerignore');
    if (ignoreText !== null) {
      try {
        tree.applyIgnore(parseDockerignore(ignoreText));
      } catch (e) {
        throw new InvalidParameterError(`failed to parse .dockerignore: ${(e as Error).message}`);
      }
    }
    return new StreamedContext(tree, spool, path.join(workDir, 'context'), dockerfile);
  } catch (e) {
    spool.close();
    throw e;
  }
}

/** Reads the tar (plain or gzip) into the tree, hashing and keeping each file's bytes as they pass. */
async function readTar(src: AsyncIterable<Uint8Array>, tree: ContextTree<SpoolRef>, spool: ContextSpool, signal: AbortSignal | undefined, warn: (m: string) => void): Promise<void> {
  let cur: { h: TarHeader; key: string; comps: string[]; hash: Hash | null; data: SpoolRef | null } | null = null;
  const parser = new TarParser({
    entry(h) {
      const comps = entryComponents(h.name);
      cur = { h, key: '', comps, hash: null, data: null };
      if (comps.length === 0) return; // "./": the context itself
      const leaf = comps[comps.length - 1]!;
      const key = [tree.resolveParent(comps.slice(0, -1), h.name), leaf].filter(Boolean).join('/');
      cur.key = key;
      const base = { mode: h.mode & 0o7777, size: 0, mtime: h.mtime };
      if (leaf.startsWith('.wh.')) {
        // Whiteouts mean nothing in a context: the named entry is gone (as unpacking them on disk did).
        const hidden = leaf.slice(4);
        if (hidden === '' || hidden === '.' || hidden === '..') throw new UnsafeTarError(`invalid whiteout ${JSON.stringify(h.name)}`);
        if (!hidden.startsWith('.wh.')) tree.remove(key.slice(0, key.length - leaf.length) + hidden);
        cur.key = '';
        return;
      }
      switch (h.type) {
        case 'file':
        case 'contiguous-file':
          cur.hash = createHash('sha256');
          cur.data = spool.begin(h.size);
          break;
        case 'directory':
          tree.put(key, { ...base, type: 'dir' });
          break;
        case 'symlink':
          if (symlinkEscapes(comps, h.linkname)) throw new UnsafeTarError(`invalid symlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}: it points outside of the layer`);
          tree.put(key, { ...base, type: 'symlink', linkname: h.linkname });
          break;
        case 'link': {
          let linkComps: string[];
          try {
            linkComps = entryComponents(h.linkname);
          } catch {
            throw new UnsafeTarError(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}: it points outside of the layer`);
          }
          tree.hardlink(key, linkComps, h.name, h.linkname);
          break;
        }
        case 'fifo':
          tree.put(key, { ...base, type: 'fifo' });
          break;
        default:
          warn(`build context: skipping ${h.name} (type ${h.type === 'unknown' ? JSON.stringify(h.flag) : h.type})`);
      }
    },
    data(piece) {
      if (!cur?.hash) return;
      const b = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      cur.hash.update(b);
      spool.append(cur.data!, b);
    },
    end() {
      if (cur?.hash && cur.key) tree.put(cur.key, { type: 'file', mode: cur.h.mode & 0o7777, mtime: cur.h.mtime, size: cur.h.size, digest: cur.hash.digest('hex'), data: cur.data! });
      cur = null;
    },
  });
  const current = () => (cur as { h: TarHeader } | null)?.h.name ?? '';
  try {
    await eachChunk(src instanceof Readable ? src : Readable.from(src, { objectMode: false }), parser, signal);
    parser.finish();
  } catch (e) {
    if (e instanceof TarFormatError) throw new InvalidParameterError(e.message, { cause: e });
    throw asInputError(e, current());
  }
}

/**
 * Feeds the body to the parser from 'data' events: the parser is synchronous, so each chunk is done
 * before the next is read (no promise per chunk, which an async iterator would cost). The first bytes
 * say whether it is gzip (then zlib sits in between, with backpressure) or a plain tar (the docker
 * CLI's: parsed straight from the request's chunks, never copied).
 */
function eachChunk(body: Readable, parser: TarParser, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let ended = false;
    let head: Buffer[] = [];
    let headLen = 0;
    let sink: ((c: Buffer) => void) | null = null;
    let gunzip: zlib.Gunzip | null = null;
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', fail);
      body.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      gunzip?.destroy();
      // Not destroyed: the route reads the rest of a refused body so the client gets the 400, not a reset.
      body.pause();
      reject(e);
    };
    const done = () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve();
    };
    const choose = (h: Buffer) => {
      const compression = detectCompression(h);
      if (compression === 'none') {
        sink = (c) => parser.push(c);
      } else if (compression === 'gzip') {
        const z = zlib.createGunzip();
        gunzip = z;
        z.on('data', (c: Buffer) => {
          try {
            parser.push(c);
          } catch (e) {
            fail(e);
          }
        });
        z.on('error', fail);
        z.on('drain', () => body.resume());
        sink = (c) => {
          if (!z.write(c)) body.pause();
        };
      } else throw new InvalidParameterError(`unsupported compression format ${compression}: use a plain or gzip-compressed tar`);
      sink(h);
    };
    const onData = (chunk: Buffer | Uint8Array) => {
      try {
        const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (sink) return sink(c);
        head.push(c);
        headLen += c.length;
        if (headLen >= 6) {
          const h = head.length === 1 ? head[0]! : Buffer.concat(head);
          head = [];
          choose(h);
        }
      } catch (e) {
        fail(e);
      }
    };
    const onEnd = () => {
      ended = true;
      try {
        if (!sink) choose(head.length === 1 ? head[0]! : Buffer.concat(head));
        if (!gunzip) return done();
        const z: zlib.Gunzip = gunzip;
        z.once('end', done);
        z.end();
      } catch (e) {
        fail(e);
      }
    };
    // A request whose client went away closes without 'end'.
    const onClose = () => ended || fail(Object.assign(new Error('the build context upload was cut short'), { code: 'ECONNRESET' }));
    const onAbort = () => fail(signal!.reason);
    if (signal?.aborted) return fail(signal.reason);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', fail);
    body.once('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
