// The registry client's pure pieces: WWW-Authenticate parsing, platform choice from a manifest list,
// endpoint choice (mirrors, loopback, --insecure-registry), X-Registry-Auth and config.json encodings,
// and the progress bar text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from './challenge.js';
import { choosePlatform, parsePlatform, platformMatches, PlatformError, formatPlatform } from './platform.js';
import { endpointsFor, isInsecure, isLoopbackHost, normaliseMirror, DOCKER_HUB_URL } from './endpoints.js';
import { authForRegistry, authKeyFor, decodeRegistryAuth, decodeRegistryConfig, encodeRegistryAuth, registryHostOf, withUserFromAuth, DOCKER_HUB_AUTH_KEY } from './auth-config.js';
import { humanSizeDecimal, progressBar } from './progress-bar.js';
import { bearerChallenge, basicChallenge } from './scope.js';

test('challenges: Bearer with quoted params (commas inside quotes), Basic, several in one header', () => {
  const [b] = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"');
  assert.deepEqual(b, { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } });
  assert.deepEqual(parseChallenges('Basic realm="x"'), [{ scheme: 'basic', params: { realm: 'x' } }]);
  const two = parseChallenges('Basic realm="a", Bearer realm="b",service=s');
  assert.deepEqual(two.map((c) => c.scheme), ['basic', 'bearer']);
  assert.equal(two[1]!.params['service'], 's');
  assert.deepEqual(parseChallenges(['Basic realm="q\\"uote"']), [{ scheme: 'basic', params: { realm: 'q"uote' } }]);
  assert.deepEqual(parseChallenges(undefined), []);
  assert.deepEqual(parseChallenges(''), []);
  // What berth-registry writes parses back to what it meant.
  const round = parseChallenges(bearerChallenge('http://127.0.0.1:5000/token', '127.0.0.1:5000', { type: 'repository', name: 'x/y', actions: ['pull'] }, 'insufficient_scope'));
  assert.deepEqual(round[0]!.params, { realm: 'http://127.0.0.1:5000/token', service: '127.0.0.1:5000', scope: 'repository:x/y:pull', error: 'insufficient_scope' });
  assert.equal(parseChallenges(basicChallenge('berth'))[0]!.params['realm'], 'berth');
});

