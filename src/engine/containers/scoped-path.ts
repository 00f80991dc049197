// Resolves a path inside a container's root filesystem on the host, following symlinks as the
// container would see them but never leaving the root (like Go's securejoin): an absolute link target
// restarts at the root, `..` stops at the root. Used for docker cp, for reading /etc/passwd out of an
// image, and for copying image content into volumes, so a hostile image cannot point us at host files.
import fs from 'node:fs';
import path from 'node:path';

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
  let pending = ctrPath.split('/').filter((p) => p !== '' && p !== '.');
  const parts: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '..') {
      parts.pop();
      continue;
    }
    const candidate = path.join(root, ...parts, part);
    const isLast = pending.length === 0;
    if (isLast && !followFinal) {
      parts.push(part);
      break;
    }
    let st;
    try {
      st = fs.lstatSync(candidate);
    } catch {
      // Missing components resolve lexically (the caller creates or reports them).
      parts.push(part);
      continue;
    }
    if (!st.isSymbolicLink()) {
      parts.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw Object.assign(new Error(`too many levels of symbolic links: ${ctrPath}`), { code: 'ELOOP' });
    const target = fs.readlinkSync(candidate);
    if (target.startsWith('/')) parts.length = 0;
    pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
  }
  return path.join(root, ...parts);
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
