// rtnetlink requests as bytes: the few messages that wire a container's veth pair, encoded here with
// no I/O so they can be tested byte by byte; host/netlink.ts sends them. Layouts are the kernel's
// (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/veth.h), in host byte order, which is
// little-endian on every platform berth runs on.
//
// Each request asks for an acknowledgement (NLM_F_ACK), so a failure comes back as an errno for
// that very message and the sender can stop at the first one.
import { ipToNumber, normalizeMac } from './ipam.js';

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_NEWADDR = 20;
export const RTM_NEWROUTE = 24;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;

const AF_UNSPEC = 0;
const AF_INET = 2;
const IFF_UP = 0x1;

// struct ifinfomsg attributes (IFLA_*), and the nested ones of IFLA_LINKINFO.
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
// struct ifaddrmsg attributes.
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_BROADCAST = 4;
// struct rtmsg attributes and values.
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RT_SCOPE_UNIVERSE = 0;
const RTN_UNICAST = 1;

/** The loopback's index in every network namespace (the kernel registers it first, as 1). */
export const LOOPBACK_IFINDEX = 1;

const align4 = (n: number) => (n + 3) & ~3;

/** One attribute (struct rtattr + payload), padded to 4 bytes. */
export function rtattr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc(align4(len));
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
};
/** A NUL-terminated name, as IFLA_IFNAME and IFLA_INFO_KIND carry. */
const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]);

/** "02:42:0a:00:00:02" as 6 bytes (any form ipam's normalizeMac accepts). */
export function macBytes(mac: string): Buffer {
  const m = normalizeMac(mac);
  if (!m) throw new Error(`invalid MAC address: ${mac}`);
  return Buffer.from(m.split(':').map((p) => parseInt(p, 16)));
}

function ipv4Number(ip: string): number {
  const n = ipToNumber(ip);
  if (n === null) throw new Error(`invalid IPv4 address: ${ip}`);
  return n;
}

/** "10.0.0.2" as 4 bytes, network order. */
export function ipv4Bytes(ip: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ipv4Number(ip), 0);
  return b;
}

/** The broadcast address of ip/prefixLen (all host bits set). */
export function ipv4Broadcast(ip: string, prefixLen: number): Buffer {
  const host = prefixLen >= 32 ? 0 : 0xffffffff >>> prefixLen;
  const b = Buffer.alloc(4);
  b.writeUInt32BE((ipv4Number(ip) | host) >>> 0, 0);
  return b;
}

/** struct ifinfomsg: family, pad, type, index, flags, change (16 bytes). */
function ifinfomsg(index: number, flags: number, change: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(AF_UNSPEC, 0);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

/** A whole message: struct nlmsghdr (length, type, flags, sequence, port 0) and its body. */
export function nlmsg(type: number, flags: number, seq: number, body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + payload.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags | NLM_F_REQUEST | NLM_F_ACK, 6);
  h.writeUInt32LE(seq >>> 0, 8);
  return Buffer.concat([h, payload]);
}

export interface VethRequest {
  /** The host end's name, made up and enslaved to `masterIndex`. */
  hostIf: string;
  masterIndex: number;
  /** The container end: its name, its MAC, and the namespace it is made in (an open fd of it). */
  peerName: string;
  peerMac: string;
  peerNetnsFd: number;
}

/**
 * `ip link add HOST up master BRIDGE type veth peer name PEER address MAC netns NS`: one request
 * makes both ends, the host one up on the bridge and the other already inside the namespace.
 */
export function vethCreate(r: VethRequest, seq: number): Buffer {
  const peer = Buffer.concat([
    ifinfomsg(0, 0, 0),
    rtattr(IFLA_IFNAME, cstr(r.peerName)),
    rtattr(IFLA_ADDRESS, macBytes(r.peerMac)),
    rtattr(IFLA_NET_NS_FD, u32(r.peerNetnsFd)),
  ]);
  const linkinfo = Buffer.concat([rtattr(IFLA_INFO_KIND, cstr('veth')), rtattr(IFLA_INFO_DATA, rtattr(VETH_INFO_PEER, peer))]);
  return nlmsg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, seq, [
    ifinfomsg(0, IFF_UP, IFF_UP),
    rtattr(IFLA_IFNAME, cstr(r.hostIf)),
    rtattr(IFLA_MASTER, u32(r.masterIndex)),
    rtattr(IFLA_LINKINFO, linkinfo),
  ]);
}

