// Safe, streamed extraction of an image layer tar into a directory that becomes an overlayfs lower
// layer. The tar is hostile until proven otherwise:
// - names are cleaned as Docker does (a leading "/" is dropped, so absolute names land inside the
//   layer); a name whose ".." climbs above the layer root is refused;
// - every parent directory is resolved component by component inside the layer: a symlink met on the
//   way is followed as if the layer were the root (as Docker's chrooted extraction would), so no write
//   ever leaves the layer; the final component is never followed (files are created O_EXCL|O_NOFOLLOW);
// - symlinks whose relative target climbs out of the layer and hardlinks to paths outside it are
//   refused, with Docker's breakout messages; absolute symlink targets are fine (they are resolved in
//   the container's root at run time);
// - character and block devices are NOT created (a device node in a layer could hand a container a
//   host device); they are skipped and listed in the result. FIFOs are created;
// - whiteouts become overlayfs's form: `.wh.NAME` a 0/0 character device NAME, `.wh..wh..opq` the
//   `trusted.overlay.opaque=y` xattr on its directory (see tar-whiteouts.ts); other `.wh..wh.` entries
//   (aufs metadata) are skipped.
// Ownership (lchown, when root), modes and mtimes are applied; directory modes and mtimes last, so
// writing children does not disturb them. The diff ID (sha256 of the uncompressed tar) is computed as
// the bytes pass; gzip input is detected by its magic. pax xattrs are not applied (not yet needed).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { InvalidParameterError, isBerthError } from '../errors.js';
import type { Digest } from '../lib/oci/digest.js';
import { decompressStream } from './tar-decompress.js';
import { makeFifo, makeWhiteout, markOpaque } from './tar-whiteouts.js';
import { walkInRoot, WalkError } from '../lib/tar/walk-in-root.js';

export class UnsafeTarError extends InvalidParameterError {}

export interface ExtractOptions {
  /** Refuse the layer unless its uncompressed bytes hash to this. */
  expectedDiffId?: Digest;
  /** lchown entries to their tar uid/gid. Default: when running as root. */
  sameOwner?: boolean;
  signal?: AbortSignal;
  /** Told about entries skipped on purpose (device nodes, aufs metadata). */
  warn?: (msg: string) => void;
}

export interface ExtractResult {
  diffId: Digest;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /**
   * What Docker reports as a layer's size (overlay2's DiffSize): the lstat size of every non-directory,
   * so regular files plus symlink target lengths, hardlinked inodes once.
   */
  contentSize: number;
  /** Entry names not created on purpose (device nodes). */
  skipped: string[];
}

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';

/**
 * Cleans a tar entry name into components relative to the layer root (filepath.Clean of the name with
 * the leading "/" dropped). Throws UnsafeTarError when ".." climbs above the root.
 */
export function entryComponents(name: string): string[] {
  const out: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length === 0) throw new UnsafeTarError(`invalid tar entry ${JSON.stringify(name)}: it is outside of the layer`);
      out.pop();
      continue;
    }
    out.push(c);
  }
  return out;
}

/** Docker's symlink check: a relative target, joined to the link's directory, must stay in the root. */
export function symlinkEscapes(entryComps: string[], target: string): boolean {
  if (target.startsWith('/')) return false;
  const stack = entryComps.slice(0, -1);
  for (const c of target.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (stack.length === 0) return true;
      stack.pop();
    } else stack.push(c);
  }
  return false;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

/**
 * Resolves `comps` (a directory path relative to the root) to a real directory inside `root`, creating
 * missing components (mode 0755, as Docker's MkdirAll) and following symlinks as if `root` were `/`.
 * Returns the host path of the directory; it is made only of real directories under root.
 *
 * The syscalls here and below are synchronous on purpose: each takes microseconds, while an async fs
 * call costs a thread-pool round trip, and a layer has tens of thousands of entries done one after the
 * other (a 54k-file layer went from 31 s to a few). The event loop still runs between entries, whose
 * data arrives asynchronously.
 */
function resolveDirInRoot(root: string, comps: string[], name: string, cache: Map<string, string>): string {
  const key = comps.join('/');
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let resolved: string[];
  try {
    resolved = walkInRoot(
      comps,
      (rel) => {
        const p = path.join(root, ...rel);
        const st = fs.lstatSync(p, { throwIfNoEntry: false });
        if (st === undefined) return { kind: 'missing' };
        if (st.isDirectory()) return { kind: 'dir' };
        if (st.isSymbolicLink()) return { kind: 'symlink', target: fs.readlinkSync(p) };
        return { kind: 'other' };
      },
      (rel) => fs.mkdirSync(path.join(root, ...rel), { mode: 0o755 }),
    );
  } catch (e) {
    if (e instanceof WalkError) throw new UnsafeTarError(`invalid tar entry ${JSON.stringify(name)}: ${e.message}`);
    throw e;
  }
  const out = path.join(root, ...resolved);
  cache.set(key, out);
  return out;
}

