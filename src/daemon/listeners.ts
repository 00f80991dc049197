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

export async function listen(server: http.Server, host: string, group: string, tlsOpts?: ListenTls): Promise<net.Server> {
  if (host.startsWith('unix://')) {
    const sock = host.slice('unix://'.length);
    await fs.mkdir(path.dirname(sock), { recursive: true });
    if (await isLive(sock)) throw new SystemError(`${sock} is in use by another daemon (is berthd already running?)`);
    await fs.rm(sock, { force: true });
    const l = halfOpenListener(server);
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
    const l = tlsOpts ? tlsListener(server, tlsOpts) : halfOpenListener(server);
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
function halfOpenListener(server: http.Server): net.Server {
  const l = net.createServer({ allowHalfOpen: true });
  l.on('connection', (c) => server.emit('connection', c));
  return l;
}

function tlsListener(server: http.Server, o: ListenTls): net.Server {
  const l = tls.createServer({
    key: o.key,
    cert: o.cert,
    ...(o.ca ? { ca: o.ca, requestCert: true, rejectUnauthorized: true } : {}),
    allowHalfOpen: true,
    minVersion: 'TLSv1.2',
  });
  l.on('secureConnection', (c) => server.emit('connection', c));
  // A client that fails the handshake (no or a wrong certificate) is its own problem, not the daemon's.
  l.on('tlsClientError', () => {});
  return l;
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
