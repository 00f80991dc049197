// berth-registry's HTTP layer: one request handler for node's http/https servers. It matches the route
// (lib/distribution/routes.ts), checks the method, the repository name, read-only mode and auth, then
// hands over to the resource's handler; every RegistryError becomes the spec's error body with its
// status here, in one place, and anything else is a logged 500 (bad input never gets there).
import type http from 'node:http';
import { RegistryError } from '../../lib/distribution/errors.js';
import { matchRoute, type RouteName } from '../../lib/distribution/routes.js';
import { checkRepositoryName } from '../../lib/distribution/names.js';
import { accessForRequest } from '../../lib/distribution/scope.js';
import { AuthError } from '../auth/authenticator.js';
import { send, sendError, type Ctx, type ServerOptions } from './context.js';
import { blobHandler } from './blob-handlers.js';
import { uploadHandler, uploadStartHandler } from './upload-handlers.js';
import { manifestHandler } from './manifest-handlers.js';
import { baseHandler, catalogHandler, referrersHandler, searchHandler, tagsHandler, v1PingHandler } from './listing-handlers.js';
import { tokenHandler } from './token-handler.js';

const HANDLERS: Record<RouteName, (ctx: Ctx) => Promise<void>> = {
  base: baseHandler,
  catalog: catalogHandler,
  tags: tagsHandler,
  manifest: manifestHandler,
  blob: blobHandler,
  'upload-start': uploadStartHandler,
  upload: uploadHandler,
  referrers: referrersHandler,
  search: searchHandler,
  'v1-ping': v1PingHandler,
  token: tokenHandler,
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Refused request bodies up to this size are read to the end rather than cut off (see fail()). */
const DRAIN_LIMIT = 64 * 1024 * 1024;

function drainable(req: http.IncomingMessage): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isSafeInteger(declared) && declared >= 0 && declared <= DRAIN_LIMIT;
}
const API_VERSION_HEADER = 'Docker-Distribution-API-Version';

export type { ServerOptions };

export function createRequestHandler(opts: ServerOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    // A client that goes away mid-request surfaces as an error on req/res: nothing is left to answer.
    req.on('error', () => {});
    res.on('error', () => {});
    handle(req, res, opts).catch((e: unknown) => fail(res, e, opts));
  };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, opts: ServerOptions): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://registry.invalid');
  } catch {
    throw new RegistryError('UNSUPPORTED', 'malformed request URL');
  }
  res.setHeader(API_VERSION_HEADER, 'registry/2.0');
  const route = matchRoute(url.pathname);
  if (!route) {
    req.resume();
    send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, '404 page not found\n');
    return;
  }
  const method = req.method ?? 'GET';
  if (!route.methods.includes(method)) {
    req.resume();
    throw Object.assign(new RegistryError('UNSUPPORTED', `method ${method} not allowed on ${route.name}`), { headers: { Allow: route.methods.join(', ') } });
  }
  const repo = route.repo !== undefined ? checkRepositoryName(route.repo) : '';
  if (opts.readOnly && WRITE_METHODS.has(method)) {
    req.resume();
    throw new RegistryError('UNSUPPORTED', 'the registry is read-only');
  }
  // The token endpoint does its own credential check; the v1 ping answers anyone (as Docker Hub's).
  const access = route.name === 'token' || route.name === 'v1-ping' ? null : accessForRequest(route.name, method, route.repo && repo);
  // Docker's v1 search predates token auth: dockerd sends the stored credentials as Basic even to a
  // token-auth registry, so search identifies its caller its own way (searchIdentity).
  const identity =
    route.name === 'search'
      ? await opts.auth.searchIdentity(req.headers.authorization)
      : access === null
        ? { may: () => opts.auth.mode === 'none' }
        : await opts.auth.authorize(req.headers.authorization, access);
  await HANDLERS[route.name]({ req, res, url, route, repo, identity, opts });
}

function fail(res: http.ServerResponse, e: unknown, opts: ServerOptions): void {
  const req = res.req;
  if (req) req.resume();
  if (res.headersSent) {
    // Mid-answer (a blob stream that broke): the only honest signal left is a cut connection.
    res.destroy();
    return;
  }
  if (e instanceof RegistryError) {
    const headers: Record<string, string> = { ...((e as { headers?: Record<string, string> }).headers ?? {}) };
    if (e instanceof AuthError && e.challenge) headers['WWW-Authenticate'] = e.challenge;
    // The body of a request refused before it was read: a small one (up to DRAIN_LIMIT declared) is
    // drained and the connection kept, so the client finishes writing and reads the error (closing
    // under a client still writing makes it fail with EPIPE/ECONNRESET and never see the answer); an
    // unbounded or larger one gets the error and a closed connection, so an unread multi-gigabyte
    // upload does not have to be swallowed first.
    // (Node's server closes the connection itself when it answers before the body is in, so a
    // drained body is waited for before the answer goes out.)
    if (req && !req.complete && WRITE_METHODS.has(req.method ?? '')) {
      if (drainable(req) && !req.destroyed) {
        const answer = () => {
          if (!res.headersSent && !res.destroyed) sendError(res, e, headers);
        };
        req.once('end', answer);
        req.once('close', answer);
        return;
      }
      headers.Connection = 'close';
    }
    sendError(res, e, headers);
    return;
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as Error).message === 'aborted') {
    // The client hung up mid-body: the storage layer already dropped what it had staged.
    res.destroy();
    return;
  }
  opts.log(`berth-registry: internal error on ${req?.method} ${req?.url}: ${(e as Error).stack ?? String(e)}`);
  sendError(res, new RegistryError('UNKNOWN', 'internal error'));
}
