// The registry service and its GC over the in-memory driver (the same contract as the filesystem's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { MemoryDriver } from './storage/memory-driver.js';
import { Registry } from './registry.js';
import { collectGarbage } from './gc.js';
import { RegistryError } from '../lib/distribution/errors.js';
import { parseBlobDigest, type BlobDigest } from '../lib/distribution/digest.js';
import type { StorageDriver } from './storage/driver.js';

const sha = (b: Buffer, alg: 'sha256' | 'sha512' = 'sha256') => parseBlobDigest(`${alg}:${crypto.createHash(alg).update(b).digest('hex')}`);
const code = (c: string) => (e: unknown) => e instanceof RegistryError && e.code === c;

async function pushBlob(reg: Registry, repo: string, data: Buffer, alg: 'sha256' | 'sha512' = 'sha256'): Promise<BlobDigest> {
  const id = await reg.startUpload(repo);
  await reg.appendUpload(repo, id, Readable.from([data]));
  const d = sha(data, alg);
  await reg.completeUpload(repo, id, d);
  return d;
}

function imageManifest(config: BlobDigest, layers: BlobDigest[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
      layers: layers.map((d) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, size: 1 })),
      ...extra,
    }),
  );
}

test('chunked upload: in order by Content-Range, 416 out of order, verified on completion', async () => {
  const reg = new Registry(new MemoryDriver());
  const data = crypto.randomBytes(3000);
  const id = await reg.startUpload('a/b');
  assert.equal(await reg.appendUpload('a/b', id, Readable.from([data.subarray(0, 1000)]), { start: 0, end: 999 }), 1000);
  await assert.rejects(reg.appendUpload('a/b', id, Readable.from([data.subarray(2000)]), { start: 2000, end: 2999 }), code('RANGE_INVALID'));
  await assert.rejects(reg.appendUpload('a/b', id, Readable.from([data.subarray(1000, 1500)]), { start: 1000, end: 1999 }), code('SIZE_INVALID'));
  assert.equal(await reg.uploadSize('a/b', id), 1000, 'a chunk of the wrong length is not kept');
  assert.equal(await reg.appendUpload('a/b', id, Readable.from([data.subarray(1000, 2000)]), { start: 1000, end: 1999 }), 2000);
  const d = sha(data);
  assert.equal(await reg.completeUpload('a/b', id, d, Readable.from([data.subarray(2000)])), 3000);
  assert.equal(await reg.blobSize('a/b', d), 3000);
  await assert.rejects(reg.uploadSize('a/b', id), code('BLOB_UPLOAD_UNKNOWN'), 'a finished upload is gone');
  await assert.rejects(reg.blobSize('other', d), code('BLOB_UNKNOWN'), 'visible only where it was pushed or mounted');
});

test('a wrong digest is DIGEST_INVALID and leaves nothing under either digest', async () => {
  const reg = new Registry(new MemoryDriver());
  const data = Buffer.from('the real bytes');
  const id = await reg.startUpload('r');
  await reg.appendUpload('r', id, Readable.from([data]));
  const claimed = sha(Buffer.from('other bytes'));
  await assert.rejects(reg.completeUpload('r', id, claimed), code('DIGEST_INVALID'));
  assert.equal(await reg.blobs.size(claimed), undefined);
  assert.equal(await reg.blobs.size(sha(data)), undefined);
  await assert.rejects(reg.uploadSize('r', id), code('BLOB_UPLOAD_UNKNOWN'));
});

test('a chunk cut halfway adds nothing; the upload carries on from what was whole', async () => {
  const reg = new Registry(new MemoryDriver());
  const id = await reg.startUpload('r');
  await reg.appendUpload('r', id, Readable.from([Buffer.from('abc')]));
  let sent = false;
  const cut = new Readable({
    read() {
      if (sent) this.destroy(new Error('aborted'));
      else this.push(Buffer.from('defgh')), (sent = true);
    },
  });
  await assert.rejects(reg.appendUpload('r', id, cut));
  assert.equal(await reg.uploadSize('r', id), 3);
  await reg.appendUpload('r', id, Readable.from([Buffer.from('def')]));
  const d = sha(Buffer.from('abcdef'));
  await reg.completeUpload('r', id, d);
  assert.equal((await reg.blobs.getContent(d))?.toString(), 'abcdef', 'the running hash was dropped with the cut chunk, the content re-hashed');
});

