// Parsing `WWW-Authenticate` challenges (RFC 7235) as a registry client must: a registry answers 401
// with `Bearer realm="...",service="...",scope="..."` (Docker's token flow) or `Basic realm="..."`, and
// the client follows the first scheme it supports. Pure.

export interface Challenge {
  /** Lower-cased scheme: "bearer", "basic", ... */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
}

/**
 * Every challenge in a header value (several may share one header, comma-separated, and a server may
 * send several headers: pass each and concatenate). Tolerant of spacing; malformed tails are dropped.
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (Array.isArray(header)) return header.flatMap((h) => parseChallenges(h));
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = () => {
    const m = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  let cur: Challenge | undefined;
  while (i < s.length) {
    skipWs();
    if (s[i] === ',') {
      i++;
      continue;
    }
    const start = i;
    const name = token();
    if (!name) break;
    skipWs();
    if (s[i] === '=' && cur) {
      // auth-param: name=value or name="quoted"
      i++;
      skipWs();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++; // closing quote
      } else {
        value = token();
      }
      cur.params[name.toLowerCase()] = value;
      continue;
    }
    // A new challenge starts with a scheme token followed by a space (or the end).
    i = start + name.length;
    cur = { scheme: name.toLowerCase(), params: {} };
    out.push(cur);
  }
  return out;
}
