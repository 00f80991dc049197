// A container's veth pair wired by rtnetlink from inside berthd (native.netlinkSend), the same result
// as bridge-net.ts's two `ip -batch` processes (one of them under nsenter) without starting either:
// on this 2-core VM those three execs cost ~15 ms of CPU per bridge container start, taken from runc,
// which is creating the container on the other core at the same moment.
import fs from 'node:fs';
import * as native from './native.js';
import { addressAdd, bridgeCreate, defaultRoute, linkDelete, linkUp, LOOPBACK_IFINDEX, vethCreate } from '../lib/net/rtnetlink.js';
import { SystemError } from '../errors.js';
import type { NetnsVethPlan } from './bridge-net.js';

/** Whether this way can be used: the addon has netlinkSend, and BERTH_NO_NETLINK=1 does not turn it off. */
export function vethNetlinkAvailable(): boolean {
  return native.netlinkAvailable() && process.env.BERTH_NO_NETLINK !== '1';
}

function readIndex(file: string): number {
  const n = Number(fs.readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${file}: not an interface index`);
  return n;
}

/**
 * Makes the pair (host end up on the bridge, the other end named and addressed by MAC inside the
 * namespace) in one request from berthd's namespace, then, from inside the namespace, brings the
 * loopback up when asked, adds the address, brings the interface up and adds the default route. The
 * container end's index is read from the host end's `iflink`, which for a veth is its peer's. A
 * failure after the pair exists removes it.
 */
export async function wireVethNetlink(p: NetnsVethPlan): Promise<void> {
  const fail = (what: string, e: unknown) => new SystemError(`cannot ${what} for ${p.ifName} (${p.hostIf}): ${(e as Error).message}`, { cause: e });
  let masterIndex: number;
  let nsFd: number;
  try {
    masterIndex = readIndex(`/sys/class/net/${p.bridge}/ifindex`);
    nsFd = fs.openSync(p.netns, 'r');
  } catch (e) {
    throw fail('make the veth pair', e);
  }
  try {
    await native.netlinkSend(null, vethCreate({ hostIf: p.hostIf, masterIndex, peerName: p.ifName, peerMac: p.mac, peerNetnsFd: nsFd }, 1));
  } catch (e) {
    throw fail('make the veth pair', e);
  } finally {
    fs.closeSync(nsFd);
  }
  try {
    const index = readIndex(`/sys/class/net/${p.hostIf}/iflink`);
    let seq = 2;
    const inside: Buffer[] = [];
    if (p.loopback) inside.push(linkUp(LOOPBACK_IFINDEX, seq++));
    inside.push(addressAdd(index, p.address, p.prefixLen, seq++), linkUp(index, seq++));
    if (p.gateway) inside.push(defaultRoute(p.gateway, index, seq++));
    await native.netlinkSend(p.netns, Buffer.concat(inside));
  } catch (e) {
    await deleteLinkNetlink(p.hostIf).catch(() => {});
    throw fail('configure the interface', e);
  }
}

/**
 * A bridge with its gateway address, up (`ip link add NAME type bridge; ip addr replace CIDR dev
 * NAME; ip link set NAME up`), made when missing and adopted when there: a restarted daemon finds its
 * own, with its containers' veths still attached.
 */
export async function ensureBridgeNetlink(name: string, address: string, prefixLen: number): Promise<void> {
  try {
    if (!fs.existsSync(`/sys/class/net/${name}`)) await native.netlinkSend(null, bridgeCreate(name, 1));
    const index = readIndex(`/sys/class/net/${name}/ifindex`);
    await native.netlinkSend(null, Buffer.concat([addressAdd(index, address, prefixLen, 2, { replace: true }), linkUp(index, 3)]));
  } catch (e) {
    throw new SystemError(`cannot set up the bridge ${name}: ${(e as Error).message}`, { cause: e });
  }
}

/** `ip link del dev NAME`; a link already gone counts as deleted (a veth goes with its peer's namespace). */
export async function deleteLinkNetlink(name: string): Promise<void> {
  try {
    await native.netlinkSend(null, linkDelete(name, 1));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENODEV' || !fs.existsSync(`/sys/class/net/${name}`)) return;
    throw new SystemError(`cannot delete ${name}: ${(e as Error).message}`, { cause: e });
  }
}
