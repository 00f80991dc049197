// Resolves a path inside a container's root filesystem on the host, following symlinks as the
// container would see them but never leaving the root (like Go's securejoin): an absolute link target
// restarts at the root, `..` stops at the root. Used for docker cp, for reading /etc/passwd out of an
// image, and for copying image content into volumes, so a hostile image cannot point us at host files.
import fs from 'node:fs';
import path from 'node:path';
import { resolveScoped, SymlinkLoopError } from '../../lib/paths/scoped-resolve.js';

const MAX_LINKS = 255;

/**
 * Returns the host path for `ctrPath` under `root`. With followFinal=false the last component is not
 * dereferenced (lstat semantics, as docker cp of a symlink copies the link itself).
 *
 * The lstat/readlink calls run in place: a handful of metadata lookups take microseconds, while as
 * thread-pool round trips they cost a millisecond or more on a busy daemon, and every container start
 * reads /etc/passwd and /etc/group through here.
 */
export async function resolveInRoot(root: string, ctrPath: string, followFinal = true): Promise<string> {
  return resolveInRootSync(root, ctrPath, followFinal);
}

function resolveInRootSync(root: string, ctrPath: string, followFinal: boolean): string {
  const readLink = (parts: string[]) => {
    const candidate = path.join(root, ...parts);
    try {
      return fs.lstatSync(candidate).isSymbolicLink() ? fs.readlinkSync(candidate) : null;
    } catch {
      return null; // missing: resolved lexically
    }
  };
  try {
    return path.join(root, ...resolveScoped(ctrPath, followFinal, readLink, MAX_LINKS));
  } catch (e) {
    if (e instanceof SymlinkLoopError) throw Object.assign(new Error(e.message), { code: 'ELOOP' });
    throw e;
  }
}

/** Reads a small file from inside a root (null when absent or not a regular file), e.g. /etc/passwd of an image. */
export async function readFileInRoot(root: string, ctrPath: string): Promise<string | null> {
  try {
    const file = resolveInRootSync(root, ctrPath, true);
    // Only a regular file of sane size: an image's FIFO there would block the read (and the daemon).
    const st = fs.lstatSync(file);
    if (!st.isFile() || st.size > MAX_SMALL_FILE) return null;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const MAX_SMALL_FILE = 16 * 1024 * 1024;
