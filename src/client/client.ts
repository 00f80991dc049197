// The Engine API transport: node:http over a unix socket or TCP, API version negotiation from /_ping
// (as docker does: the lower of ours and the daemon's), JSON requests, raw streams, `{"message"}` errors
// as ApiError, and the HTTP upgrade ("hijack") that attach and exec start use.
import https from 'node:https';
import http, { type IncomingMessage } from 'node:http';
import { Readable, type Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { API_VERSION, compareVersions } from '../api/version.js';
import { ApiError, DaemonUnreachableError, errorFromBody } from './api-error.js';
import type { DaemonAddress } from './daemon-host.js';

export type QueryValue = string | number | boolean | string[] | undefined | null;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** JSON-serialised as the request body. */
  json?: unknown;
  /** A raw body (tar archives for import, load and cp), streamed through. */
  raw?: Readable | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface PingInfo {
  apiVersion: string | null;
  osType: string | null;
  experimental: boolean;
}

/** A hijacked connection: the container's output arrives on `output`; stdin goes to `input`. */
export interface HijackedStream {
  output: Readable;
  /** Null when the daemon answered without upgrading (then no stdin can be sent). */
  input: Writable | null;
  contentType: string;
  /** Half-closes our side (stdin EOF) while output keeps flowing, as docker's CloseWrite. */
  closeWrite(): void;
  close(): void;
}

/** Docker encodes booleans in queries as "1"/"0"; undefined and null are left out; arrays repeat the key. */
export function buildQuery(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null) continue;
    // Repeated keys, as docker sends `changes=` for import and `names=` for save.
    if (Array.isArray(v)) {
      for (const x of v) p.append(k, x);
      continue;
    }
    p.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Filters as the API wants them: JSON of {key: [values]}; undefined when there are none. */
export function encodeFilters(filters: Record<string, string[]> | undefined): string | undefined {
  if (!filters) return undefined;
  const keys = Object.keys(filters).filter((k) => filters[k]!.length > 0);
  if (keys.length === 0) return undefined;
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, filters[k]])));
}

export async function readBody(res: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** TLS to a tcp:// daemon, as the docker CLI's --tls/--tlsverify: verify checks the daemon against the CA. */
export interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  verify: boolean;
}

export class Client {
  private readonly agent: http.Agent;
  private negotiated: Promise<string> | null = null;
  private pingInfo: PingInfo | null = null;

  constructor(
    readonly address: DaemonAddress,
    /** A fixed API version (DOCKER_API_VERSION) disables negotiation. */
    private readonly fixedVersion?: string,
    private readonly tls?: ClientTls,
  ) {
    this.agent = this.useTls ? new https.Agent({ keepAlive: true, ...this.tlsOptions() }) : new http.Agent({ keepAlive: true });
  }

  private get useTls(): boolean {
    return !!this.tls && this.address.kind === 'tcp';
  }

