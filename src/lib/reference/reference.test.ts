import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarString, parseDockerRef, parseImageLookup, parseNormalizedNamed, refString, ReferenceError, withTag, familiarName } from './reference.js';

const D = 'sha256:' + 'ab'.repeat(32);

test('short names normalise to docker.io/library with :latest', () => {
  const r = parseDockerRef('busybox');
  assert.deepEqual(r, { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
  assert.equal(refString(r), 'docker.io/library/busybox:latest');
  assert.equal(familiarString(r), 'busybox:latest');
});

test('user repos, registries with ports, tags and digests', () => {
  assert.equal(refString(parseDockerRef('user/repo')), 'docker.io/user/repo:latest');
  assert.equal(familiarString(parseDockerRef('user/repo')), 'user/repo:latest');
  const l = parseDockerRef('localhost:5000/x/y:tag');
  assert.deepEqual(l, { domain: 'localhost:5000', path: 'x/y', tag: 'tag' });
  assert.equal(familiarString(l), 'localhost:5000/x/y:tag');
  assert.deepEqual(parseDockerRef('localhost/foo'), { domain: 'localhost', path: 'foo', tag: 'latest' });
  assert.deepEqual(parseDockerRef('example.com/a/b/c'), { domain: 'example.com', path: 'a/b/c', tag: 'latest' });
  const d = parseDockerRef(`x@${D}`);
  assert.deepEqual(d, { domain: 'docker.io', path: 'library/x', digest: D });
  assert.equal(familiarString(d), `x@${D}`);
  const td = parseDockerRef(`x:tag@${D}`);
  assert.equal(td.tag, 'tag');
  assert.equal(td.digest, D);
  assert.equal(refString(parseDockerRef('index.docker.io/library/busybox:1')), 'docker.io/library/busybox:1');
  assert.equal(refString(parseDockerRef('docker.io/busybox')), 'docker.io/library/busybox:latest');
  assert.equal(familiarName(parseDockerRef('docker.io/library/a/b')), 'library/a/b');
  assert.equal(refString(parseDockerRef('[::1]:5000/foo:bar')), '[::1]:5000/foo:bar');
  assert.equal(parseDockerRef('a_b__c-d---e.f').path, 'library/a_b__c-d---e.f');
});

test("Docker's error messages", () => {
  const msg = (s: string) => {
    try {
      parseDockerRef(s);
    } catch (e) {
      assert.ok(e instanceof ReferenceError);
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.equal(msg('Busybox'), 'invalid reference format: repository name (library/Busybox) must be lowercase');
  assert.equal(msg('user/Repo:tag'), 'invalid reference format: repository name (user/Repo) must be lowercase');
  assert.equal(msg('busybox:'), 'invalid reference format');
  assert.equal(msg(':tag'), 'invalid reference format');
  assert.equal(msg('a/'), 'invalid reference format');
  assert.equal(msg('a__-b'), 'invalid reference format');
  assert.equal(msg('-abc'), 'invalid reference format');
  assert.equal(msg('busybox:' + 'x'.repeat(129)), 'invalid reference format');
  assert.equal(msg(''), 'invalid reference format');
  assert.equal(msg('a'.repeat(64)), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`);
  assert.equal(msg('x@sha256:abcd'), 'invalid reference format');
  assert.equal(msg('x@sha256:' + 'a'.repeat(40)), 'invalid checksum digest length');
  assert.equal(msg('localhost:5000/' + 'a'.repeat(250)), 'invalid reference format: repository name must not be more than 255 characters');
  assert.equal(msg('busybox:latest'), 'no error');
});

test('parseNormalizedNamed adds no tag', () => {
  assert.deepEqual(parseNormalizedNamed('busybox'), { domain: 'docker.io', path: 'library/busybox' });
});

test('withTag validates the tag', () => {
  const r = withTag(parseDockerRef(`busybox@${D}`), 'v1.2');
  assert.deepEqual(r, { domain: 'docker.io', path: 'library/busybox', tag: 'v1.2' });
  assert.throws(() => withTag(r, 'bad tag'), /invalid tag format/);
  assert.throws(() => withTag(r, '.start'), /invalid tag format/);
});

test('lookups: full IDs, names and hex prefixes', () => {
  const hex = 'ab'.repeat(32);
  assert.deepEqual(parseImageLookup(hex), { kind: 'id', id: `sha256:${hex}` });
  assert.deepEqual(parseImageLookup(`sha256:${hex}`), { kind: 'id', id: `sha256:${hex}` });
  // A short hex string is a valid name too: Docker tries the name first, then the ID prefix.
  const short = parseImageLookup('abc123');
  assert.equal(short.kind, 'ref');
  assert.equal(short.kind === 'ref' && short.idPrefix, 'abc123');
  const sp = parseImageLookup('sha256:abc1');
  assert.equal(sp.kind === 'ref' && sp.idPrefix, 'abc1');
  const named = parseImageLookup('busybox');
  assert.equal(named.kind === 'ref' && named.idPrefix, undefined);
  assert.throws(() => parseImageLookup('Busybox'), /must be lowercase/);
});
