import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfig, mergeEnv, processEnv, validateContainerName } from './create-config.js';

test('env merges by key, request first', () => {
  assert.deepEqual(mergeEnv(['A=1', 'PATH=/x'], ['PATH=/usr/bin', 'B=2']), ['A=1', 'PATH=/x', 'B=2']);
  assert.deepEqual(mergeEnv([], ['B=2']), ['B=2']);
  assert.deepEqual(mergeEnv(null, null), []);
});

test('image Cmd used when request has none; request Cmd replaces it', () => {
  const img = { Cmd: ['sh'], Entrypoint: null, Env: ['PATH=/bin'] };
  assert.deepEqual(mergeConfig({ Image: 'busybox' }, img).config.Cmd, ['sh']);
  const m = mergeConfig({ Image: 'busybox', Cmd: ['echo', 'hi'] }, img);
  assert.equal(m.path, 'echo');
  assert.deepEqual(m.args, ['hi']);
});

test('an Entrypoint in the request resets the image Cmd', () => {
  const img = { Cmd: ['--help'], Entrypoint: ['/app'] };
  const m = mergeConfig({ Entrypoint: ['/bin/ls'] }, img);
  assert.equal(m.config.Cmd, undefined);
  assert.equal(m.path, '/bin/ls');
  assert.deepEqual(m.args, []);
  const m2 = mergeConfig({ Cmd: ['x'] }, img);
  assert.equal(m2.path, '/app');
  assert.deepEqual(m2.args, ['x']);
});

test('--entrypoint "" clears the image entrypoint and needs a Cmd', () => {
  const img = { Cmd: ['--help'], Entrypoint: ['/app'] };
  assert.throws(() => mergeConfig({ Entrypoint: [''] }, img), /No command specified/);
  const m = mergeConfig({ Entrypoint: [''], Cmd: ['sh'] }, img);
  assert.equal(m.config.Entrypoint, null);
  assert.equal(m.path, 'sh');
});

test('User, WorkingDir and StopSignal fall back to the image', () => {
  const img = { Cmd: ['sh'], User: 'nobody', WorkingDir: '/srv', StopSignal: 'SIGQUIT' };
  const m = mergeConfig({}, img).config;
  assert.equal(m.User, 'nobody');
  assert.equal(m.WorkingDir, '/srv');
  assert.equal(m.StopSignal, 'SIGQUIT');
  const m2 = mergeConfig({ User: '1000', WorkingDir: '/a/../b/' }, img).config;
  assert.equal(m2.User, '1000');
  assert.equal(m2.WorkingDir, '/b');
  assert.throws(() => mergeConfig({ WorkingDir: 'rel' }, img), /needs to be an absolute path/);
});

test('labels and volumes merge, request wins', () => {
  const m = mergeConfig({ Labels: { a: '2' }, Volumes: { '/v2': {} } }, { Cmd: ['sh'], Labels: { a: '1', b: '1' }, Volumes: { '/v1': {} } }).config;
  assert.deepEqual(m.Labels, { a: '2', b: '1' });
  assert.deepEqual(Object.keys(m.Volumes!).sort(), ['/v1', '/v2']);
});

test('container names', () => {
  assert.equal(validateContainerName('/web_1'), 'web_1');
  assert.equal(validateContainerName('a.b-c'), 'a.b-c');
  assert.throws(() => validateContainerName('x'), /Invalid container name \(x\)/);
  assert.throws(() => validateContainerName('-bad'), /only \[a-zA-Z0-9\]/);
  assert.throws(() => validateContainerName('a/b'), /Invalid container name/);
});

test('process env: PATH default, HOSTNAME, TERM with tty, user values win in place', () => {
  assert.deepEqual(processEnv(['A=1'], 'abc', false), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=abc', 'A=1']);
  assert.deepEqual(processEnv(['PATH=/x', 'TERM=dumb'], 'h', true), ['PATH=/x', 'HOSTNAME=h', 'TERM=dumb']);
});