/**
 * Removes whatever is at `p` (never following it), unless both it and the new entry are directories.
 * Any removal may invalidate resolved parents, so the cache is dropped when something goes.
 */
function clearFor(p: string, newIsDir: boolean, cache: Map<string, string>): void {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (st === undefined) return;
  if (newIsDir && st.isDirectory()) return;
  fs.rmSync(p, { recursive: true, force: true });
  cache.clear();
}

/** Runs `create`; when the name is taken, clears it (never following it) and tries once more. */
function createFresh<T>(p: string, cache: Map<string, string>, create: () => T): T {
  try {
    return create();
  } catch (e) {
    if (errno(e) !== 'EEXIST') throw e;
    clearFor(p, false, cache);
    return create();
  }
}

async function drain(s: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of s) void _;
}

const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/** Extracts a layer tar (plain or gzip) from `src` into the existing directory `root`. */
export async function extractLayer(src: AsyncIterable<Uint8Array>, root: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const sameOwner = opts.sameOwner ?? process.getuid?.() === 0;
  const warn = opts.warn ?? (() => {});
  const rootReal = await fsp.realpath(root);
  const { stream: plain } = await decompressStream(src);
  const hash = createHash('sha256');
  let tarSize = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      tarSize += chunk.length;
      cb(null, chunk);
    },
  });
  const extract = tar.extract();
  const piping = pipeline(plain, hasher, extract, { signal: opts.signal });
  piping.catch(() => {}); // observed below; avoid an unhandled rejection while the loop runs

  let contentSize = 0;
  const skipped: string[] = [];
  // Directory metadata applied at the end: children written later would change the mtime.
  const dirMeta = new Map<string, { mode: number; mtime?: Date }>();

  // Resolved parent directories by their cleaned relative path; dropped whenever anything is removed.
  const dirCache = new Map<string, string>();

  const applyOwnerModeTime = (p: string, h: tar.Header, kind: 'symlink' | 'other') => {
    if (sameOwner) fs.lchownSync(p, h.uid ?? 0, h.gid ?? 0);
    // chmod after chown: chown clears setuid/setgid bits. Linux has no lchmod; symlinks have no mode.
    if (kind !== 'symlink') fs.chmodSync(p, (h.mode ?? 0o644) & 0o7777);
    if (h.mtime) fs.lutimesSync(p, h.mtime, h.mtime);
  };

  /** The entry being written, to name it when the filesystem refuses it. */
  let current = '';
  try {
    for await (const entry of extract) {
      const h = entry.header;
      current = h.name;
      const comps = entryComponents(h.name);
      if (comps.length === 0) {
        // "./": the layer root itself. Its metadata is the layer directory's own; nothing to create.
        await drain(entry);
        continue;
      }
      const leaf = comps[comps.length - 1]!;
      const parentDir = resolveDirInRoot(rootReal, comps.slice(0, -1), h.name, dirCache);
      const target = path.join(parentDir, leaf);

      if (leaf.startsWith(WHITEOUT_PREFIX)) {
        await drain(entry);
        if (leaf === WHITEOUT_OPAQUE) {
          await markOpaque(parentDir);
        } else if (leaf.startsWith(WHITEOUT_META_PREFIX)) {
          warn(`skipping aufs metadata entry ${h.name}`);
        } else {
          const hiddenName = leaf.slice(WHITEOUT_PREFIX.length);
          // ".wh.." or ".wh..." would name the directory itself or its parent (outside the layer at the root).
          if (hiddenName === '' || hiddenName === '.' || hiddenName === '..') throw new UnsafeTarError(`invalid whiteout ${JSON.stringify(h.name)}`);
          const hidden = path.join(parentDir, hiddenName);
          clearFor(hidden, false, dirCache);
          await makeWhiteout(hidden);
          if (sameOwner) fs.lchownSync(hidden, h.uid ?? 0, h.gid ?? 0);
        }
        continue;
      }

      switch (h.type) {
        case 'file':
        case 'contiguous-file':
        case null:
        case undefined: {
          const fd = createFresh(target, dirCache, () => fs.openSync(target, CREATE_FLAGS, 0o600));
          try {
            for await (const chunk of entry) {
              const b = chunk as Buffer;
              for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
            }
            if (sameOwner) fs.fchownSync(fd, h.uid ?? 0, h.gid ?? 0);
            fs.fchmodSync(fd, (h.mode ?? 0o644) & 0o7777);
            if (h.mtime) fs.futimesSync(fd, h.mtime, h.mtime);
          } finally {
            fs.closeSync(fd);
          }
          contentSize += h.size ?? 0;
          break;
        }
        case 'directory': {
          await drain(entry);
          try {
            fs.mkdirSync(target, { mode: 0o700 });
          } catch (e) {
            if (errno(e) !== 'EEXIST') throw e;
            clearFor(target, true, dirCache);
            if (!fs.lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) fs.mkdirSync(target, { mode: 0o700 });
          }
          if (sameOwner) fs.lchownSync(target, h.uid ?? 0, h.gid ?? 0);
          dirMeta.set(target, { mode: (h.mode ?? 0o755) & 0o7777, mtime: h.mtime });
          break;
        }
        case 'symlink': {
          await drain(entry);
          const linkname = h.linkname ?? '';
          if (symlinkEscapes(comps, linkname)) throw new UnsafeTarError(`invalid symlink ${JSON.stringify(h.name)} -> ${JSON.stringify(linkname)}: it points outside of the layer`);
          createFresh(target, dirCache, () => fs.symlinkSync(linkname, target));
          contentSize += Buffer.byteLength(linkname);
          applyOwnerModeTime(target, h, 'symlink');
          break;
        }
        case 'link': {
          await drain(entry);
          const linkname = h.linkname ?? '';
          let linkComps: string[];
          try {
            linkComps = entryComponents(linkname);
          } catch {
            throw new UnsafeTarError(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(linkname)}: it points outside of the layer`);
          }
          if (linkComps.length === 0) throw new UnsafeTarError(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(linkname)}`);
          const srcDir = resolveDirInRoot(rootReal, linkComps.slice(0, -1), linkname, dirCache);
          const source = path.join(srcDir, linkComps[linkComps.length - 1]!);
          const st = fs.lstatSync(source, { throwIfNoEntry: false });
          if (!st) throw new UnsafeTarError(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(linkname)}: target is not in the layer`);
          if (st.isDirectory()) throw new UnsafeTarError(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(linkname)}: target is a directory`);
          if (source === target) break;
          // link(2) does not follow a symlink source: the new name shares the inode found inside the layer.
          createFresh(target, dirCache, () => fs.linkSync(source, target));
          break;
        }
        case 'fifo': {
          await drain(entry);
          clearFor(target, false, dirCache);
          await makeFifo(target, h.mode ?? 0o644);
          applyOwnerModeTime(target, h, 'other');
          break;
        }
        case 'character-device':
        case 'block-device': {
          await drain(entry);
          skipped.push(h.name);
          warn(`skipping device node ${h.name} (${h.type} ${h.devmajor ?? 0}:${h.devminor ?? 0}): device nodes are not created from image layers`);
          break;
        }
        default: {
          await drain(entry);
          warn(`skipping tar entry ${h.name} of type ${String(h.type)}`);
        }
      }
    }
    await piping;
  } catch (e) {
    extract.destroy();
    plain.destroy();
    await piping.catch(() => {});
    throw asInputError(e, current);
  }

  // Deepest first, so setting a parent's mtime is the last change under it.
  const dirs = [...dirMeta.entries()].sort((a, b) => b[0].length - a[0].length);
  for (const [dir, meta] of dirs) {
    // A later entry may have replaced the directory (with a symlink to a host path, say): chmod follows
    // symlinks, so touch only what is still a real directory.
    if (!fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    fs.chmodSync(dir, meta.mode);
    if (meta.mtime) fs.lutimesSync(dir, meta.mtime, meta.mtime);
  }

  const diffId: Digest = `sha256:${hash.digest('hex')}`;
  if (opts.expectedDiffId && opts.expectedDiffId !== diffId) {
    throw new InvalidParameterError(`layer diff ID mismatch: expected ${opts.expectedDiffId}, got ${diffId}`);
  }
  return { diffId, tarSize, contentSize, skipped };
}

