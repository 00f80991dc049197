import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectPorts, portRequests, summaryPorts } from './ports.js';

test('bindings expand into one request each, sorted; an empty host port asks for any free one', () => {
  const reqs = portRequests({ '443/tcp': [{ HostIp: '', HostPort: '8443' }], '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }, { HostPort: '8080' }], '53/udp': [{ HostPort: '5353' }] }, undefined, false);
  assert.deepEqual(reqs, [
    { proto: 'udp', containerPort: 53, hostIp: '0.0.0.0', hostPorts: { start: 5353, end: 5353 } },
    { proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPorts: null },
    { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPorts: { start: 8080, end: 8080 } },
    { proto: 'tcp', containerPort: 443, hostIp: '0.0.0.0', hostPorts: { start: 8443, end: 8443 } },
  ]);
});

test('-P publishes every exposed port without a binding; ranges of host ports are kept as ranges', () => {
  const reqs = portRequests({ '80/tcp': [{ HostPort: '9000-9010' }] }, { '80/tcp': {}, '6379/tcp': {} }, true);
  assert.deepEqual(reqs, [
    { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPorts: { start: 9000, end: 9010 } },
    { proto: 'tcp', containerPort: 6379, hostIp: '0.0.0.0', hostPorts: null },
  ]);
  assert.deepEqual(portRequests(undefined, { '80/tcp': {} }, false), []);
});

test('malformed bindings are refused with the port named; IPv6 host addresses are skipped', () => {
  assert.throws(() => portRequests({ '99999/tcp': [{ HostPort: '1' }] }, undefined, false), /invalid port specification: "99999\/tcp"/);
  assert.throws(() => portRequests({ '80/tcp': [{ HostPort: 'abc' }] }, undefined, false), /invalid port specification: "abc"/);
  assert.throws(() => portRequests({ '80/tcp': [{ HostPort: '90-80' }] }, undefined, false), /invalid port specification/);
  assert.throws(() => portRequests({ '80/tcp': [{ HostIp: '300.1.1.1', HostPort: '80' }] }, undefined, false), /invalid host IP address/);
  assert.throws(() => portRequests({ '80/sctp': [{ HostPort: '80' }] }, undefined, false), /unsupported protocol sctp/);
  assert.deepEqual(portRequests({ '80/tcp': [{ HostIp: '::1', HostPort: '80' }] }, undefined, false), []);
});

test('inspect and ps show published ports with their host side and exposed ones without', () => {
  const published = [{ proto: 'tcp' as const, containerPort: 80, hostIp: '127.0.0.1', hostPort: 10001 }];
  assert.deepEqual(inspectPorts({ '80/tcp': {}, '443/tcp': {} }, published), { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '10001' }], '443/tcp': null });
  assert.deepEqual(summaryPorts({ '80/tcp': {}, '443/tcp': {} }, published), [
    { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 10001, Type: 'tcp' },
    { PrivatePort: 443, Type: 'tcp' },
  ]);
});
