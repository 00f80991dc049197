// .dockerignore as Docker reads it (moby/patternmatcher): one pattern per line, `#` comments, blank
// lines skipped, surrounding whitespace trimmed, patterns cleaned like filepath.Clean with a leading
// "/" dropped; `*` and `?` never cross "/", `**` crosses any number of directories, `[...]` classes and
// `\` escapes as Go's filepath.Match; a `!` line re-includes what earlier lines excluded. The last
// matching pattern decides, and a pattern that matches a directory excludes everything under it.

export interface IgnorePattern {
  exclusion: boolean;
  pattern: string;
  re: RegExp;
  dirs: string[];
}

/** posix path.Clean without the leading "/" (Docker matches context-relative paths). */
export function cleanContextPath(p: string): string {
  const parts: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!p.startsWith('/')) parts.push('..');
      continue;
    }
    parts.push(c);
  }
  return parts.join('/') || '.';
}

function toRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) throw new Error(`syntax error in pattern ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** Reads a .dockerignore file's text into patterns. Throws on a malformed pattern. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (const raw of body.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let exclusion = false;
    if (line.startsWith('!')) {
      exclusion = true;
      line = line.slice(1).trim();
      if (line === '') throw new Error('illegal exclusion pattern: "!"');
    }
    const pattern = cleanContextPath(line);
    if (pattern === '.') continue;
    out.push({ exclusion, pattern, re: toRegExp(pattern), dirs: pattern.split('/') });
  }
  return out;
}

/** True when the context-relative path (or one of its parent directories) is excluded. */
export function isIgnored(patterns: IgnorePattern[], relPath: string): boolean {
  const p = cleanContextPath(relPath);
  if (p === '.') return false;
  const parents: string[] = [];
  const parts = p.split('/');
  for (let n = 1; n < parts.length; n++) parents.push(parts.slice(0, n).join('/'));
  let ignored = false;
  for (const pat of patterns) {
    if (pat.exclusion === !ignored) continue; // cannot change the outcome
    let match = pat.re.test(p);
    if (!match) match = parents.some((d) => pat.re.test(d));
    if (match) ignored = !pat.exclusion;
  }
  return ignored;
}

/**
 * Whether a walk must still enter an excluded directory: only when some `!` pattern could re-include
 * something below it (Docker's walker does the same check).
 */
export function mayReinclude(patterns: IgnorePattern[], dirRel: string): boolean {
  const d = cleanContextPath(dirRel);
  return patterns.some((p) => p.exclusion && (p.pattern.startsWith(d + '/') || p.pattern.includes('*') || p.pattern.includes('?') || p.pattern.includes('[')));
}
