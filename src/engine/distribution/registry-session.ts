// One conversation with one registry endpoint for one repository: plain HTTP(S) requests over
// keep-alive agents, with Docker's auth dance done once up front (GET /v2/, then a Bearer token for the
// repository scope from the challenge's realm, or Basic credentials) and again on a 401 for requests
// whose body can be replayed. Bodies of answers stream: layers never sit in memory.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { parseChallenges, type Challenge } from '../../lib/distribution/challenge.js';
import { encodeBasicAuth, type AuthConfig } from '../../lib/distribution/auth-config.js';
import type { Endpoint } from '../../lib/distribution/endpoints.js';
import { NoCredentialsError, RegistryHttpError, RegistryUnreachableError, parseErrorBody } from './registry-errors.js';

export interface Agents {
  http: http.Agent;
  https: https.Agent;
  httpsInsecure: https.Agent;
}

export function makeAgents(): Agents {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
    httpsInsecure: new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
  };
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A body that can be sent again (after a 401), or a stream that cannot. */
  body?: Buffer | (() => Readable);
  /** Statuses that are success; anything else becomes RegistryHttpError. Default: 2xx. */
  ok?: (status: number) => boolean;
  signal?: AbortSignal;
  /** No Authorization header (token endpoint, login probes). */
  noAuth?: boolean;
}

/** Idle time after which a registry that stopped answering is given up on. */
const SOCKET_TIMEOUT_MS = 60_000;

export class RegistrySession {
  private authorization: string | undefined;
  private authed = false;

  constructor(
    readonly endpoint: Endpoint,
    /** Repository path inside the registry ("library/busybox"); '' for registry-wide calls. */
    readonly repo: string,
    private readonly creds: AuthConfig,
    /** Scopes to ask a token for: "repository:library/busybox:pull" etc. */
    private readonly scopes: string[],
    private readonly agents: Agents,
  ) {}

  url(p: string): string {
    return p.startsWith('http://') || p.startsWith('https://') ? p : `${this.endpoint.url}${p}`;
  }