test('sha512 blobs, the empty blob, and concurrent pushes of the same blob', async () => {
  const reg = new Registry(new MemoryDriver());
  const d512 = await pushBlob(reg, 'r', Buffer.from('five hundred twelve'), 'sha512');
  assert.ok(d512.startsWith('sha512:'));
  assert.equal(await reg.blobSize('r', d512), 19);
  const empty = await pushBlob(reg, 'r', Buffer.alloc(0));
  assert.equal(await reg.blobSize('r', empty), 0);
  const data = crypto.randomBytes(100_000);
  const ds = await Promise.all(Array.from({ length: 5 }, (_, i) => pushBlob(reg, `r${i % 2}`, data)));
  assert.ok(ds.every((d) => d === sha(data)));
  assert.ok((await reg.blobs.getContent(ds[0]!))!.equals(data));
});

test('manifests: missing blobs refused, then stored; by tag and digest; tags; deletes', async () => {
  const reg = new Registry(new MemoryDriver());
  const cfg = await pushBlob(reg, 'app', Buffer.from('{}'));
  const layer = sha(Buffer.from('never pushed'));
  await assert.rejects(reg.putManifest('app', 'v1', imageManifest(cfg, [layer]), undefined), (e: unknown) => {
    return e instanceof RegistryError && e.code === 'MANIFEST_BLOB_UNKNOWN' && JSON.stringify(e.detail).includes(layer);
  });
  await assert.rejects(reg.getManifest('app', 'v1'), code('MANIFEST_UNKNOWN'));
  const l = await pushBlob(reg, 'app', Buffer.from('layer'));
  const body = imageManifest(cfg, [l]);
  const { digest } = await reg.putManifest('app', 'v1', body, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(digest, sha(body));
  await reg.putManifest('app', 'v2', body, undefined);
  assert.ok((await reg.getManifest('app', 'v1')).body.equals(body));
  assert.equal((await reg.getManifest('app', digest)).mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(await reg.tags('app'), ['v1', 'v2']);
  await assert.rejects(reg.putManifest('app', sha(Buffer.from('x')), body, undefined), code('DIGEST_INVALID'));
  await assert.rejects(reg.getManifest('nope', 'latest'), code('NAME_UNKNOWN'));
  await assert.rejects(reg.tags('nope'), code('NAME_UNKNOWN'));
  // An index must name manifests the repository has.
  const index = (m: BlobDigest) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: m, size: 1 }] }));
  await assert.rejects(reg.putManifest('app', 'multi', index(sha(Buffer.from('nothing'))), undefined), code('MANIFEST_BLOB_UNKNOWN'));
  await reg.putManifest('app', 'multi', index(digest), undefined);
  await reg.deleteManifest('app', 'v2');
  assert.deepEqual(await reg.tags('app'), ['multi', 'v1']);
  await reg.deleteManifest('app', digest);
  assert.deepEqual(await reg.tags('app'), ['multi'], 'deleting by digest removes the tags on it');
  await assert.rejects(reg.getManifest('app', digest), code('MANIFEST_UNKNOWN'));
  await assert.rejects(reg.deleteManifest('app', 'v2'), code('MANIFEST_UNKNOWN'));
});

