// Raw Engine API requests over a unix socket, for tests that check status codes, headers and bodies
// exactly as a client sees them (no client library in between).
import http from 'node:http';
import fs from 'node:fs';

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json<T = any>(): T;
}

export interface ApiRequestOptions {
  headers?: Record<string, string>;
  /** A JS value is sent as JSON; a string/Buffer as is; a file path via `file` is streamed. */
  body?: unknown;
  file?: string;
  timeout?: number;
}

export function apiRequest(socketPath: string, method: string, path: string, opts: ApiRequestOptions = {}): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) payload = Buffer.from(opts.body as string);
      else {
        payload = Buffer.from(JSON.stringify(opts.body));
        headers['Content-Type'] ??= 'application/json';
      }
      headers['Content-Length'] = String(payload.length);
    } else if (opts.file) {
      headers['Content-Length'] = String(fs.statSync(opts.file).size);
      headers['Content-Type'] ??= 'application/x-tar';
    }
    const req = http.request({ socketPath, method, path, headers, timeout: opts.timeout ?? 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text,
          json: () => JSON.parse(text),
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${opts.timeout ?? 60_000} ms`)));
    req.on('error', reject);
    if (payload) req.end(payload);
    else if (opts.file) fs.createReadStream(opts.file).on('error', reject).pipe(req);
    else req.end();
  });
}

/** Polls GET /_ping until it answers 200 OK, or throws after `timeoutMs`. */
export async function waitForPing(socketPath: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('daemon exited before answering /_ping');
    try {
      const r = await apiRequest(socketPath, 'GET', '/_ping', { timeout: 2000 });
      if (r.status === 200 && r.text === 'OK') return;
      last = `status ${r.status}: ${r.text}`;
    } catch (e) {
      last = (e as Error).message;
    }
    // Short: the bench times start-up to the first answer with this loop.
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`/_ping on ${socketPath} did not answer within ${timeoutMs} ms (last: ${last})`);
}
