// A veth pair wired by rtnetlink from berthd's process (veth-netlink.ts), against the real kernel (root,
// as berthd runs): a bridge and a namespace of the test's own, looked at with iproute2, then removed.
// Skipped, saying why, without the native addon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createNetnsFile, netnsFilesAvailable, removeNetnsFile } from './netns-file.js';
import { ensureBridgeNetlink, vethNetlinkAvailable, wireVethNetlink } from './veth-netlink.js';

const skip = netnsFilesAvailable() && vethNetlinkAvailable() ? false : 'native addon without netnsCreate/netlinkSend (run npm run setup)';

// Names unique to this process, so the test can run beside berthd's own tests and a real dockerd.
const tag = (process.pid % 100000).toString(36);
const bridge = `bnl${tag}`;
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const inside = (file: string, ...args: string[]) => execFileSync('nsenter', [`--net=${file}`, 'ip', ...args], { encoding: 'utf8' });

/** The test's bridge (made by ensureBridgeNetlink, as berthd makes its own) and a fresh namespace file; both go after the test. */
async function bridgeAndNamespace(t: { after(fn: () => Promise<void> | void): void }, gateway: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-veth-'));
  const file = path.join(dir, 'ns');
  t.after(async () => {
    await removeNetnsFile(file).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  });
  await ensureBridgeNetlink(bridge, gateway, 24);
  createNetnsFile(file);
  return file;
}

test('a veth into a namespace: host end up on the bridge, eth0 with MAC, address, broadcast and default route, lo up', { skip }, async (t) => {
  const file = await bridgeAndNamespace(t, '10.251.3.1');
  // The bridge as berthd makes it: up, with the gateway address and its broadcast.
  assert.match(ip('-o', 'link', 'show', bridge), /<[^>]*\bUP\b[^>]*>/);
  assert.match(ip('-o', '-4', 'addr', 'show', bridge), /inet 10\.251\.3\.1\/24 brd 10\.251\.3\.255 scope global/);
  // Made again (a daemon restart): adopted as it is, no error.
  await ensureBridgeNetlink(bridge, '10.251.3.1', 24);
  const hostIf = `vnl${tag}a`;
  await wireVethNetlink({ netns: file, bridge, hostIf, ifName: 'eth0', address: '10.251.3.7', prefixLen: 24, mac: '02:42:0a:fb:03:07', gateway: '10.251.3.1', loopback: true });

  const host = ip('-o', '-d', 'link', 'show', hostIf);
  assert.match(host, new RegExp(`master ${bridge}`));
  assert.match(host, /<[^>]*\bUP\b[^>]*>/);
  assert.match(host, /veth/);
  assert.match(inside(file, '-o', 'link', 'show', 'lo'), /<LOOPBACK,UP/);
  const eth = inside(file, '-o', 'link', 'show', 'eth0');
  assert.match(eth, /link\/ether 02:42:0a:fb:03:07/);
  assert.match(eth, /<[^>]*\bUP\b[^>]*>/);
  assert.match(inside(file, '-o', '-4', 'addr', 'show', 'eth0'), /inet 10\.251\.3\.7\/24 brd 10\.251\.3\.255 scope global eth0/);
  assert.match(inside(file, 'route', 'show', 'default'), /^default via 10\.251\.3\.1 dev eth0/);
  // The pair is one link: the host end's peer index is eth0's inside.
  const peerIndex = fs.readFileSync(`/sys/class/net/${hostIf}/iflink`, 'utf8').trim();
  assert.match(eth, new RegExp(`^${peerIndex}: eth0@`));
  // And it carries traffic: from the namespace, a TCP connection to a listener on the bridge's address
  // (the kernel completes the handshake; nothing needs to accept it).
  const server = net.createServer((c) => c.destroy());
  await new Promise<void>((resolve) => server.listen(0, '10.251.3.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  execFileSync('nsenter', [`--net=${file}`, 'bash', '-c', `exec 3<>/dev/tcp/10.251.3.1/${port}`], { stdio: 'ignore', timeout: 5000 });

  // A second pair under a taken host name is refused with the kernel's errno, and nothing is left.
  await assert.rejects(
    wireVethNetlink({ netns: file, bridge, hostIf, ifName: 'eth1', address: '10.251.3.8', prefixLen: 24, mac: '02:42:0a:fb:03:08' }),
    (e: Error) => /cannot make the veth pair for eth1/.test(e.message) && /EEXIST/.test(e.message),
  );
  assert.doesNotMatch(inside(file, '-o', 'link'), /eth1/);
});

test('a failure after the pair exists (a gateway no interface reaches) removes the pair', { skip }, async (t) => {
  const file = await bridgeAndNamespace(t, '10.251.4.1');
  await wireVethNetlink({ netns: file, bridge, hostIf: `vnl${tag}b`, ifName: 'eth0', address: '10.251.4.2', prefixLen: 24, mac: '02:42:0a:fb:04:02' });
  // A default route through a gateway outside every subnet of the namespace: the kernel refuses it.
  const hostIf = `vnl${tag}c`;
  await assert.rejects(
    wireVethNetlink({ netns: file, bridge, hostIf, ifName: 'eth1', address: '10.251.5.2', prefixLen: 24, mac: '02:42:0a:fb:05:02', gateway: '10.99.0.1' }),
    (e: Error) => /cannot configure the interface for eth1/.test(e.message) && /ENETUNREACH/.test(e.message),
  );
  assert.equal(fs.existsSync(`/sys/class/net/${hostIf}`), false, 'the host end is gone');
  assert.doesNotMatch(inside(file, '-o', 'link'), /eth1/, 'and with it the end inside');
});