  /** Sends a request; resolves with the response once headers arrive (the caller reads the body). */
  raw(method: string, target: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const u = new URL(this.url(target));
    const isHttps = u.protocol === 'https:';
    const agent = isHttps ? (this.endpoint.tlsVerify ? this.agents.https : this.agents.httpsInsecure) : this.agents.http;
    const headers: Record<string, string> = { 'User-Agent': 'berth/0.1.0 (docker-compatible)', ...opts.headers };
    if (!opts.noAuth && this.authorization && !headers['Authorization']) headers['Authorization'] = this.authorization;
    const body = typeof opts.body === 'function' ? opts.body() : opts.body;
    if (Buffer.isBuffer(body)) headers['Content-Length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(
        { protocol: u.protocol, hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname + u.search, method, headers, agent, signal: opts.signal },
        (res) => resolve(res),
      );
      req.setTimeout(SOCKET_TIMEOUT_MS, () => req.destroy(new RegistryUnreachableError(`${method} ${u.href}: the registry did not answer for ${SOCKET_TIMEOUT_MS / 1000}s`)));
      req.on('error', (e) => {
        if (opts.signal?.aborted) return reject(e);
        // Go's wording, as dockerd reports it: Get "https://host/v2/": dial tcp ...: connection refused.
        const verb = method[0] + method.slice(1).toLowerCase();
        reject(e instanceof RegistryUnreachableError ? e : new RegistryUnreachableError(`${verb} "${u.href}": ${goDialError(e as NodeJS.ErrnoException, u)}`));
      });
      if (body === undefined || Buffer.isBuffer(body)) req.end(body);
      else {
        body.on('error', (e) => req.destroy(e));
        body.pipe(req);
      }
    });
  }

  /** A request with the auth dance and status checking; failures carry the registry's error. */
  async request(method: string, target: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    if (!this.authed && !opts.noAuth) await this.authenticate(opts.signal);
    let res = await this.raw(method, target, opts);
    if (res.statusCode === 401 && !opts.noAuth && typeof opts.body !== 'function') {
      // The token may lack a scope this request needs or have expired: ask again once.
      const challenges = parseChallenges(res.headers['www-authenticate']);
      await drain(res);
      await this.answerChallenge(challenges, opts.signal);
      res = await this.raw(method, target, opts);
    }
    const ok = opts.ok ?? ((s: number) => s >= 200 && s < 300);
    if (!ok(res.statusCode ?? 0)) throw await httpError(res, method, this.url(target));
    return res;
  }

  async json<T>(method: string, target: string, opts: RequestOptions = {}): Promise<{ body: T; res: http.IncomingMessage }> {
    const res = await this.request(method, target, opts);
    const buf = await readAll(res, 16 * 1024 * 1024);
    try {
      return { body: JSON.parse(buf.toString('utf8')) as T, res };
    } catch {
      throw new RegistryHttpError(res.statusCode ?? 0, undefined, 'invalid JSON in the answer', this.url(target), method);
    }
  }

  /**
   * Docker's first step: GET /v2/ without credentials tells whether and how the registry wants them;
   * then a token (Bearer) or the Basic header is made ready for every later request.
   */
  async authenticate(signal?: AbortSignal): Promise<void> {
    this.authed = true;
    const res = await this.raw('GET', '/v2/', { noAuth: true, signal });
    await drain(res);
    if (res.statusCode === 401) await this.answerChallenge(parseChallenges(res.headers['www-authenticate']), signal);
    else if (res.statusCode !== 200 && res.statusCode !== 404) {
      // A 404 here is a registry that only speaks under a path prefix; later requests will tell.
      throw new RegistryHttpError(res.statusCode ?? 0, undefined, res.statusMessage ?? '', this.url('/v2/'), 'GET');
    }
  }

  private async answerChallenge(challenges: Challenge[], signal?: AbortSignal): Promise<void> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      this.authorization = `Bearer ${await this.fetchToken(bearer, this.scopes, signal)}`;
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      // dockerd's words when a registry wants Basic and the request came without credentials.
      if (this.creds.username === undefined) throw new NoCredentialsError('no basic auth credentials');
      this.authorization = `Basic ${encodeBasicAuth(this.creds.username, this.creds.password ?? '')}`;
    }
  }

  /** GET realm?service=&scope=&account= with Basic credentials when we have them (Docker's token flow). */
  async fetchToken(c: Challenge, scopes: string[], signal?: AbortSignal): Promise<string> {
    if (this.creds.registrytoken) return this.creds.registrytoken;
    const realm = c.params['realm'];
    if (!realm) throw new RegistryHttpError(401, 'UNAUTHORIZED', 'the registry asked for a token without naming a realm', this.endpoint.url, 'GET');
    const u = new URL(realm, this.endpoint.url);
    if (c.params['service']) u.searchParams.set('service', c.params['service']);
    for (const s of scopes) u.searchParams.append('scope', s);
    if (this.creds.username) u.searchParams.set('account', this.creds.username);
    const headers: Record<string, string> = {};
    if (this.creds.username !== undefined) headers['Authorization'] = `Basic ${encodeBasicAuth(this.creds.username, this.creds.password ?? '')}`;
    const res = await this.raw('GET', u.href, { headers, noAuth: true, signal });
    if (res.statusCode !== 200) throw await httpError(res, 'GET', u.href);
    const body = JSON.parse((await readAll(res, 1024 * 1024)).toString('utf8')) as { token?: string; access_token?: string };
    const token = body.token || body.access_token;
    if (!token) throw new RegistryHttpError(401, 'UNAUTHORIZED', 'the token server answered without a token', u.href, 'GET');
    return token;
  }
}

export async function drain(res: http.IncomingMessage): Promise<void> {
  try {
    for await (const _ of res) void _;
  } catch {
    // a reset while draining an answer we do not need
  }
}

export async function readAll(res: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > max) {
      res.destroy();
      throw new Error(`answer larger than ${max} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function httpError(res: http.IncomingMessage, method: string, url: string): Promise<RegistryHttpError> {
  let text = '';
  try {
    text = (await readAll(res, 64 * 1024)).toString('utf8');
  } catch {
    // keep what we know
  }
  const e = parseErrorBody(text);
  const status = res.statusCode ?? 0;
  if (e) return new RegistryHttpError(status, e.code, e.message, url, method);
  // No spec body: Docker's client names the status the way Go's http does.
  const statusText = `${status} ${res.statusMessage ?? http.STATUS_CODES[status] ?? ''}`.trim();
  const code = status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'DENIED' : undefined;
  return new RegistryHttpError(status, code, code ? (text.trim() || statusText) : statusText, url, method);
}

/** Node's socket error in the words of Go's net package, as dockerd's messages carry them. */
export function goDialError(e: NodeJS.ErrnoException, u: URL): string {
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: no such host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    default:
      return e.message;
  }
}
