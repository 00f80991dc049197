// Resolving a path inside a root the way the kernel would if the root were "/": symlinks followed
// (absolute targets from the root, ".." clamped at it), the final one only when asked. Pure: the
// caller says what each path is (a directory tree on disk, a build context in memory).

/** More links followed than the caller allows (the kernel's ELOOP). */
export class SymlinkLoopError extends Error {
  constructor(readonly path: string) {
    super(`too many levels of symbolic links: ${path}`);
  }
}

/**
 * The components `rel` names inside the root. `readLink(parts)` gives the target of the link at
 * `parts` (root-relative components), or null when that path is not a link (or does not exist:
 * missing components are kept as written, for the caller to create or report).
 */
export function resolveScoped(rel: string, followFinal: boolean, readLink: (parts: string[]) => string | null, maxLinks: number): string[] {
  let pending = rel.split('/').filter((p) => p !== '' && p !== '.');
  const parts: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '..') {
      parts.pop();
      continue;
    }
    if (pending.length === 0 && !followFinal) {
      parts.push(part);
      break;
    }
    const target = readLink([...parts, part]);
    if (target === null) {
      parts.push(part);
      continue;
    }
    if (++links > maxLinks) throw new SymlinkLoopError(rel);
    if (target.startsWith('/')) parts.length = 0;
    pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
  }
  return parts;
}
