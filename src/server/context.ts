// What a route handler sees: the parsed request, helpers to answer it, and `hijack()` for attach/exec.
// Routes only translate (parse, call a service, serialize); everything here is plumbing they share.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidParameterError } from '../errors.js';
import { RAW_STREAM_TYPE } from '../api/streams.js';
import { API_VERSION } from '../api/version.js';
import * as streamModule from 'node:stream';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One handshake handler for every websocket route; connections belong to their routes. */
const wsServer = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

/** JSON bodies larger than this are refused: no API request body except archives needs more. */
export const MAX_JSON_BODY = 8 * 1024 * 1024;

export class RouteContext {
  /** Aborted when the client goes away before the response is finished. */
  readonly signal: AbortSignal;
  private readonly abort = new AbortController();
  private hijacked: Duplex | null = null;

  constructor(
    readonly req: IncomingMessage,
    /** For an HTTP upgrade request this is a response bound to the raw socket. */
    readonly res: ServerResponse,
    readonly params: Record<string, string | undefined>,
    readonly query: URLSearchParams,
    readonly apiVersion: string,
    /** The raw socket when the request arrived on the server's 'upgrade' event, with its first bytes. */
    private readonly upgrade: { socket: Duplex; head: Buffer } | null,
  ) {
    this.signal = this.abort.signal;
    const onClose = () => {
      if (!res.writableFinished) this.abort.abort();
    };
    // A keep-alive socket carries many requests: the listener goes away with this response.
    const sock = upgrade?.socket ?? req.socket;
    sock.on('close', onClose);
    res.once('close', () => {
      onClose();
      sock.off('close', onClose);
    });
  }

