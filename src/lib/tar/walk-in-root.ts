// Where a tar entry lands: its parent path resolved as if the root were "/" (what a chroot sees),
// the one rule both the layer extraction on disk and the build context in memory follow. `..` is
// clamped at the root, a symlink on the way is followed (an absolute target starts again at the
// root), a missing directory is made. Pure: the caller says what each path is and makes directories.

/** Symlinks followed on one walk before it counts as a loop (Linux's own limit). */
export const MAX_SYMLINK_HOPS = 40;

export type PathKind = { kind: 'missing' } | { kind: 'dir' } | { kind: 'symlink'; target: string } | { kind: 'other' };

/** Why a walk stopped: a symlink loop, or a component that is a file. `at` is the path reached. */
export class WalkError extends Error {
  constructor(
    readonly reason: 'loop' | 'not-a-directory',
    readonly at: string,
  ) {
    super(reason === 'loop' ? 'too many levels of symbolic links' : `${at} is not a directory`);
  }
}

/**
 * Resolves `comps` to the components of a real directory under the root. `look(rel)` tells what the
 * path `rel` (components from the root) is; `mkdir(rel)` makes the missing directory `rel`.
 */
export function walkInRoot(comps: readonly string[], look: (rel: string[]) => PathKind, mkdir: (rel: string[]) => void): string[] {
  const resolved: string[] = [];
  const queue = [...comps];
  let hops = 0;
  while (queue.length) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const rel = [...resolved, c];
    const k = look(rel);
    if (k.kind === 'missing') {
      mkdir(rel);
      resolved.push(c);
    } else if (k.kind === 'dir') {
      resolved.push(c);
    } else if (k.kind === 'symlink') {
      if (++hops > MAX_SYMLINK_HOPS) throw new WalkError('loop', rel.join('/'));
      if (k.target.startsWith('/')) resolved.length = 0;
      queue.unshift(...k.target.split('/'));
    } else {
      throw new WalkError('not-a-directory', rel.join('/'));
    }
  }
  return resolved;
}
