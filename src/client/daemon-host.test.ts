import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseHost, parseHost, DEFAULT_HOST } from './daemon-host.js';

test('flag beats BERTH_HOST beats DOCKER_HOST beats the default', () => {
  assert.equal(chooseHost('unix:///a', { BERTH_HOST: 'unix:///b', DOCKER_HOST: 'unix:///c' }), 'unix:///a');
  assert.equal(chooseHost(undefined, { BERTH_HOST: 'unix:///b', DOCKER_HOST: 'unix:///c' }), 'unix:///b');
  assert.equal(chooseHost(undefined, { DOCKER_HOST: 'unix:///c' }), 'unix:///c');
  assert.equal(chooseHost(undefined, {}), DEFAULT_HOST);
});

test('unix and tcp hosts parse into dial targets', () => {
  assert.deepEqual(parseHost('unix:///tmp/x.sock'), { kind: 'unix', socketPath: '/tmp/x.sock', url: 'unix:///tmp/x.sock' });
  assert.deepEqual(parseHost('tcp://127.0.0.1:2376'), { kind: 'tcp', host: '127.0.0.1', port: 2376, url: 'tcp://127.0.0.1:2376' });
  assert.deepEqual(parseHost('tcp://[::1]:9'), { kind: 'tcp', host: '::1', port: 9, url: 'tcp://[::1]:9' });
  assert.equal((parseHost('tcp://localhost') as { port: number }).port, 2375);
});

test('unknown schemes and bad ports are refused', () => {
  assert.throws(() => parseHost('ssh://x'), /unable to parse docker host/);
  assert.throws(() => parseHost('tcp://h:99999'), /unable to parse/);
  assert.throws(() => parseHost('unix://'), /unable to parse/);
});