  /**
   * After a write that returned false: resolves once the response can take more, or at once when the
   * client is gone. Waiting for 'close' alone would hang for ever when the client left before the wait
   * began (the event is past), and the stream's source (a log file, say) would stay open with it.
   */
  drained(): Promise<void> {
    const res = this.res;
    if (this.signal.aborted || res.destroyed || res.writableEnded || !res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
      this.signal.addEventListener('abort', done);
    });
  }

  param(name: string): string {
    const v = this.params[name];
    if (v === undefined) throw new InvalidParameterError(`missing path parameter ${name}`);
    return decodeURIComponent(v);
  }

  /** Docker's boolean query parameters: "1", "true", "True" are true; absent/""/"0"/"false" are false. */
  bool(name: string, dflt = false): boolean {
    const v = this.query.get(name);
    if (v === null || v === '') return dflt;
    return !['0', 'false', 'False', 'FALSE', 'no'].includes(v);
  }

  int(name: string, dflt?: number): number | undefined {
    const v = this.query.get(name);
    if (v === null || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidParameterError(`invalid value for ${name}: ${v}`);
    return Math.trunc(n);
  }

  /** The query's `filters` parameter: JSON of {key: [values]} (or the old {key: {value: true}}). */
  filters(): Record<string, string[]> {
    const raw = this.query.get('filters');
    if (!raw) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidParameterError(`invalid filter: ${raw}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidParameterError(`invalid filter: ${raw}`);
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (Array.isArray(v)) out[k] = v.map(String);
      else if (v && typeof v === 'object') out[k] = Object.entries(v as Record<string, unknown>).filter(([, on]) => on).map(([x]) => x);
      else throw new InvalidParameterError(`invalid filter: ${raw}`);
    }
    return out;
  }

  /** Reads the whole body (bounded) and parses JSON. An empty body gives `dflt`. */
  async json<T>(dflt?: T): Promise<T> {
    const chunks: Buffer[] = [];
    let size = 0;
    if (this.upgrade) {
      // An upgrade request's body (exec start's {"Detach":false,...}) is not in `req`: it arrived in
      // `head` or is still on the socket. Take exactly Content-Length bytes so that they are not fed
      // to the container's stdin after the hijack.
      chunks.push(await this.readUpgradeBody());
    } else {
      for await (const chunk of this.req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_JSON_BODY) throw new InvalidParameterError(`request body too large (more than ${MAX_JSON_BODY} bytes)`);
        chunks.push(chunk);
      }
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') {
      if (dflt !== undefined) return dflt;
      throw new InvalidParameterError('request body is empty; a JSON object was expected');
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new InvalidParameterError(`invalid JSON: ${(e as Error).message}`);
    }
  }

  private async readUpgradeBody(): Promise<Buffer> {
    const up = this.upgrade!;
    const len = Number(this.req.headers['content-length'] ?? 0);
    if (!Number.isInteger(len) || len <= 0) return Buffer.alloc(0);
    if (len > MAX_JSON_BODY) throw new InvalidParameterError(`request body too large (more than ${MAX_JSON_BODY} bytes)`);
    let buf = up.head;
    while (buf.length < len) {
      const chunk = await new Promise<Buffer | null>((resolve) => {
        const onData = (c: Buffer) => {
          cleanup();
          up.socket.pause();
          resolve(c);
        };
        const onEnd = () => {
          cleanup();
          resolve(null);
        };
        const cleanup = () => {
          up.socket.off('data', onData);
          up.socket.off('end', onEnd);
          up.socket.off('close', onEnd);
        };
        up.socket.on('data', onData);
        up.socket.once('end', onEnd);
        up.socket.once('close', onEnd);
        up.socket.resume();
      });
      if (!chunk) break;
      buf = Buffer.concat([buf, chunk]);
    }
    up.head = buf.subarray(Math.min(len, buf.length));
    return buf.subarray(0, Math.min(len, buf.length));
  }

  sendJson(status: number, body: unknown): void {
    const data = Buffer.from(JSON.stringify(body) + '\n');
    this.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
    this.res.end(data);
  }

  /** An empty answer (204 No Content, 201 Created, 304 Not Modified...). */
  sendStatus(status: number): void {
    this.res.writeHead(status, { 'Content-Length': 0 });
    this.res.end();
  }

  get isUpgrade(): boolean {
    return this.upgrade !== null;
  }

  /** True for a websocket handshake (GET with `Upgrade: websocket`). */
  get isWebSocket(): boolean {
    return this.upgrade !== null && String(this.req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  }

  /** Completes a websocket handshake on this request's connection (the ws package does the protocol). */
  acceptWebSocket(): Promise<WebSocket> {
    if (!this.isWebSocket) throw new InvalidParameterError('a websocket handshake (Upgrade: websocket) was expected');
    const { socket, head } = this.upgrade!;
    return new Promise((resolve) => wsServer.handleUpgrade(this.req, socket as net.Socket, head, (ws) => resolve(ws)));
  }

  /**
   * Takes over the connection for a raw bidirectional stream, as Docker's attach and exec start do.
   * When the client asked to upgrade (`Upgrade: tcp`, as the docker CLI does) we answer
   * `101 UPGRADED` ourselves; otherwise we answer 200 and stream the body on the same socket
   * (stdin is then not available, as with Docker for non-upgraded requests).
   */
  hijack(contentType = RAW_STREAM_TYPE): Duplex {
    if (this.hijacked) return this.hijacked;
    if (this.upgrade) {
      const { socket, head } = this.upgrade;
      socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` + commonHeaderLines() + '\r\n');
      if (head.length) socket.unshift(head);
      this.hijacked = socket;
      return socket;
    }
    // Not upgraded: keep Node's response object (it frames the body), expose it as a write-only duplex.
    this.res.writeHead(200, { 'Content-Type': contentType });
    this.res.flushHeaders();
    const res = this.res;
    const req = this.req;
    const { Duplex: DuplexCtor } = streamModule;
    // A write that fails is the client gone (its reset fails the writes still pending): that ends this
    // stream, quietly. Handed to the callback, the error would be emitted on a stream whose users only
    // write, unheard, and an unheard 'error' ends the daemon.
    const duplex: Duplex = new DuplexCtor({
      write(chunk, _enc, cb) {
        if (res.destroyed) return cb();
        res.write(chunk, (err) => {
          if (err) duplex.destroy();
          cb();
        });
      },
      final(cb) {
        res.end(() => cb());
      },
      read() {},
    });
    req.on('data', () => {});
    res.on('close', () => duplex.destroy());
    this.hijacked = duplex;
    return duplex;
  }
}

export const SERVER_HEADER = 'Berth/0.1.0 (linux)';

/** Headers Docker sends on every response; clients read Api-Version to negotiate. */
export function commonHeaders(): Record<string, string> {
  return { 'Api-Version': API_VERSION, 'Docker-Experimental': 'false', Ostype: 'linux', Server: SERVER_HEADER };
}

function commonHeaderLines(): string {
  return Object.entries(commonHeaders())
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
}