/** `ip link add name NAME type bridge` (down, no address: see addressAdd and linkUp). */
export function bridgeCreate(name: string, seq: number): Buffer {
  return nlmsg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, seq, [
    ifinfomsg(0, 0, 0),
    rtattr(IFLA_IFNAME, cstr(name)),
    rtattr(IFLA_LINKINFO, rtattr(IFLA_INFO_KIND, cstr('bridge'))),
  ]);
}

/** `ip link set dev INDEX up`. */
export function linkUp(index: number, seq: number): Buffer {
  return nlmsg(RTM_NEWLINK, 0, seq, [ifinfomsg(index, IFF_UP, IFF_UP)]);
}

/** `ip link del dev NAME` (by name: the kernel looks it up). */
export function linkDelete(name: string, seq: number): Buffer {
  return nlmsg(RTM_DELLINK, 0, seq, [ifinfomsg(0, 0, 0), rtattr(IFLA_IFNAME, cstr(name))]);
}

/**
 * `ip addr add IP/LEN brd + dev INDEX` (`replace` instead of `add` with o.replace: no error when the
 * address is there): the broadcast address is set as Docker's (through its netlink library) sets it
 * for prefixes shorter than /31.
 */
export function addressAdd(index: number, ip: string, prefixLen: number, seq: number, o: { replace?: boolean } = {}): Buffer {
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) throw new Error(`invalid prefix length: ${prefixLen}`);
  const msg = Buffer.alloc(8);
  msg.writeUInt8(AF_INET, 0);
  msg.writeUInt8(prefixLen, 1);
  msg.writeUInt8(0, 2); // flags
  msg.writeUInt8(RT_SCOPE_UNIVERSE, 3);
  msg.writeUInt32LE(index, 4);
  const addr = ipv4Bytes(ip);
  const attrs = [rtattr(IFA_LOCAL, addr), rtattr(IFA_ADDRESS, addr)];
  if (prefixLen < 31) attrs.push(rtattr(IFA_BROADCAST, ipv4Broadcast(ip, prefixLen)));
  return nlmsg(RTM_NEWADDR, NLM_F_CREATE | (o.replace ? NLM_F_REPLACE : NLM_F_EXCL), seq, [msg, ...attrs]);
}

/** `ip route replace default via GATEWAY dev INDEX`. */
export function defaultRoute(gateway: string, index: number, seq: number): Buffer {
  const msg = Buffer.alloc(12);
  msg.writeUInt8(AF_INET, 0);
  msg.writeUInt8(0, 1); // dst_len: the default route
  msg.writeUInt8(RT_TABLE_MAIN, 4);
  msg.writeUInt8(RTPROT_BOOT, 5);
  msg.writeUInt8(RT_SCOPE_UNIVERSE, 6);
  msg.writeUInt8(RTN_UNICAST, 7);
  return nlmsg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, seq, [msg, rtattr(RTA_GATEWAY, ipv4Bytes(gateway)), rtattr(RTA_OIF, u32(index))]);
}

/** The messages in a buffer of several, as [type, sequence] (for tests and error reports). */
export function splitMessages(buf: Buffer): Array<{ type: number; flags: number; seq: number; length: number }> {
  const out: Array<{ type: number; flags: number; seq: number; length: number }> = [];
  let off = 0;
  while (off + 16 <= buf.length) {
    const length = buf.readUInt32LE(off);
    if (length < 16 || off + length > buf.length) throw new Error(`malformed netlink message at ${off}`);
    out.push({ type: buf.readUInt16LE(off + 4), flags: buf.readUInt16LE(off + 6), seq: buf.readUInt32LE(off + 8), length });
    off += align4(length);
  }
  return out;
}
