// Docker's token-auth vocabulary: resource scopes (`repository:samalba/my-app:pull,push`), the access a
// request needs, and the `WWW-Authenticate` challenges a registry answers with. Pure.

export type Action = 'pull' | 'push' | 'delete' | '*';

export interface Access {
  /** `repository`, or `registry` (for `registry:catalog:*`). */
  type: string;
  name: string;
  actions: string[];
}

/**
 * Parses one scope string. The name may hold colons (a repository cannot, but `registry:catalog:*`
 * and names with a registry host do), so the type is up to the first colon and the actions after the
 * last. Null for a malformed scope.
 */
export function parseScope(s: string): Access | null {
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  if (first <= 0 || last === first) return null;
  const type = s.slice(0, first);
  const name = s.slice(first + 1, last);
  const actions = s.slice(last + 1).split(',').map((a) => a.trim()).filter(Boolean);
  if (!name || actions.length === 0 || !/^[a-z0-9]+$/.test(type)) return null;
  return { type, name, actions: [...new Set(actions)] };
}

/** `scope` query values as clients send them: repeated parameters, or several scopes space-separated. */
export function parseScopes(values: readonly string[]): Access[] {
  return values.flatMap((v) => v.split(' ')).filter(Boolean).map(parseScope).filter((a): a is Access => a !== null);
}

export function formatScope(a: Access): string {
  return `${a.type}:${a.name}:${a.actions.join(',')}`;
}

function quote(v: string): string {
  return `"${v.replace(/["\\]/g, '\\$&')}"`;
}

/** The Bearer challenge of Docker's token flow (RFC 6750 form, as distribution writes it). */
export function bearerChallenge(realm: string, service: string, scope?: Access, error?: 'insufficient_scope' | 'invalid_token'): string {
  let h = `Bearer realm=${quote(realm)},service=${quote(service)}`;
  if (scope) h += `,scope=${quote(formatScope(scope))}`;
  if (error) h += `,error=${quote(error)}`;
  return h;
}

export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}

/** The access a request needs: pull to read, pull+push to write, delete to delete (as distribution). */
export function accessForRequest(route: string, method: string, repo: string | undefined): Access | undefined {
  if (route === 'catalog') return { type: 'registry', name: 'catalog', actions: ['*'] };
  if (!repo) return undefined;
  if (method === 'GET' || method === 'HEAD') return { type: 'repository', name: repo, actions: ['pull'] };
  if (method === 'DELETE' && (route === 'blob' || route === 'manifest')) return { type: 'repository', name: repo, actions: ['delete'] };
  return { type: 'repository', name: repo, actions: ['pull', 'push'] };
}

/** True when `granted` (from a token or the ACL) covers every action of `needed`. */
export function covers(granted: readonly Access[], needed: Access): boolean {
  return needed.actions.every((want) =>
    granted.some((g) => g.type === needed.type && g.name === needed.name && (g.actions.includes(want) || g.actions.includes('*'))),
  );
}

export interface ParsedAuthorization {
  scheme: 'basic' | 'bearer';
  user?: string;
  password?: string;
  token?: string;
}

/** Parses an Authorization header; null when absent or malformed. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header) return null;
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'bearer') return { scheme: 'bearer', token: m[2]! };
  if (scheme !== 'basic') return null;
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return { scheme: 'basic', user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