/**
 * The tar parser's and gunzip's complaints are about the input, not the daemon: a 400 with their text
 * (Docker's messages are the same kind), never a 500. System errors (ENOSPC...) and bugs stay as they are.
 */
export function asInputError(e: unknown, entry: string): unknown {
  if (isBerthError(e) || !(e instanceof Error)) return e;
  const code = (e as NodeJS.ErrnoException).code;
  // The layer's own shape made the write impossible (a path through a file or a dangling link, a
  // name taken): the entry is at fault. Named by its path in the tar, never by a host path.
  if (entry && typeof code === 'string' && INPUT_ERRNOS.has(code)) {
    return new InvalidParameterError(`invalid tar entry ${JSON.stringify(entry)}: ${INPUT_ERRNOS.get(code)}`, { cause: e });
  }
  if (typeof code === 'string' && code.startsWith('Z_')) return new InvalidParameterError(`invalid compressed archive: ${e.message}`, { cause: e });
  // tar-stream reports format errors as plain Errors without a code (invalid header, unexpected end,
  // header exceeds max size); TypeErrors and errno errors are not the input's fault.
  if (e.constructor === Error && code === undefined) return new InvalidParameterError(e.message, { cause: e });
  return e;
}

const INPUT_ERRNOS = new Map([
  ['ENOENT', 'a path it needs does not exist in the layer'],
  ['ENOTDIR', 'a component of its path is not a directory'],
  ['ELOOP', 'too many levels of symbolic links'],
  ['EEXIST', 'it clashes with an entry already there'],
  ['EISDIR', 'it names a directory'],
  ['ENOTEMPTY', 'it would replace a directory that is not empty'],
]);
