// IPv4 address management for bridge networks, as pure code: subnets parsed and compared, addresses
// handed out from a pool (optionally a narrower --ip-range) never twice, released on removal, and
// re-marked from what is running after a daemon restart. No I/O; the network service owns one Pool
// per network and persists nothing of it (the running containers' endpoints are the truth).
import { InvalidParameterError } from '../../errors.js';

export interface Cidr {
  /** The network address (host bits cleared), as a 32-bit unsigned number. */
  base: number;
  prefix: number;
}

export function ipToNumber(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.1.0.0/16` (host bits allowed, as in --bip 10.1.0.1/16) or null when malformed. */
export function parseCidr(s: string): (Cidr & { address: number }) | null {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) return null;
  const address = ipToNumber(m[1]!);
  const prefix = Number(m[2]);
  if (address === null || prefix > 32) return null;
  return { base: (address & maskOf(prefix)) >>> 0, prefix, address };
}

export function formatCidr(c: Cidr): string {
  return `${numberToIp(c.base)}/${c.prefix}`;
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & maskOf(p)) >>> 0) === ((b.base & maskOf(p)) >>> 0);
}

function broadcast(c: Cidr): number {
  return (c.base | (~maskOf(c.prefix) >>> 0)) >>> 0;
}

/** Docker's MAC for an address: 02:42 followed by the four bytes of the IPv4 address. */
export function macForIp(ip: string): string {
  const n = ipToNumber(ip);
  if (n === null) throw new InvalidParameterError(`invalid IP address: ${ip}`);
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * A MAC address a client asked for (`--mac-address`), in the form Docker keeps and shows: six
 * lowercase hex pairs joined by colons. Accepts colons or dashes (what Go's net.ParseMAC accepts for
 * 48-bit addresses, without the dotted form); null for anything else.
 */
export function normalizeMac(mac: string): string | null {
  const parts = mac.trim().split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return null;
  if (mac.includes(':') && mac.includes('-')) return null;
  return parts.map((p) => p.toLowerCase()).join(':');
}

export interface PoolOptions {
  subnet: string;
  /** Defaults to the first usable address of the subnet. */
  gateway?: string;
  /** Addresses for containers come from here only (must lie inside the subnet). */
  ipRange?: string;
}

/**
 * The addresses of one network. Allocation goes round the range from after the last address given,
 * as Docker's IPAM does, so a released address is not handed out again at once (a stale ARP entry or
 * connection would otherwise reach the new container).
 */
export class Pool {
  readonly subnet: Cidr;
  readonly gateway: number;
  readonly range: Cidr;
  private readonly used = new Set<number>();
  private last: number;

  constructor(o: PoolOptions) {
    const sub = parseCidr(o.subnet);
    if (!sub) throw new InvalidParameterError(`invalid subnet ${o.subnet}: invalid CIDR address: ${o.subnet}`);
    if (sub.prefix > 30) throw new InvalidParameterError(`invalid subnet ${o.subnet}: the subnet is too small (at most /30)`);
    this.subnet = { base: sub.base, prefix: sub.prefix };
    if (o.gateway !== undefined && o.gateway !== '') {
      const g = ipToNumber(o.gateway);
      if (g === null) throw new InvalidParameterError(`invalid gateway address ${o.gateway}`);
      if (!cidrContains(this.subnet, g)) throw new InvalidParameterError(`no matching subnet for gateway ${o.gateway}`);
      this.gateway = g;
    } else {
      this.gateway = this.subnet.base + 1;
    }
    if (o.ipRange !== undefined && o.ipRange !== '') {
      const r = parseCidr(o.ipRange);
      if (!r) throw new InvalidParameterError(`invalid ip-range ${o.ipRange}: invalid CIDR address: ${o.ipRange}`);
      if (!cidrContains(this.subnet, r.base) || r.prefix < this.subnet.prefix) throw new InvalidParameterError(`no matching subnet for range ${o.ipRange}`);
      this.range = { base: r.base, prefix: r.prefix };
    } else {
      this.range = this.subnet;
    }
    // The first address handed out is the range's first usable one (Docker gives .128 of a /25
    // range, and .2 of a whole subnet whose .0 and .1 are network and gateway).
    this.last = this.range.base - 1;
  }

  get gatewayIp(): string {
    return numberToIp(this.gateway);
  }

  get prefixLen(): number {
    return this.subnet.prefix;
  }

  /** True for addresses no container may have: network, broadcast, gateway. */
  private reserved(n: number): boolean {
    return n === this.subnet.base || n === broadcast(this.subnet) || n === this.gateway;
  }

  /** The next free address of the range; throws when none is left. */
  allocate(): string {
    const first = this.range.base;
    const size = broadcast(this.range) - first + 1;
    for (let i = 1; i <= size; i++) {
      const n = first + ((this.last - first + i) % size);
      if (this.reserved(n) || this.used.has(n)) continue;
      this.used.add(n);
      this.last = n;
      return numberToIp(n);
    }
    throw new InvalidParameterError(`no available IPv4 addresses on this network's address pools: ${formatCidr(this.subnet)}`);
  }

  /** Whether an address lies in the subnet (a --ip is checked at create, before it is claimed). */
  containsIp(ip: string): boolean {
    const n = ipToNumber(ip);
    return n !== null && cidrContains(this.subnet, n);
  }

  /** Takes a given address (--ip, or one found in use at start-up). */
  claim(ip: string): void {
    const n = ipToNumber(ip);
    if (n === null) throw new InvalidParameterError(`invalid IPv4 address: ${ip}`);
    if (!cidrContains(this.subnet, n)) throw new InvalidParameterError(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
    if (this.reserved(n)) throw new InvalidParameterError(`requested address ${ip} is reserved`);
    if (this.used.has(n)) throw new InvalidParameterError(`Address already in use: ${ip}`);
    this.used.add(n);
  }

  release(ip: string): void {
    const n = ipToNumber(ip);
    if (n !== null) this.used.delete(n);
  }

  inUse(ip: string): boolean {
    const n = ipToNumber(ip);
    return n !== null && this.used.has(n);
  }

  get allocatedCount(): number {
    return this.used.size;
  }
}

/**
 * A /24 for a network created without --subnet that overlaps none of `taken` (the other networks and
 * the host's routes). Docker's pools start at 172.17.0.0/16, where a real dockerd lives; berth takes
 * 10.214.0.0/24 upwards, away from docker0 and from the test slots (10.213.x.0/24). `start` turns
 * the search round to another first candidate: daemons side by side, each with its own start, do not
 * race for the same subnet when they create networks at the same moment.
 */
export function pickFreeSubnet(taken: Cidr[], start = 0): string {
  const candidates: string[] = [];
  for (let a = 214; a <= 254; a++) for (let b = 0; b <= 255; b += 1) candidates.push(`10.${a}.${b}.0/24`);
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[(start + i) % candidates.length]!;
    const cidr = parseCidr(c)!;
    if (!taken.some((t) => cidrsOverlap(t, cidr))) return c;
  }
  throw new InvalidParameterError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}
