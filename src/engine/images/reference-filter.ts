// The `reference` filter of GET /images/json: Docker matches the pattern with Go's path.Match against
// the familiar reference ("busybox:latest") and against its familiar name ("busybox").
import { familiarName, parseNormalizedNamed } from '../../lib/reference/reference.js';

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
