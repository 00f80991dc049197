// Host ports held for published ports, against the real kernel on 127.0.0.1: tcp and udp, any free
// port, ranges, a port already taken (by us, or by another program), and all-or-nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { reservePorts, rehold } from './port-reservations.js';

const ep = { name: 'c1', id: 'e'.repeat(64) };
const never = () => false;

function canBindTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('tcp and udp ports are held (nobody else can bind them) until closed; port 0 gets a free one', async () => {
  const held = await reservePorts(
    [
      { proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPorts: null },
      { proto: 'udp', containerPort: 53, hostIp: '127.0.0.1', hostPorts: null },
    ],
    ep,
    never,
  );
  assert.equal(held.length, 2);
  const [tcp, udp] = held.map((h) => h.port);
  assert.ok(tcp!.hostPort > 0 && udp!.hostPort > 0);
  assert.equal(await canBindTcp(tcp!.hostPort), false, 'the tcp port is held');
  const other = dgram.createSocket('udp4');
  await assert.rejects(new Promise((res, rej) => { other.once('error', rej); other.bind(udp!.hostPort, '127.0.0.1', () => res(null)); }), { code: 'EADDRINUSE' });
  other.close();
  for (const h of held) h.close();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await canBindTcp(tcp!.hostPort), true, 'closed: the port is free again');
});

test('a taken port fails with Docker\'s words, and the ports held before it are let go', async () => {
  const blocker = net.createServer();
  const taken = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as net.AddressInfo).port)));
  try {
    const free = await reservePorts([{ proto: 'tcp', containerPort: 1, hostIp: '127.0.0.1', hostPorts: null }], ep, never);
    const firstPort = free[0]!.port.hostPort;
    free[0]!.close();
    await new Promise((r) => setTimeout(r, 50));
    const reqs = [
      { proto: 'tcp' as const, containerPort: 81, hostIp: '127.0.0.1', hostPorts: { start: firstPort, end: firstPort } },
      { proto: 'tcp' as const, containerPort: 80, hostIp: '127.0.0.1', hostPorts: { start: taken, end: taken } },
    ];
    await assert.rejects(reservePorts(reqs, ep, never), new RegExp(`driver failed programming external connectivity on endpoint c1 \\(e+\\): failed to bind port 127\\.0\\.0\\.1:${taken}/tcp: .*address already in use`));
    await assert.rejects(reservePorts(reqs, ep, () => true), new RegExp(`Bind for 127\\.0\\.0\\.1:${taken} failed: port is already allocated`));
    assert.equal(await canBindTcp(firstPort), true, 'the first port was let go when the second failed');
  } finally {
    blocker.close();
  }
});

test('a range of host ports skips the taken ones and holds the next free one', async () => {
  // A taken port whose next neighbour is free (found by trying, so other programs cannot upset it).
  for (let attempt = 0; attempt < 20; attempt++) {
    const blocker = net.createServer();
    const taken = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as net.AddressInfo).port)));
    try {
      if (taken >= 65535 || !(await canBindTcp(taken + 1))) continue;
      const ranged = await reservePorts([{ proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPorts: { start: taken, end: taken + 1 } }], ep, never);
      assert.equal(ranged.length, 1);
      assert.equal(ranged[0]!.port.hostPort, taken + 1);
      ranged[0]!.close();
      return;
    } finally {
      blocker.close();
    }
  }
  assert.fail('no taken port with a free neighbour in 20 tries');
});

test('rehold takes back what it can and skips a port someone took meanwhile', async () => {
  const blocker = net.createServer();
  const taken = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as net.AddressInfo).port)));
  try {
    const got = await rehold([{ proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPort: taken }]);
    assert.deepEqual(got, []);
  } finally {
    blocker.close();
  }
});
