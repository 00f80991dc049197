// Host ports held for published container ports. Packets reach containers through DNAT, which binds
// nothing; berthd still holds each published port with a socket of its own (never accepting: DNAT
// takes every packet before it could arrive), so a second container or a host program cannot take a
// port that is published, and a port already taken fails the start as Docker's does.
import dgram from 'node:dgram';
import net from 'node:net';
import { ConflictError } from '../../errors.js';
import type { PortRequest, PublishedPort } from '../../lib/net/ports.js';

export interface Reservation {
  port: PublishedPort;
  close(): void;
}

function listenTcp(host: string, port: number): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((s) => s.destroy());
    srv.once('error', reject);
    srv.listen({ host, port, exclusive: true }, () => {
      srv.off('error', reject);
      srv.on('error', () => {});
      srv.unref();
      resolve({ port: (srv.address() as net.AddressInfo).port, close: () => srv.close() });
    });
  });
}

function bindUdp(host: string, port: number): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    s.once('error', reject);
    s.bind({ address: host, port, exclusive: true }, () => {
      s.off('error', reject);
      s.on('error', () => {});
      s.on('message', () => {});
      s.unref();
      resolve({ port: s.address().port, close: () => s.close() });
    });
  });
}

function bind(proto: 'tcp' | 'udp', host: string, port: number) {
  return proto === 'tcp' ? listenTcp(host, port) : bindUdp(host, port);
}

/**
 * Reserves every requested port, or none: on a failure the ones already held are let go and the
 * error names the port in Docker's words. `heldByUs` tells a port another container publishes
 * ("port is already allocated") from one a host program holds.
 */
export async function reservePorts(reqs: PortRequest[], endpoint: { name: string; id: string }, heldByUs: (proto: string, hostIp: string, port: number) => boolean): Promise<Reservation[]> {
  const held: Reservation[] = [];
  try {
    for (const r of reqs) {
      const candidates = r.hostPorts ? Array.from({ length: r.hostPorts.end - r.hostPorts.start + 1 }, (_, i) => r.hostPorts!.start + i) : [0];
      let lastErr: unknown;
      let got: { port: number; close(): void } | null = null;
      for (const p of candidates) {
        try {
          got = await bind(r.proto, r.hostIp, p);
          break;
        } catch (e) {
          lastErr = e;
        }
      }
      if (!got) {
        const p = r.hostPorts ? (r.hostPorts.start === r.hostPorts.end ? String(r.hostPorts.start) : `${r.hostPorts.start}-${r.hostPorts.end}`) : '0';
        const err = lastErr as NodeJS.ErrnoException;
        const single = r.hostPorts ? r.hostPorts.start : 0;
        const why =
          err?.code === 'EADDRINUSE' && heldByUs(r.proto, r.hostIp, single)
            ? `Bind for ${r.hostIp}:${p} failed: port is already allocated`
            : `failed to bind port ${r.hostIp}:${p}/${r.proto}: Error starting userland proxy: listen ${r.proto}4 ${r.hostIp}:${p}: bind: ${err?.code === 'EADDRINUSE' ? 'address already in use' : err?.code === 'EADDRNOTAVAIL' ? 'cannot assign requested address' : (err?.message ?? 'failed')}`;
        throw new ConflictError(`driver failed programming external connectivity on endpoint ${endpoint.name} (${endpoint.id}): ${why}`);
      }
      held.push({ port: { proto: r.proto, containerPort: r.containerPort, hostIp: r.hostIp, hostPort: got.port }, close: got.close });
    }
    return held;
  } catch (e) {
    for (const h of held) h.close();
    throw e;
  }
}

/** Holds ports already published (a restarted daemon adopting running containers); a failure is skipped. */
export async function rehold(ports: PublishedPort[]): Promise<Reservation[]> {
  const out: Reservation[] = [];
  for (const p of ports) {
    try {
      const got = await bind(p.proto, p.hostIp, p.hostPort);
      out.push({ port: p, close: got.close });
    } catch {
      // Someone took it while berthd was down: the DNAT rule still forwards; nothing to hold.
    }
  }
  return out;
}
