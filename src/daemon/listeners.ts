// Opens the API listeners berthd was asked for: unix sockets (mode 0660, group from -G, a stale socket
// file from a crashed daemon is replaced but a live one is never stolen), TCP, and TCP with TLS.
import fs from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import type http from 'node:http';
import { SystemError } from '../errors.js';

/** TLS for tcp listeners (dockerd's --tls/--tlsverify): key pair, and with verify the CA clients must be signed by. */
export interface ListenTls {
  key: Buffer;
  cert: Buffer;
  /** Set with --tlsverify: a client without a certificate signed by it is refused. */
  ca?: Buffer;
}

export interface ListenOptions {
  /** TLS for a tcp:// host. */
  tls?: ListenTls;
  /** Sees each accepted socket first (the daemon marks those of a listener that needs the dashboard login). */
  onConnection?: (socket: net.Socket) => void;
  /** A TLS client refused (its certificate, or a failed handshake) and why, for the log. */
  onRefused?: (reason: string, remote: string) => void;
}

export async function listen(server: http.Server, host: string, group: string, o: ListenOptions = {}): Promise<net.Server> {
  const { onConnection } = o;
  if (host.startsWith('unix://')) {
    const sock = host.slice('unix://'.length);
    await fs.mkdir(path.dirname(sock), { recursive: true });
    if (await isLive(sock)) throw new SystemError(`${sock} is in use by another daemon (is berthd already running?)`);
    await fs.rm(sock, { force: true });
    const l = halfOpenListener(server, onConnection);
    await new Promise<void>((resolve, reject) => {
      l.once('error', reject);
      l.listen(sock, () => resolve());
    });
    await fs.chmod(sock, 0o660);
    const gid = await groupId(group);
    if (gid !== null) await fs.chown(sock, 0, gid).catch(() => {});
    return l;
  }
  if (host.startsWith('tcp://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    const l = o.tls ? tlsListener(server, o.tls, onConnection, o.onRefused) : halfOpenListener(server, onConnection);
    await new Promise<void>((resolve, reject) => {
      l.once('error', reject);
      l.listen(Number(u.port || 2375), u.hostname.replace(/^\[|\]$/g, ''), () => resolve());
    });
    return l;
  }
  throw new SystemError(`unsupported listen address ${host}`);
}

/**
 * Docker clients half-close a hijacked attach connection when they have no stdin to send, and still
 * expect the container's output: the sockets must allow half-open (as http.Server's own do).
 */
function halfOpenListener(server: http.Server, onConnection?: (socket: net.Socket) => void): net.Server {
  const l = net.createServer({ allowHalfOpen: true });
  l.on('connection', (c) => {
    onConnection?.(c);
    server.emit('connection', c);
  });
  return l;
}

function tlsListener(server: http.Server, o: ListenTls, onConnection?: (socket: net.Socket) => void, onRefused?: (reason: string, remote: string) => void): net.Server {
  // With --tlsverify the certificate is checked here rather than by OpenSSL aborting the handshake:
  // under TLS 1.3 a client whose certificate is refused in the handshake sees only the connection end
  // (the docker CLI prints "EOF"), while an answer can say why. A refused client's bytes never reach
  // the HTTP server: it gets one 403 and the connection closes.
  const l = tls.createServer({
    key: o.key,
    cert: o.cert,
    ...(o.ca ? { ca: o.ca, requestCert: true, rejectUnauthorized: false } : {}),
    allowHalfOpen: true,
    minVersion: 'TLSv1.2',
  });
  l.on('secureConnection', (c: tls.TLSSocket) => {
    if (o.ca && !c.authorized) {
      const reason = refusalReason(c);
      onRefused?.(reason, `${c.remoteAddress ?? '?'}:${c.remotePort ?? '?'}`);
      refuse(c, reason);
      return;
    }
    onConnection?.(c);
    server.emit('connection', c);
  });
  // A client that fails the handshake itself (no common cipher, not TLS at all) is its own problem.
  l.on('tlsClientError', (err: Error & { reason?: string }, socket: tls.TLSSocket) => {
    onRefused?.(err.reason ?? err.message, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
  });
  return l;
}

/** Why a client's certificate is not accepted, in words a user can act on. */
function refusalReason(c: tls.TLSSocket): string {
  const peer = c.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return 'client certificate required: this daemon verifies clients (--tlsverify); give --tlscert and --tlskey';
  const code = String(c.authorizationError ?? 'unknown');
  if (code === 'CERT_HAS_EXPIRED') return `client certificate refused: certificate has expired (not after ${peer.valid_to})`;
  if (code === 'CERT_NOT_YET_VALID') return `client certificate refused: certificate is not yet valid (not before ${peer.valid_from})`;
  return `client certificate refused: not signed by this daemon's CA (${code})`;
}

/** Reads the request's first bytes (so the client is not cut off mid-write), answers 403 and closes. */
function refuse(c: tls.TLSSocket, reason: string): void {
  const body = JSON.stringify({ message: reason }) + '\n';
  const answer = `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  c.on('error', () => c.destroy());
  c.setTimeout(10_000, () => c.destroy());
  c.once('data', () => c.end(answer));
  c.once('end', () => c.destroy());
}

/** The loopback addresses, where plain TCP stays allowed. */
export function isLoopbackHost(host: string): boolean {
  const h = new URL(host.replace(/^tcp:/, 'http:')).hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

function isLive(sock: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(sock);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function groupId(name: string): Promise<number | null> {
  if (/^\d+$/.test(name)) return Number(name);
  const text = await fs.readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid) return Number(gid);
  }
  return null;
}
