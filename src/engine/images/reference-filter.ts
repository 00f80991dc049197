// Image references as the image endpoints judge them: the `reference` filter of GET /images/json
// (Docker matches the pattern with Go's path.Match against the familiar reference "busybox:latest"
// and against its familiar name "busybox"), rmi's single-reference rule, and a tag request's target.
import { familiarName, parseDockerRef, parseNormalizedNamed, repoName, withTag, type Reference } from '../../lib/reference/reference.js';
import { InvalidParameterError } from '../../errors.js';

/** Go's path.Match pattern as a RegExp: `*` and `?` never cross "/", `[...]` classes, `\` escapes. */
export function globToRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let cls = pattern.slice(i + 1, end);
        if (cls.startsWith('^')) cls = '^' + cls.slice(1);
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += escapeRe(ch);
  }
  return new RegExp(re + '$');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `familiarRef` is "busybox:latest" or "user/x@sha256:..."; true when `pattern` matches it or its name. */
export function matchesFamiliar(pattern: string, familiarRef: string): boolean {
  const re = globToRegExp(pattern);
  if (re.test(familiarRef)) return true;
  try {
    return re.test(familiarName(parseNormalizedNamed(familiarRef)));
  } catch {
    return false;
  }
}

/** Docker's isSingleReference: at most one tag, and every name in one repository. */
export function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const repos = new Set<string>();
  let tagRef: string | undefined;
  for (const r of refs) {
    const p = parseDockerRef(r);
    if (!p.digest) {
      if (tagRef !== undefined) return false;
      tagRef = repoName(p);
    }
    repos.add(repoName(p));
  }
  return repos.size === 1;
}

/** repo (+ tag) of a tag request: Docker refuses digests and IDs as the new name. */
export function parseTagTarget(repo: string, tag?: string): Reference {
  let ref: Reference;
  try {
    ref = parseNormalizedNamed(repo);
    if (ref.digest) throw new InvalidParameterError('refusing to create a tag with a digest reference');
    if (tag) ref = withTag(ref, tag);
    if (!ref.tag) ref = withTag(ref, 'latest');
  } catch (e) {
    if (e instanceof InvalidParameterError) throw e;
    throw new InvalidParameterError((e as Error).message);
  }
  return ref;
}
