// The embedded DNS server of user-defined networks: containers on one network find each other by
// name, alias and short ID, and every other name is passed on to the host's resolvers. One UDP socket
// per network, on the network's gateway address (a host address on the bridge), which the network's
// containers get as their nameserver. Docker answers at 127.0.0.11 inside each container instead,
// which needs a socket opened inside every container's namespace; a Node daemon cannot enter one, and
// an iptables redirect per container would cost a start tens of milliseconds.
import dgram from 'node:dgram';
import fs from 'node:fs';
import dnsPacket from 'dns-packet';
import type { Logger } from '../../daemon/logger.js';

/** Who is on a network now: each name a container answers to → its addresses there. */
export type NameLookup = (networkId: string, name: string) => string[];

const FORWARD_TIMEOUT_MS = 3000;
const TTL = 600;

/** The host's nameservers (a container's own gateways excluded), read when a query needs them. */
export function hostNameservers(exclude: Set<string>): string[] {
  try {
    const text = fs.readFileSync('/etc/resolv.conf', 'utf8');
    return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!).filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip) && !exclude.has(ip));
  } catch {
    return [];
  }
}

export class NetworkDns {
  private readonly sockets = new Map<string, dgram.Socket>();

  constructor(
    private readonly lookup: NameLookup,
    private readonly log: Logger,
    /** berthd --dns: the upstream resolvers; empty means the host's. */
    private readonly upstream: string[] = [],
  ) {}

  /** Starts answering for a network on its gateway; a failure to bind is logged, not fatal. */
  async serve(networkId: string, gateway: string): Promise<void> {
    if (this.sockets.has(networkId)) return;
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind({ address: gateway, port: 53 }, () => {
          sock.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      this.log.warn(`network ${networkId.slice(0, 12)}: no name resolution, cannot listen on ${gateway}:53: ${(e as Error).message}`);
      sock.close();
      return;
    }
    sock.on('error', (e) => this.log.debug(`dns ${gateway}`, e));
    sock.on('message', (msg, rinfo) => void this.answer(networkId, sock, msg, rinfo));
    sock.unref();
    this.sockets.set(networkId, sock);
  }

  stop(networkId: string): void {
    this.sockets.get(networkId)?.close();
    this.sockets.delete(networkId);
  }

  close(): void {
    for (const id of [...this.sockets.keys()]) this.stop(id);
  }

  private async answer(networkId: string, sock: dgram.Socket, msg: Buffer, to: dgram.RemoteInfo): Promise<void> {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: nothing to answer
    }
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.replace(/\.$/, '').toLowerCase();
    const ips = this.lookup(networkId, name);
    if (ips.length) {
      const answers = question.type === 'A' ? ips.map((ip) => ({ type: 'A' as const, name: question.name, ttl: TTL, class: 'IN' as const, data: ip })) : [];
      const reply = dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER, questions: [question], answers });
      sock.send(reply, to.port, to.address);
      return;
    }
    const reply = await this.forward(msg, new Set([...this.sockets.values()].map((s) => s.address().address)));
    sock.send(reply ?? servfail(q), to.port, to.address);
  }

  /** Relays a query to the host's first nameserver that answers; null when none does. */
  private async forward(msg: Buffer, exclude: Set<string>): Promise<Buffer | null> {
    for (const ns of this.upstream.length ? this.upstream : hostNameservers(exclude)) {
      const r = await new Promise<Buffer | null>((resolve) => {
        const s = dgram.createSocket('udp4');
        const done = (b: Buffer | null) => {
          clearTimeout(timer);
          s.close();
          resolve(b);
        };
        const timer = setTimeout(() => done(null), FORWARD_TIMEOUT_MS);
        s.on('error', () => done(null));
        s.on('message', (b) => done(b));
        s.send(msg, 53, ns);
      });
      if (r) return r;
    }
    return null;
  }
}

function servfail(q: dnsPacket.Packet): Buffer {
  return dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | 2, questions: q.questions ?? [] });
}
