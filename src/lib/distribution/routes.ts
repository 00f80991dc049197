// Which registry endpoint a request path names. Repository names hold slashes, so a path router with
// single-segment parameters cannot split them: these anchored patterns take the LAST `/manifests/`,
// `/blobs/`, `/tags/list` or `/referrers/` as the separator, as distribution's own route regexps do.
// Pure: the HTTP layer calls this, then checks the method against the route's allowed set.

export type RouteName =
  | 'base' // /v2/
  | 'catalog' // /v2/_catalog
  | 'tags' // /v2/<name>/tags/list
  | 'manifest' // /v2/<name>/manifests/<reference>
  | 'blob' // /v2/<name>/blobs/<digest>
  | 'upload-start' // /v2/<name>/blobs/uploads/
  | 'upload' // /v2/<name>/blobs/uploads/<uuid>
  | 'referrers' // /v2/<name>/referrers/<digest>
  | 'search' // /v1/search (Docker's v1 search, which the reference registry lacks)
  | 'v1-ping' // /v1/_ping (dockerd pings it before a v1 search)
  | 'token'; // /token: the registry's own token endpoint (Docker's token auth flow)

export interface Route {
  name: RouteName;
  /** Repository name, for routes under /v2/<name>/. Not yet validated (handlers answer NAME_INVALID). */
  repo?: string;
  /** Manifest reference (tag or digest), blob/referrers digest, or upload id. Not yet validated. */
  ref?: string;
  /** Methods the route answers (HEAD wherever GET is). */
  methods: readonly string[];
}

const PATTERNS: [RegExp, RouteName, readonly string[]][] = [
  [/^\/v2\/?$/, 'base', ['GET', 'HEAD']],
  [/^\/v2\/_catalog$/, 'catalog', ['GET', 'HEAD']],
  [/^\/v2\/(.+)\/tags\/list$/, 'tags', ['GET', 'HEAD']],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, 'manifest', ['GET', 'HEAD', 'PUT', 'DELETE']],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, 'upload-start', ['POST']],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, 'upload', ['GET', 'HEAD', 'PATCH', 'PUT', 'DELETE']],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, 'blob', ['GET', 'HEAD', 'DELETE']],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, 'referrers', ['GET', 'HEAD']],
  [/^\/v1\/search\/?$/, 'search', ['GET', 'HEAD']],
  [/^\/v1\/_ping\/?$/, 'v1-ping', ['GET', 'HEAD']],
  [/^\/token\/?$/, 'token', ['GET', 'HEAD']],
];

/** The route a path (without its query) names, or undefined for none (a 404). */
export function matchRoute(pathname: string): Route | undefined {
  for (const [re, name, methods] of PATTERNS) {
    const m = re.exec(pathname);
    if (!m) continue;
    const route: Route = { name, methods };
    if (m[1] !== undefined) route.repo = m[1];
    if (m[2] !== undefined) route.ref = m[2];
    return route;
  }
  return undefined;
}