test('referrers: a manifest with a subject is listed, filtered by artifact type, unlisted on delete', async () => {
  const reg = new Registry(new MemoryDriver());
  const cfg = await pushBlob(reg, 'app', Buffer.from('{}'));
  const subject = (await reg.putManifest('app', 'v1', imageManifest(cfg, []), undefined)).digest;
  const sig = imageManifest(cfg, [], { artifactType: 'application/x.sig', subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject, size: 1 } });
  const sbom = imageManifest(cfg, [], { artifactType: 'application/x.sbom', subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject, size: 1 } });
  const r1 = await reg.putManifest('app', sha(sig), sig, undefined);
  assert.equal(r1.subject, subject);
  await reg.putManifest('app', sha(sbom), sbom, undefined);
  assert.deepEqual((await reg.referrers('app', subject)).map((d) => d.artifactType).sort(), ['application/x.sbom', 'application/x.sig']);
  assert.deepEqual((await reg.referrers('app', subject, 'application/x.sig')).map((d) => d.digest), [sha(sig)]);
  await reg.deleteManifest('app', sha(sig));
  assert.deepEqual((await reg.referrers('app', subject)).map((d) => d.digest), [sha(sbom)]);
  assert.deepEqual(await reg.referrers('app', sha(Buffer.from('unknown'))), []);
});

test('mounts: from a repository that has the blob, anonymous by digest, nothing from one that lacks it', async () => {
  const reg = new Registry(new MemoryDriver());
  const d = await pushBlob(reg, 'src', Buffer.from('shared layer'));
  assert.equal(await reg.mount('dst', d, 'empty'), false);
  assert.equal(await reg.mount('dst', d, 'src'), true);
  assert.equal(await reg.blobSize('dst', d), 12);
  assert.equal(await reg.mount('dst2', d), true);
  assert.equal(await reg.mount('dst3', sha(Buffer.from('absent'))), false);
});

test('catalog and search descriptions', async () => {
  const reg = new Registry(new MemoryDriver());
  const cfgBody = Buffer.from(JSON.stringify({ config: { Labels: { 'org.opencontainers.image.description': 'from the label' } } }));
  for (const repo of ['b/app', 'a', 'c/d/e']) {
    const cfg = await pushBlob(reg, repo, cfgBody);
    await reg.putManifest(repo, 'latest', imageManifest(cfg, []), undefined);
  }
  await pushBlob(reg, 'blobs-only', Buffer.from('x'));
  assert.deepEqual(await reg.catalog(), ['a', 'b/app', 'c/d/e']);
  assert.equal(await reg.description('a'), 'from the label');
  assert.equal(await reg.description('blobs-only'), '');
});

/** A driver whose next listing of `repositories`, once armed, waits for a gate: the GC's mark, held open. */
interface Gated {
  driver: StorageDriver;
  reached: Promise<void>;
  open(): void;
  arm(): void;
}

function gatedDriver(inner: StorageDriver): Gated {
  let open!: () => void;
  let reachedResolve!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (reachedResolve = r));
  let armed = false;
  const driver = Object.create(inner) as StorageDriver;
  driver.list = async (prefix: string) => {
    if (armed && prefix === 'repositories') {
      armed = false;
      reachedResolve();
      await gate;
    }
    return inner.list(prefix);
  };
  return { driver, reached, open: () => open(), arm: () => (armed = true) };
}

