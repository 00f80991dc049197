// What every handler gets: the request, the response, the parsed URL and route, the caller, and the
// services. Plus the small helpers that write the protocol's answers.
import type http from 'node:http';
import type { Route } from '../../lib/distribution/routes.js';
import { RegistryError, errorBody } from '../../lib/distribution/errors.js';
import type { Registry } from '../registry.js';
import type { Authenticator, Identity } from '../auth/authenticator.js';

export interface ServerOptions {
  registry: Registry;
  auth: Authenticator;
  readOnly: boolean;
  /** Biggest manifest accepted, in bytes (distribution's default is 4 MiB). */
  maxManifestBytes: number;
  log: (line: string) => void;
}

export interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  route: Route;
  /** The validated repository name, for routes under /v2/<name>/. */
  repo: string;
  identity: Identity;
  opts: ServerOptions;
}

export function send(res: http.ServerResponse, status: number, headers: Record<string, string | number>, body?: string | Buffer): void {
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'Content-Length': payload ? payload.length : 0 });
  res.end(res.req?.method === 'HEAD' ? undefined : payload);
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string | number> = {}): void {
  send(res, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value));
}

export function sendError(res: http.ServerResponse, e: RegistryError, headers: Record<string, string> = {}): void {
  send(res, e.status, { 'Content-Type': 'application/json', ...headers }, errorBody([e]));
}

/** Reads a whole (small) request body, refusing more than `limit` bytes. */
export async function readBody(req: http.IncomingMessage, limit: number, tooBig: () => RegistryError): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) {
      req.resume();
      throw tooBig();
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** True when the request carries a body (a declared length above 0, or chunked encoding). */
export function hasBody(req: http.IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return /chunked/i.test(String(req.headers['transfer-encoding'] ?? ''));
}

/** The media type of a Content-Type header, without parameters. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const t = header?.split(';')[0]?.trim().toLowerCase();
  return t || undefined;
}