test('platforms: --platform parsing, aliases, and the manifest list entry for a host', () => {
  const host = { os: 'linux', architecture: 'amd64' };
  assert.deepEqual(parsePlatform('linux/amd64', host), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/x86_64', host), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/aarch64', host), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm/v6', host), { os: 'linux', architecture: 'arm', variant: 'v6' });
  assert.deepEqual(parsePlatform('linux/arm', host), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux', host), host);
  assert.throws(() => parsePlatform('plan9/amd64', host), PlatformError);
  assert.throws(() => parsePlatform('linux/amd64/v1/x', host), PlatformError);
  assert.throws(() => parsePlatform('', host), PlatformError);
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7');
  const list = [
    { digest: 'arm6', platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { digest: 'arm7', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { digest: 'att', platform: { os: 'unknown', architecture: 'unknown' } },
    { digest: 'amd', platform: { os: 'linux', architecture: 'amd64' } },
    { digest: 'arm64', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ];
  assert.equal(choosePlatform(list, host)?.digest, 'amd');
  assert.equal(choosePlatform(list, { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest, 'arm7');
  assert.equal(choosePlatform(list, { os: 'linux', architecture: 'arm64' })?.digest, 'arm64');
  assert.equal(choosePlatform(list, { os: 'linux', architecture: 's390x' }), undefined);
  assert.equal(choosePlatform<{ digest: string; platform?: undefined }>([{ digest: 'x' }], host), undefined, 'an entry without platform matches nothing');
  assert.equal(platformMatches({ os: 'linux', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64' }), false);
});

test('endpoints: Docker Hub through mirrors first, loopback in plain HTTP, --insecure-registry by host or CIDR', () => {
  assert.ok(isLoopbackHost('127.0.0.1:5000') && isLoopbackHost('127.9.9.9') && isLoopbackHost('localhost:1') && isLoopbackHost('[::1]:5000'));
  assert.ok(!isLoopbackHost('128.0.0.1:5000') && !isLoopbackHost('registry.example'));
  assert.deepEqual(endpointsFor('127.0.0.1:5000', { mirrors: [], insecure: [] }), [{ url: 'http://127.0.0.1:5000', tlsVerify: false, mirror: false }]);
  assert.deepEqual(endpointsFor('registry.example', { mirrors: [], insecure: [] }), [{ url: 'https://registry.example', tlsVerify: true, mirror: false }]);
  assert.deepEqual(
    endpointsFor('10.1.2.3:5000', { mirrors: [], insecure: ['10.0.0.0/8'] }).map((e) => [e.url, e.tlsVerify]),
    [['https://10.1.2.3:5000', false], ['http://10.1.2.3:5000', false]],
  );
  assert.ok(isInsecure('reg.lan:5000', ['reg.lan:5000']) && isInsecure('reg.lan:5000', ['reg.lan']) && !isInsecure('reg.lan:5000', ['other.lan']));
  assert.ok(!isInsecure('11.0.0.1', ['10.0.0.0/8']));
  const hub = endpointsFor('docker.io', { mirrors: ['http://127.0.0.1:5001/', 'https://mirror.example'], insecure: [] });
  assert.deepEqual(hub, [
    { url: 'http://127.0.0.1:5001', tlsVerify: false, mirror: true },
    { url: 'https://mirror.example', tlsVerify: true, mirror: true },
    { url: DOCKER_HUB_URL, tlsVerify: true, mirror: false },
  ]);
  assert.equal(endpointsFor('docker.io', { mirrors: [], insecure: [], hub: 'http://127.0.0.1:9' })[0]!.url, 'http://127.0.0.1:9');
  assert.throws(() => normaliseMirror('ftp://x'), /invalid mirror/);
  assert.throws(() => normaliseMirror('http://x/path'), /invalid mirror/);
});

test('auth: X-Registry-Auth round trip (padded URL-safe base64 as Go writes it), config.json keys', () => {
  const a = { username: 'alice', password: 'p?>>/+', serveraddress: '127.0.0.1:5000' };
  const enc = encodeRegistryAuth(a);
  assert.match(enc, /^[A-Za-z0-9_=-]+$/);
  assert.equal(enc.length % 4, 0, 'padded');
  assert.deepEqual(decodeRegistryAuth(enc), a);
  assert.deepEqual(decodeRegistryAuth(Buffer.from(JSON.stringify(a)).toString('base64')), a, 'standard alphabet too');
  assert.deepEqual(decodeRegistryAuth(undefined), {});
  assert.deepEqual(decodeRegistryAuth('%%%not base64'), {});
  assert.deepEqual(decodeRegistryAuth(encodeRegistryAuth({})), {});
  assert.deepEqual(withUserFromAuth({ auth: Buffer.from('bob:x:y').toString('base64') }), { auth: Buffer.from('bob:x:y').toString('base64'), username: 'bob', password: 'x:y' });
  assert.equal(registryHostOf(''), 'docker.io');
  assert.equal(registryHostOf(DOCKER_HUB_AUTH_KEY), 'docker.io');
  assert.equal(registryHostOf('https://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
  assert.equal(registryHostOf('127.0.0.1:5000'), '127.0.0.1:5000');
  assert.equal(authKeyFor('docker.io'), DOCKER_HUB_AUTH_KEY);
  assert.equal(authKeyFor('localhost:5000'), 'localhost:5000');
});

test('progress bar: Docker\'s decimal sizes and 50-column bar', () => {
  assert.equal(humanSizeDecimal(0), '0B');
  assert.equal(humanSizeDecimal(999), '999B');
  assert.equal(humanSizeDecimal(1234567), '1.23MB');
  assert.equal(humanSizeDecimal(1000), '1kB');
  assert.equal(progressBar(50, 100), `[${'='.repeat(25)}>${' '.repeat(24)}]      50B/100B`);
  assert.equal(progressBar(100, 100), `[${'='.repeat(50)}]     100B/100B`);
  assert.equal(progressBar(1500, 0), '   1.5kB');
});

test('X-Registry-Config: a map of registries to credentials, picked by host; junk means none', () => {
  const map = {
    'https://index.docker.io/v1/': { username: 'hubuser', password: 'hubpw' },
    '127.0.0.1:5000': { auth: Buffer.from('alice:s3cret').toString('base64') },
    'http://reg.example:8443/': { Username: 'bob', Password: 'pw' },
    'bad-entry': 'not an object',
  };
  const decoded = decodeRegistryConfig(Buffer.from(JSON.stringify(map)).toString('base64'));
  assert.deepEqual(Object.keys(decoded).sort(), ['127.0.0.1:5000', 'http://reg.example:8443/', 'https://index.docker.io/v1/']);
  assert.deepEqual(authForRegistry(decoded, 'docker.io'), { username: 'hubuser', password: 'hubpw' });
  assert.equal(authForRegistry(decoded, '127.0.0.1:5000').password, 's3cret', 'user and password from auth');
  assert.equal(authForRegistry(decoded, '127.0.0.1:5000').username, 'alice');
  assert.deepEqual(authForRegistry(decoded, 'reg.example:8443'), { username: 'bob', password: 'pw' }, "Go's capitalised keys too");
  assert.deepEqual(authForRegistry(decoded, 'other.example'), {});
  assert.deepEqual(decodeRegistryConfig(undefined), {});
  assert.deepEqual(decodeRegistryConfig('%%%not base64 json'), {});
  assert.deepEqual(decodeRegistryConfig(Buffer.from('[1,2]').toString('base64')), {});
});
