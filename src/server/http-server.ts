// The Engine API over HTTP: strips the /v1.NN prefix and enforces the version range, routes both the
// 'request' and the 'upgrade' event (attach and exec arrive as `Upgrade: tcp`, which Node never hands to
// the 'request' handler), adds Docker's common headers, and maps error kinds to status codes in one place.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import FindMyWay from 'find-my-way';
import { RouteContext, commonHeaders } from './context.js';
import { isBerthError, statusForKind } from '../errors.js';
import { API_VERSION, MIN_API_VERSION, compareVersions, splitVersionPrefix } from '../api/version.js';
import type { Logger } from '../daemon/logger.js';
import type { WebLogin } from './web-login.js';

export type Handler = (ctx: RouteContext) => Promise<void> | void;
type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** What each routes/*.ts module receives to register its endpoints. */
export interface Router {
  get(path: string, h: Handler): void;
  head(path: string, h: Handler): void;
  post(path: string, h: Handler): void;
  put(path: string, h: Handler): void;
  delete(path: string, h: Handler): void;
}

export class ApiServer {
  private readonly fmw = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true });
  readonly server: http.Server;

  /** --api-cors-header: the origin allowed to call the API from a browser (off when empty). */
  corsOrigin = '';

  /** The dashboard login of a `--web` listener off loopback (see web-login.ts); null when none needs one. */
  webLogin: WebLogin | null = null;

  constructor(private readonly log: Logger) {
    this.server = http.createServer({ keepAliveTimeout: 60_000 });
    // Long-lived streams (logs -f, events, wait) must not be cut by Node's default request timeout.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.on('request', (req, res) => void this.dispatch(req, res, null));
    // Malformed requests, oversized headers and resets before a request is read: answer what HTTP
    // allows (431/400) and close; never a fault of the daemon.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      this.log.debug(`client error: ${err.code ?? err.message}`);
      if (!socket.writable || !err.code?.startsWith('HPE_')) {
        socket.destroy();
        return;
      }
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      // Once Node hands over an upgraded socket it stops listening for its errors: a client that hangs
      // up (ECONNRESET, EPIPE on a write) would otherwise raise an unhandled 'error' and end the process.
      // A hang-up is the client's choice, not a daemon fault: it ends this connection only.
      socket.on('error', (err: NodeJS.ErrnoException) => {
        this.log.debug(`${req.method} ${req.url}: client connection closed (${err.code ?? err.message})`);
        socket.destroy();
      });
      const res = new http.ServerResponse(req);
      res.assignSocket(socket as import('node:net').Socket);
      res.shouldKeepAlive = false;
      res.on('finish', () => socket.end());
      void this.dispatch(req, res, { socket, head });
    });
  }

  readonly router: Router = {
    get: (p, h) => this.add('GET', p, h),
    head: (p, h) => this.add('HEAD', p, h),
    post: (p, h) => this.add('POST', p, h),
    put: (p, h) => this.add('PUT', p, h),
    delete: (p, h) => this.add('DELETE', p, h),
  };

  private add(method: Method, path: string, handler: Handler): void {
    this.fmw.on(method, path, (() => {}) as never, { handler });
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse, upgrade: { socket: Duplex; head: Buffer } | null): Promise<void> {
    const started = process.hrtime.bigint();
    for (const [k, v] of Object.entries(commonHeaders())) res.setHeader(k, v);
    if (this.corsOrigin) {
      // dockerd's --api-cors-header: these on every answer, and a preflight OPTIONS answered at once.
      res.setHeader('Access-Control-Allow-Origin', this.corsOrigin);
      res.setHeader('Access-Control-Allow-Headers', 'Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth');
      res.setHeader('Access-Control-Allow-Methods', 'HEAD, GET, POST, DELETE, PUT, OPTIONS');
      if ((req.method ?? '').toUpperCase() === 'OPTIONS' && !upgrade) {
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://berth');
    if (this.webLogin?.gate(req, res, url, upgrade !== null)) return;
    const { version, rest } = splitVersionPrefix(url.pathname);
    const method = (req.method ?? 'GET').toUpperCase();
    let ctx: RouteContext | null = null;
    try {
      if (version !== null) {
        if (compareVersions(version, API_VERSION) > 0) {
          return this.error(res, 400, `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
        }
        if (compareVersions(version, MIN_API_VERSION) < 0) {
          return this.error(res, 400, `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
        }
      }
      const found = this.fmw.find(method as Method, rest);
      const store = found?.store as { handler: Handler } | undefined;
      if (!found || !store) {
        // Docker answers a HEAD on a GET-only route as a GET would (without a body), e.g. /_ping.
        return this.error(res, 404, 'page not found');
      }
      ctx = new RouteContext(req, res, found.params, url.searchParams, version ?? API_VERSION, upgrade);
      await store.handler(ctx);
    } catch (e) {
      if (isBerthError(e)) {
        const status = statusForKind[e.kind];
        if (status === 304) {
          if (!res.headersSent) {
            res.writeHead(304);
            res.end();
          }
        } else {
          this.error(res, status, e.message);
        }
        if (status >= 500) this.log.error(`${method} ${url.pathname}: ${e.message}`, e.cause ?? '');
      } else {
        this.log.error(`${method} ${url.pathname}: internal error`, e);
        this.error(res, 500, (e as Error)?.message ?? String(e));
      }
    } finally {
      this.log.debug(`${method} ${req.url} ${res.statusCode} ${Number(process.hrtime.bigint() - started) / 1e6}ms`);
    }
  }

  /** Docker's error body; if the response already started (a stream failed midway) just end it. */
  private error(res: http.ServerResponse, status: number, message: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const data = Buffer.from(JSON.stringify({ message }) + '\n');
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
    res.end(data);
  }
}
