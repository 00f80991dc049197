import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRules } from './rules.js';

const chains = { filter: 'BERTHF-t', dnat: 'BERTH-t', post: 'BERTHP-t' };

test('each bridge takes in only answers, published traffic and its own members; internal ones have no way out', () => {
  const r = computeRules(chains, [{ bridge: 'b0', subnet: '10.1.0.0/24', internal: false }, { bridge: 'b1', subnet: '10.2.0.0/24', internal: true }], []);
  const f = r.filter['BERTHF-t']!.map((x) => x.join(' '));
  assert.deepEqual(f, [
    '-i b1 ! -o b1 -j DROP',
    '-o b1 ! -i b1 -j DROP',
    '-o b0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-o b0 -m conntrack --ctstate DNAT -j ACCEPT',
    '-i b0 -o b0 -j ACCEPT',
    '-o b0 -j DROP',
    '-o b1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-i b1 -o b1 -j ACCEPT',
    '-o b1 -j DROP',
    '-i b0 -j ACCEPT',
  ]);
  const post = r.nat['BERTHP-t']!.map((x) => x.join(' '));
  assert.ok(post.includes('-s 10.1.0.0/24 ! -o b0 -j MASQUERADE'));
  assert.ok(!post.some((l) => l.startsWith('-s 10.2.0.0/24')), 'an internal network is not masqueraded out');
  assert.ok(post.includes('-o b1 -m addrtype --src-type LOCAL -j MASQUERADE'));
  assert.deepEqual(r.nat['BERTH-t'], []);
});

test('a published port is a DNAT (restricted to its host address when one is given) and a hairpin masquerade', () => {
  const r = computeRules(chains, [], [
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 },
    { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerIp: '10.1.0.3', containerPort: 53 },
  ]);
  assert.deepEqual(r.nat['BERTH-t']!.map((x) => x.join(' ')), [
    '-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80',
    '-p udp -d 127.0.0.1/32 -m udp --dport 5353 -j DNAT --to-destination 10.1.0.3:53',
  ]);
  assert.deepEqual(r.nat['BERTHP-t']!.map((x) => x.join(' ')), [
    '-s 10.1.0.2/32 -d 10.1.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE',
    '-s 10.1.0.3/32 -d 10.1.0.3/32 -p udp -m udp --dport 53 -j MASQUERADE',
  ]);
});