  private tlsOptions(): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } {
    const t = this.tls!;
    return { ...(t.ca ? { ca: t.ca } : {}), ...(t.cert ? { cert: t.cert } : {}), ...(t.key ? { key: t.key } : {}), rejectUnauthorized: t.verify };
  }

  /** http.request or, for a TLS daemon, https.request with the client's certificate. */
  private dial(o: https.RequestOptions): http.ClientRequest {
    return this.useTls ? https.request({ ...o, ...(o.agent === false ? this.tlsOptions() : {}) }) : http.request(o);
  }

  /** The API version used in request paths, negotiated once per client. */
  apiVersion(): Promise<string> {
    if (this.fixedVersion) return Promise.resolve(this.fixedVersion);
    this.negotiated ??= this.ping().then((p) => {
      if (!p.apiVersion) return API_VERSION;
      return compareVersions(p.apiVersion, API_VERSION) < 0 ? p.apiVersion : API_VERSION;
    });
    return this.negotiated;
  }

  /** GET /_ping; the headers carry the daemon's API version and OS type. */
  async ping(): Promise<PingInfo> {
    if (this.pingInfo) return this.pingInfo;
    const res = await this.send('GET', '/_ping', {});
    await readBody(res);
    const info: PingInfo = {
      apiVersion: header(res, 'api-version'),
      osType: header(res, 'ostype'),
      experimental: header(res, 'docker-experimental') === 'true',
    };
    if ((res.statusCode ?? 500) >= 400 && !info.apiVersion) throw new ApiError(res.statusCode ?? 500, 'ping failed');
    this.pingInfo = info;
    return info;
  }

  /** Sends a versioned request; answers >= 400 become ApiError. The caller consumes the body. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const v = await this.apiVersion();
    const res = await this.send(method, `/v${v}${path}${buildQuery(opts.query)}`, opts);
    const status = res.statusCode ?? 500;
    if (status >= 400) throw errorFromBody(status, (await readBody(res)).toString('utf8'));
    return res;
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = (await readBody(res)).toString('utf8');
    if (!text.trim()) return undefined as T;
    return JSON.parse(text) as T;
  }

  /** A request whose answer has no useful body; returns the status (e.g. 304 for "already started"). */
  async noContent(method: string, path: string, opts: RequestOptions = {}): Promise<number> {
    const res = await this.request(method, path, opts);
    await readBody(res);
    return res.statusCode ?? 0;
  }

  /**
   * Upgrades the connection as docker does for attach and exec start (`Connection: Upgrade`,
   * `Upgrade: tcp`, answer 101), then gives the raw socket. A daemon that answers 200 instead still
   * streams output on the body.
   */
  async hijack(method: string, path: string, opts: RequestOptions = {}): Promise<HijackedStream> {
    const v = await this.apiVersion();
    const body = opts.json === undefined ? null : Buffer.from(JSON.stringify(opts.json));
    return new Promise<HijackedStream>((resolve, reject) => {
      const req = this.dial({
        ...this.target(),
        agent: false,
        method,
        path: `/v${v}${path}${buildQuery(opts.query)}`,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'tcp',
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}),
          ...opts.headers,
        },
      });
      req.on('error', (e) => reject(this.mapError(e)));
      req.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (head.length) socket.unshift(head);
        resolve({
          output: socket,
          input: socket,
          contentType: header(res, 'content-type') ?? '',
          closeWrite: () => socket.end(),
          close: () => socket.destroy(),
        });
      });
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 500;
        if (status >= 400) {
          readBody(res).then((b) => reject(errorFromBody(status, b.toString('utf8'))), reject);
          return;
        }
        resolve({
          output: res,
          input: null,
          contentType: header(res, 'content-type') ?? '',
          closeWrite: () => {},
          close: () => res.destroy(),
        });
      });
      req.end(body ?? undefined);
    });
  }

  /** Releases pooled connections so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private target(): { socketPath: string } | { host: string; port: number } {
    const a = this.address;
    return a.kind === 'unix' ? { socketPath: a.socketPath } : { host: a.host, port: a.port };
  }

  private mapError(e: unknown): Error {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ENOTSOCK' || code === 'EHOSTUNREACH') {
      return new DaemonUnreachableError(this.address.url, code);
    }
    return e as Error;
  }

  private send(method: string, fullPath: string, opts: RequestOptions): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const headers: Record<string, string> = { ...opts.headers };
      let payload: Buffer | null = null;
      if (opts.json !== undefined) {
        payload = Buffer.from(JSON.stringify(opts.json));
        headers['Content-Type'] = 'application/json';
      } else if (Buffer.isBuffer(opts.raw)) {
        payload = opts.raw;
      }
      if (opts.raw !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/x-tar';
      if (payload) headers['Content-Length'] = String(payload.length);
      const req = this.dial({ ...this.target(), agent: this.agent, method, path: fullPath, headers, signal: opts.signal });
      req.on('error', (e) => reject(this.mapError(e)));
      req.on('response', resolve);
      if (opts.raw !== undefined && !Buffer.isBuffer(opts.raw)) {
        pipeline(opts.raw, req).catch((e) => {
          req.destroy(e as Error);
          reject(e);
        });
      } else {
        req.end(payload ?? undefined);
      }
    });
  }
}

function header(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}
