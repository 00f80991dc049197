// docker's config.json as berth login/logout keep it: other keys survive, $DOCKER_CONFIG is honoured,
// Docker Hub is stored under its legacy key, and the X-Registry-Auth value carries what was stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configPath, credentialsFor, readConfig, registryAuthHeader, removeCredentials, storeCredentials } from './docker-config.js';
import { decodeRegistryAuth, DOCKER_HUB_AUTH_KEY } from '../lib/distribution/auth-config.js';

test('login keeps other keys and stores base64 user:password; logout removes only that registry', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-docker-config-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = { DOCKER_CONFIG: dir, HOME: '/nonexistent' };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ psFormat: 'table {{.ID}}', auths: { 'other:5000': { auth: Buffer.from('o:p').toString('base64') } } }));
  assert.equal(configPath(env), path.join(dir, 'config.json'));
  storeCredentials(env, '127.0.0.1:5000', 'alice', 'pa:ss');
  storeCredentials(env, 'docker.io', 'bob', 'hub');
  const cfg = readConfig(env);
  assert.equal(cfg['psFormat'], 'table {{.ID}}');
  assert.equal(Buffer.from(cfg.auths!['127.0.0.1:5000']!.auth!, 'base64').toString(), 'alice:pa:ss');
  assert.ok(cfg.auths![DOCKER_HUB_AUTH_KEY]);
  assert.equal((fs.statSync(path.join(dir, 'config.json')).mode & 0o777).toString(8), '600');
  assert.deepEqual(
    { u: credentialsFor(env, '127.0.0.1:5000')?.username, p: credentialsFor(env, '127.0.0.1:5000')?.password },
    { u: 'alice', p: 'pa:ss' },
  );
  assert.deepEqual(decodeRegistryAuth(registryAuthHeader(env, '127.0.0.1:5000')), { username: 'alice', password: 'pa:ss', serveraddress: '127.0.0.1:5000' });
  assert.equal(registryAuthHeader(env, 'nowhere:1'), '');
  assert.equal(removeCredentials(env, '127.0.0.1:5000'), true);
  assert.equal(removeCredentials(env, '127.0.0.1:5000'), false);
  assert.deepEqual(Object.keys(readConfig(env).auths!).sort(), [DOCKER_HUB_AUTH_KEY, 'other:5000'].sort());
});

test('a missing config is empty; a broken one is an error that names the file', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-docker-config-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = { DOCKER_CONFIG: path.join(dir, 'sub') };
  assert.deepEqual(readConfig(env), {});
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'config.json'), '{not json');
  assert.throws(() => readConfig(env), /loading config file .*config\.json/);
});
