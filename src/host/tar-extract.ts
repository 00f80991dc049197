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
import { InvalidParameterError } from '../errors.js';
import type { Digest } from '../lib/oci/digest.js';
import { decompressStream } from './tar-decompress.js';
import { makeFifo, makeWhiteout, markOpaque } from './tar-whiteouts.js';

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
const MAX_SYMLINK_HOPS = 40;

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
 */
async function resolveDirInRoot(root: string, comps: string[], name: string): Promise<string> {
  const resolved: string[] = [];
  const queue = [...comps];
  let hops = 0;
  while (queue.length) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      resolved.pop(); // clamped at the root, as a chroot would
      continue;
    }
    const p = path.join(root, ...resolved, c);
    let st: fs.Stats | null = null;
    try {
      st = await fsp.lstat(p);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
    }
    if (st === null) {
      await fsp.mkdir(p, { mode: 0o755 });
      resolved.push(c);
    } else if (st.isDirectory()) {
      resolved.push(c);
    } else if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) throw new UnsafeTarError(`invalid tar entry ${JSON.stringify(name)}: too many levels of symbolic links`);
      const target = await fsp.readlink(p);
      if (target.startsWith('/')) resolved.length = 0;
      queue.unshift(...target.split('/'));
    } else {
      throw new UnsafeTarError(`invalid tar entry ${JSON.stringify(name)}: ${path.join(...resolved, c)} is not a directory`);
    }
  }
  return path.join(root, ...resolved);
}

/** Removes whatever is at `p` (never following it), unless both it and the new entry are directories. */
async function clearFor(p: string, newIsDir: boolean): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fsp.lstat(p);
  } catch (e) {
    if (errno(e) === 'ENOENT') return;
    throw e;
  }
  if (newIsDir && st.isDirectory()) return;
  await fsp.rm(p, { recursive: true, force: true });
}

async function drain(s: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of s) void _;
}

async function writeFile(p: string, entry: AsyncIterable<unknown>): Promise<void> {
  const fh = await fsp.open(p, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    for await (const chunk of entry) await fh.write(chunk as Buffer);
  } finally {
    await fh.close();
  }
}

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

  const applyOwnerModeTime = async (p: string, h: tar.Header, kind: 'file' | 'symlink' | 'other') => {
    if (sameOwner) await fsp.lchown(p, h.uid ?? 0, h.gid ?? 0);
    // chmod after chown: chown clears setuid/setgid bits. Linux has no lchmod; symlinks have no mode.
    if (kind !== 'symlink') await fsp.chmod(p, (h.mode ?? 0o644) & 0o7777);
    if (h.mtime) await fsp.lutimes(p, h.mtime, h.mtime);
  };

  try {
    for await (const entry of extract) {
      const h = entry.header;
      const comps = entryComponents(h.name);
      if (comps.length === 0) {
        // "./": the layer root itself. Its metadata is the layer directory's own; nothing to create.
        await drain(entry);
        continue;
      }
      const leaf = comps[comps.length - 1]!;
      const parentDir = await resolveDirInRoot(rootReal, comps.slice(0, -1), h.name);
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
          await clearFor(hidden, false);
          await makeWhiteout(hidden);
          if (sameOwner) await fsp.lchown(hidden, h.uid ?? 0, h.gid ?? 0);
        }
        continue;
      }

      switch (h.type) {
        case 'file':
        case 'contiguous-file':
        case null:
        case undefined: {
          await clearFor(target, false);
          await writeFile(target, entry);
          contentSize += h.size ?? 0;
          await applyOwnerModeTime(target, h, 'file');
          break;
        }
        case 'directory': {
          await drain(entry);
          await clearFor(target, true);
          try {
            await fsp.mkdir(target, { mode: 0o700 });
          } catch (e) {
            if (errno(e) !== 'EEXIST') throw e;
          }
          if (sameOwner) await fsp.lchown(target, h.uid ?? 0, h.gid ?? 0);
          dirMeta.set(target, { mode: (h.mode ?? 0o755) & 0o7777, mtime: h.mtime });
          break;
        }
        case 'symlink': {
          await drain(entry);
          const linkname = h.linkname ?? '';
          if (symlinkEscapes(comps, linkname)) throw new UnsafeTarError(`invalid symlink ${JSON.stringify(h.name)} -> ${JSON.stringify(linkname)}: it points outside of the layer`);
          await clearFor(target, false);
          await fsp.symlink(linkname, target);
          contentSize += Buffer.byteLength(linkname);
          await applyOwnerModeTime(target, h, 'symlink');
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
          const srcDir = await resolveDirInRoot(rootReal, linkComps.slice(0, -1), linkname);
          const source = path.join(srcDir, linkComps[linkComps.length - 1]!);
          let st: fs.Stats;
          try {
            st = await fsp.lstat(source);
          } catch {
            throw new UnsafeTarError(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(linkname)}: target is not in the layer`);
          }
          if (st.isDirectory()) throw new UnsafeTarError(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(linkname)}: target is a directory`);
          if (source === target) break;
          await clearFor(target, false);
          // link(2) does not follow a symlink source: the new name shares the inode found inside the layer.
          await fsp.link(source, target);
          break;
        }
        case 'fifo': {
          await drain(entry);
          await clearFor(target, false);
          await makeFifo(target, h.mode ?? 0o644);
          await applyOwnerModeTime(target, h, 'other');
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
    throw e;
  }

  // Deepest first, so setting a parent's mtime is the last change under it.
  const dirs = [...dirMeta.entries()].sort((a, b) => b[0].length - a[0].length);
  for (const [dir, meta] of dirs) {
    // A later entry may have replaced the directory (with a symlink to a host path, say): chmod follows
    // symlinks, so touch only what is still a real directory.
    const st = await fsp.lstat(dir).catch(() => null);
    if (!st?.isDirectory()) continue;
    await fsp.chmod(dir, meta.mode);
    if (meta.mtime) await fsp.lutimes(dir, meta.mtime, meta.mtime);
  }

  const diffId: Digest = `sha256:${hash.digest('hex')}`;
  if (opts.expectedDiffId && opts.expectedDiffId !== diffId) {
    throw new InvalidParameterError(`layer diff ID mismatch: expected ${opts.expectedDiffId}, got ${diffId}`);
  }
  return { diffId, tarSize, contentSize, skipped };
}
