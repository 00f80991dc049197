import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool, cidrsOverlap, ipToNumber, macForIp, normalizeMac, numberToIp, parseCidr, pickFreeSubnet } from './ipam.js';

test('addresses and CIDRs parse, print and compare; malformed ones are null', () => {
  assert.equal(numberToIp(ipToNumber('10.213.4.1')!), '10.213.4.1');
  for (const bad of ['10.1.1', '10.1.1.256', 'a.b.c.d', '10.1.1.1.1', '']) assert.equal(ipToNumber(bad), null, bad);
  const c = parseCidr('172.30.5.1/16')!;
  assert.equal(numberToIp(c.base), '172.30.0.0');
  assert.equal(c.prefix, 16);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0/8', '10.0.0.0/x']) assert.equal(parseCidr(bad), null, bad);
  assert.equal(cidrsOverlap(parseCidr('10.0.0.0/8')!, parseCidr('10.5.0.0/16')!), true);
  assert.equal(cidrsOverlap(parseCidr('10.5.0.0/16')!, parseCidr('10.0.0.0/8')!), true);
  assert.equal(cidrsOverlap(parseCidr('10.5.0.0/16')!, parseCidr('10.6.0.0/16')!), false);
});

test('the MAC is derived from the address as Docker derives it (02:42 and the four bytes)', () => {
  assert.equal(macForIp('172.17.0.2'), '02:42:ac:11:00:02');
  assert.equal(macForIp('10.213.4.255'), '02:42:0a:d5:04:ff');
});

test('a pool never hands out the network, broadcast or gateway address, nor one address twice', () => {
  const p = new Pool({ subnet: '10.9.0.0/29' }); // 8 addresses: .0 network, .1 gateway, .7 broadcast
  assert.equal(p.gatewayIp, '10.9.0.1');
  const got = Array.from({ length: 5 }, () => p.allocate());
  assert.deepEqual(got, ['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6']);
  assert.throws(() => p.allocate(), /no available IPv4 addresses/);
  p.release('10.9.0.4');
  assert.equal(p.allocate(), '10.9.0.4');
});

test('a released address is not handed out again at once: allocation goes round the range', () => {
  const p = new Pool({ subnet: '10.9.1.0/24' });
  const a = p.allocate();
  const b = p.allocate();
  p.release(a);
  const c = p.allocate();
  assert.notEqual(c, a);
  assert.equal(c, '10.9.1.4');
  assert.equal(p.inUse(b), true);
  assert.equal(p.allocatedCount, 2);
});

test('claim takes a given address (--ip, or one found in use after a restart) and refuses bad ones', () => {
  const p = new Pool({ subnet: '10.9.2.0/24', gateway: '10.9.2.254' });
  assert.equal(p.gatewayIp, '10.9.2.254');
  p.claim('10.9.2.1');
  assert.throws(() => p.claim('10.9.2.1'), /Address already in use/);
  assert.throws(() => p.claim('10.9.3.1'), /Invalid address 10\.9\.3\.1: It does not belong to any of this network's subnets/);
  assert.equal(p.containsIp('10.9.2.77'), true);
  assert.equal(p.containsIp('10.9.3.1'), false);
  assert.throws(() => p.claim('10.9.2.254'), /reserved/);
  assert.throws(() => p.claim('10.9.2.0'), /reserved/);
  assert.throws(() => p.claim('nope'), /invalid IPv4 address/);
  // The pool goes on round the claimed address.
  assert.equal(p.allocate(), '10.9.2.2');
});

test('--ip-range narrows where addresses come from; gateway and range must lie in the subnet', () => {
  const p = new Pool({ subnet: '10.9.4.0/24', ipRange: '10.9.4.128/25' });
  // As Docker: the range's first address is usable (it is not the subnet's network address).
  assert.equal(p.allocate(), '10.9.4.128');
  assert.equal(p.allocate(), '10.9.4.129');
  assert.throws(() => new Pool({ subnet: '10.9.4.0/24', gateway: '10.9.5.1' }), /no matching subnet for gateway/);
  assert.throws(() => new Pool({ subnet: '10.9.4.0/24', ipRange: '10.9.5.0/25' }), /no matching subnet for range/);
  assert.throws(() => new Pool({ subnet: '10.9.4.0/24', ipRange: '10.9.0.0/16' }), /no matching subnet for range/);
  assert.throws(() => new Pool({ subnet: '10.9.4.0/31' }), /too small/);
  assert.throws(() => new Pool({ subnet: 'bogus' }), /invalid CIDR/);
});

test('a free subnet overlaps none of those taken', () => {
  assert.equal(pickFreeSubnet([]), '10.214.0.0/24');
  assert.equal(pickFreeSubnet([parseCidr('10.214.0.0/23')!]), '10.214.2.0/24');
  assert.equal(pickFreeSubnet([parseCidr('10.214.0.0/16')!, parseCidr('10.0.0.0/32')!]), '10.215.0.0/24');
  assert.throws(() => pickFreeSubnet([parseCidr('10.0.0.0/8')!]), /non-overlapping/);
  assert.equal(pickFreeSubnet([], 300), '10.215.44.0/24');
  assert.equal(pickFreeSubnet([parseCidr('10.215.44.0/24')!], 300), '10.215.45.0/24');
});

test('a requested MAC address is kept as Docker shows it: lowercase pairs joined by colons; anything else is refused', () => {
  assert.equal(normalizeMac('02:42:AC:11:00:99'), '02:42:ac:11:00:99');
  assert.equal(normalizeMac('02-42-ac-11-00-99'), '02:42:ac:11:00:99');
  assert.equal(normalizeMac('02:42:ac:11:00'), null);
  assert.equal(normalizeMac('02:42:ac:11:00:zz'), null);
  assert.equal(normalizeMac('02:42-ac:11:00:99'), null);
  assert.equal(normalizeMac('0242.ac11.0099'), null);
  assert.equal(normalizeMac(''), null);
});