test('gc: removes what nothing references, keeps what manifests name, young blobs and what pushes touch meanwhile', async () => {
  const mem = new MemoryDriver();
  const g = gatedDriver(mem);
  const reg = new Registry(g.driver);
  const cfg = await pushBlob(reg, 'app', Buffer.from('{}'));
  const layer = await pushBlob(reg, 'app', Buffer.from('layer'));
  await reg.putManifest('app', 'v1', imageManifest(cfg, [layer]), undefined);
  const orphan = await pushBlob(reg, 'app', Buffer.from('orphan'));
  const headed = await pushBlob(reg, 'app', Buffer.from('checked by a pusher during the mark'));
  const referenced = await pushBlob(reg, 'app', Buffer.from('named by a manifest pushed during the mark'));
  const id = await reg.startUpload('app');
  await reg.appendUpload('app', id, Readable.from([Buffer.from('in flight')]));

  // Within the grace period nothing unreferenced goes.
  const young = await collectGarbage(reg, { graceMs: 3600_000 });
  assert.equal(young.removed.length, 0);
  assert.equal(young.keptYoung, 3);

  g.arm();
  const run = collectGarbage(reg, { graceMs: 0 });
  await g.reached;
  await reg.blobSize('app', headed);
  await reg.putManifest('app', 'v2', imageManifest(cfg, [referenced]), undefined);
  g.open();
  const report = await run;
  assert.deepEqual(report.removed.map((r) => r.digest), [orphan]);
  assert.equal(await reg.blobs.size(orphan), undefined);
  await assert.rejects(reg.blobSize('app', orphan), code('BLOB_UNKNOWN'), 'its link went with it');
  for (const d of [cfg, layer, headed, referenced]) assert.notEqual(await reg.blobs.size(d), undefined, d);
  assert.equal(await reg.uploadSize('app', id), 9, 'an upload in flight is untouched');
  const cfg2 = (await reg.getManifest('app', 'v2')).body;
  assert.ok(cfg2.length > 0);
  // A dry run reports without removing (the blob that was only HEAD-checked is fair game now).
  const again = await pushBlob(reg, 'app', Buffer.from('orphan 2'));
  const dry = await collectGarbage(reg, { graceMs: 0, dryRun: true });
  assert.deepEqual(dry.removed.map((r) => r.digest).sort(), [again, headed].sort());
  assert.notEqual(await reg.blobs.size(again), undefined);
  assert.notEqual(await reg.blobs.size(headed), undefined);
});

test('gc: a manifest PUT waiting on the sweep finds a removed blob reported, never a dangling manifest', async () => {
  const reg = new Registry(new MemoryDriver());
  const cfg = await pushBlob(reg, 'app', Buffer.from('{}'));
  // Hold the shared lock as an in-flight push would, so the GC's sweep queues behind it.
  let release!: () => void;
  const held = reg.lock.shared(() => new Promise<void>((r) => (release = r)));
  const gc = collectGarbage(reg, { graceMs: 0 });
  await new Promise((r) => setImmediate(r));
  const put = reg.putManifest('app', 'v1', imageManifest(cfg, []), undefined).then(
    () => 'stored',
    (e: unknown) => (e instanceof RegistryError ? e.code : 'other'),
  );
  release();
  await held;
  await gc;
  const outcome = await put;
  if (outcome === 'stored') assert.notEqual(await reg.blobs.size(cfg), undefined, 'a stored manifest names a present blob');
  else assert.equal(outcome, 'MANIFEST_BLOB_UNKNOWN');
});

test('gc: a manifest PUT that checked its blobs before the collection began and stores after the mark listed is not missed', async () => {
  const mem = new MemoryDriver();
  const reg0 = new Registry(mem);
  const cfg = await pushBlob(reg0, 'app', Buffer.from('{}'));
  const layer = await pushBlob(reg0, 'app', Buffer.from('an old layer nobody names yet'));
  // The PUT is held between its check and the write of its revision link.
  let release!: () => void;
  let heldResolve!: () => void;
  const held = new Promise<void>((r) => (heldResolve = r));
  const gate = new Promise<void>((r) => (release = r));
  const driver = Object.create(mem) as StorageDriver;
  driver.putContent = async (key: string, data: Buffer | string) => {
    if (key.includes('/_manifests/revisions/')) {
      heldResolve();
      await gate;
    }
    return mem.putContent(key, data);
  };
  const reg = new Registry(driver);
  const put = reg.putManifest('app', 'v1', imageManifest(cfg, [layer]), undefined);
  await held;
  // The collection starts while the PUT is between check and store; the PUT finishes a moment later.
  const gc = collectGarbage(reg, { graceMs: 0 });
  setTimeout(release, 20);
  await put;
  const report = await gc;
  assert.deepEqual(report.removed, [], 'nothing the stored manifest names is removed');
  assert.notEqual(await reg.blobs.size(layer), undefined);
  assert.equal((await reg.getManifest('app', 'v1')).digest.startsWith('sha256:'), true);
});
