import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortSpecs, toStandardNotation } from './port-spec.js';

test('published ports become ExposedPorts and PortBindings as docker sends them', () => {
  assert.deepEqual(parsePortSpecs(['8080:80']), { exposed: { '80/tcp': {} }, bindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } });
  assert.deepEqual(parsePortSpecs(['127.0.0.1:53:53/udp']).bindings, { '53/udp': [{ HostIp: '127.0.0.1', HostPort: '53' }] });
  assert.deepEqual(parsePortSpecs(['80']).bindings, { '80/tcp': [{ HostIp: '', HostPort: '' }] });
  assert.deepEqual(parsePortSpecs(['[::1]:8080:80']).bindings, { '80/tcp': [{ HostIp: '::1', HostPort: '8080' }] });
  assert.deepEqual(parsePortSpecs(['8000-8001:80-81']).bindings, {
    '80/tcp': [{ HostIp: '', HostPort: '8000' }],
    '81/tcp': [{ HostIp: '', HostPort: '8001' }],
  });
});

test('long syntax and expose', () => {
  assert.equal(toStandardNotation('published=8080,target=80,protocol=udp'), '8080:80/udp');
  assert.deepEqual(parsePortSpecs([], ['7000-7001/udp', '9']).exposed, { '7000/udp': {}, '7001/udp': {}, '9/tcp': {} });
});

test('bad specs are refused with docker wording', () => {
  assert.throws(() => parsePortSpecs(['80/xyz']), /invalid proto: xyz/);
  assert.throws(() => parsePortSpecs(['abc']), /invalid containerPort: abc/);
  assert.throws(() => parsePortSpecs(['1.2.3.999:80:80']), /invalid IP address/);
  assert.throws(() => parsePortSpecs(['8000-8002:80-81']), /invalid ranges specified/);
  assert.throws(() => parsePortSpecs([], ['1:2']), /invalid port format for --expose/);
});
