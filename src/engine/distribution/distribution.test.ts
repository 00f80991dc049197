// Unit tests for the registry client's small pieces that need no registry: dockerd's wording of
// registry errors, the transfer semaphore, and the digest-checking and tee streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { codeText, parseErrorBody, pullError, RegistryHttpError } from './registry-errors.js';
import { Semaphore, ProgressReporter, type ProgressMessage } from './progress.js';
import { compressionOf, decompressor, DigestVerifier, tee } from './layer-streams.js';
import { NotFoundError, InvalidParameterError } from '../../errors.js';

test('registry errors are worded as dockerd words them', () => {
  assert.equal(codeText('MANIFEST_UNKNOWN'), 'manifest unknown');
  assert.deepEqual(parseErrorBody('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}'), { code: 'NAME_UNKNOWN', message: 'repository name not known to registry' });
  assert.equal(parseErrorBody('<html>'), undefined);
  const m = pullError(new RegistryHttpError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', 'u', 'GET'), 'busybox', 'busybox:nosuch');
  assert.ok(m instanceof NotFoundError);
  assert.equal((m as Error).message, 'manifest for busybox:nosuch not found: manifest unknown: manifest unknown');
  const n = pullError(new RegistryHttpError(404, 'NAME_UNKNOWN', 'repository name not known to registry', 'u', 'GET'), 'x/y', 'x/y:latest');
  assert.equal((n as Error).message, 'repository x/y not found: name unknown: repository name not known to registry');
  const d = pullError(new RegistryHttpError(403, 'DENIED', 'requested access to the resource is denied', 'u', 'GET'), 'x', 'x:latest');
  assert.match((d as Error).message, /^pull access denied for x, repository does not exist or may require 'docker login': denied: /);
  assert.ok(pullError(new RegistryHttpError(400, 'NAME_INVALID', 'invalid repository name', 'u', 'GET'), 'x', 'x') instanceof InvalidParameterError);
});

test('semaphore: at most n at once, waiters told, every job runs', async () => {
  const s = new Semaphore(2);
  let active = 0;
  let peak = 0;
  let waited = 0;
  const job = async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setImmediate(r));
    active--;
  };
  await Promise.all(Array.from({ length: 7 }, () => s.run(job, () => waited++)));
  assert.equal(peak, 2);
  assert.equal(waited, 5);
  assert.equal(active, 0);
  assert.ok(s.free);
});

test('progress: status lines carry an empty progressDetail; byte progress always reports its end', () => {
  const seen: ProgressMessage[] = [];
  const p = new ProgressReporter((m) => seen.push(m));
  p.message('Pulling fs layer', 'abc');
  p.message('Digest: sha256:x');
  p.bytes('Downloading', 'abc', 1, 10);
  p.bytes('Downloading', 'abc', 2, 10); // within 100 ms: dropped
  p.bytes('Downloading', 'abc', 10, 10);
  assert.deepEqual(seen[0], { status: 'Pulling fs layer', progressDetail: {}, id: 'abc' });
  assert.deepEqual(seen[1], { status: 'Digest: sha256:x' });
  assert.deepEqual(seen.slice(2).map((m) => m.progressDetail?.current), [1, 10]);
});

test('digest verifier fails before the end reaches the consumer; tee feeds both sides', async () => {
  const data = crypto.randomBytes(300_000);
  const gz = zlib.gzipSync(data);
  const good = `sha256:${crypto.createHash('sha256').update(gz).digest('hex')}`;
  const collect = async (s: Readable) => {
    const parts: Buffer[] = [];
    for await (const c of s) parts.push(c as Buffer);
    return Buffer.concat(parts);
  };
  const { sink, a, b } = tee();
  const [, outA, outB] = await Promise.all([pipeline(Readable.from([gz.subarray(0, 1000), gz.subarray(1000)]), new DigestVerifier(good, gz.length), decompressor('gzip'), sink), collect(a), collect(b)]);
  assert.ok(outA.equals(data) && outB.equals(data));

  let ended = false;
  const bad = `sha256:${'0'.repeat(64)}`;
  const sinkBad = new Writable({
    write(_c, _e, cb) {
      cb();
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  await assert.rejects(pipeline(Readable.from([gz]), new DigestVerifier(bad, gz.length), decompressor('gzip'), sinkBad), /verification failed/);
  assert.equal(ended, false, 'the consumer never saw the end of a blob with the wrong digest');
  await assert.rejects(pipeline(Readable.from([gz]), new DigestVerifier(good, gz.length + 1), sinkBad), /verification failed/);
  assert.equal(compressionOf('application/vnd.docker.image.rootfs.diff.tar.gzip'), 'gzip');
  assert.equal(compressionOf('application/vnd.oci.image.layer.v1.tar+zstd'), 'zstd');
  assert.equal(compressionOf('application/vnd.oci.image.layer.v1.tar'), 'none');
  assert.equal(compressionOf('application/x-unknown'), undefined);
});
