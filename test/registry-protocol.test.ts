// berth-registry against the OCI distribution spec, request by request: the endpoints, headers, status
// codes and error bodies a client sees, bad input of every kind (never a 500), read-only mode, TLS, and
// the garbage collection offline and online. A real berth-registry on 127.0.0.1 per registry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';
import { startRegistry, run, waitFor, REGISTRY_BIN, type TestRegistry, type RegistryResponse } from './harness/index.js';
import type { RegistryRequestOptions as RegistryRequestLike } from './harness/registry.js';

const sha256 = (b: Buffer | string) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
const sha512 = (b: Buffer | string) => `sha512:${crypto.createHash('sha512').update(b).digest('hex')}`;
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function errorCode(r: RegistryResponse): string {
  return r.json<{ errors: { code: string }[] }>().errors[0]!.code;
}

async function pushBlob(reg: TestRegistry, repo: string, data: Buffer | string, digest = sha256(data)): Promise<string> {
  const r = await reg.request('POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(r.status, 201, r.text);
  return digest;
}

function dockerManifest(config: { digest: string; size: number }, layers: { digest: string; size: number }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...l })),
  });
}

/** Pushes a config and a layer and a manifest naming them; returns the manifest's digest and body. */
async function pushImage(reg: TestRegistry, repo: string, tag: string, seed = tag): Promise<{ digest: string; body: string; layer: string }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed, rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = Buffer.from(`layer of ${seed}`);
  await pushBlob(reg, repo, config);
  await pushBlob(reg, repo, layer);
  const body = dockerManifest({ digest: sha256(config), size: config.length }, [{ digest: sha256(layer), size: layer.length }]);
  const r = await reg.request('PUT', `/v2/${repo}/manifests/${tag}`, { body, headers: { 'Content-Type': DOCKER_MANIFEST } });
  assert.equal(r.status, 201, r.text);
  return { digest: sha256(body), body, layer: sha256(layer) };
}

const reg: TestRegistry = await startRegistry({ after });

test('GET /v2/ answers 200 with the API version header; unknown paths 404, wrong methods 405', async () => {
  const r = await reg.request('GET', '/v2/');
  assert.equal(r.status, 200);
  assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
  assert.equal((await reg.request('GET', '/v2/a/unknown')).status, 404);
  assert.equal((await reg.request('GET', '/elsewhere')).status, 404);
  const m = await reg.request('POST', '/v2/a/tags/list');
  assert.equal(m.status, 405);
  assert.equal(errorCode(m), 'UNSUPPORTED');
});

test('monolithic POST ?digest=, then HEAD, GET, ranged GET and 416', async () => {
  const data = crypto.randomBytes(5000);
  const post = await reg.request('POST', `/v2/mono/blobs/uploads/?digest=${sha256(data)}`, { body: data });
  assert.equal(post.status, 201);
  assert.equal(post.headers.location, `/v2/mono/blobs/${sha256(data)}`);
  assert.equal(post.headers['docker-content-digest'], sha256(data));
  const head = await reg.request('HEAD', `/v2/mono/blobs/${sha256(data)}`);
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '5000');
  assert.equal(head.headers['docker-content-digest'], sha256(data));
  assert.equal(head.body.length, 0);
  const get = await reg.request('GET', `/v2/mono/blobs/${sha256(data)}`);
  assert.ok(get.body.equals(data));
  assert.equal(get.headers.etag, `"${sha256(data)}"`);
  const part = await reg.request('GET', `/v2/mono/blobs/${sha256(data)}`, { headers: { Range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], 'bytes 100-199/5000');
  assert.ok(part.body.equals(data.subarray(100, 200)));
  const tail = await reg.request('GET', `/v2/mono/blobs/${sha256(data)}`, { headers: { Range: 'bytes=-10' } });
  assert.ok(tail.body.equals(data.subarray(4990)));
  const bad = await reg.request('GET', `/v2/mono/blobs/${sha256(data)}`, { headers: { Range: 'bytes=6000-7000' } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers['content-range'], 'bytes */5000');
  const missing = await reg.request('HEAD', `/v2/mono/blobs/${sha256('absent')}`);
  assert.equal(missing.status, 404);
  const missingGet = await reg.request('GET', `/v2/mono/blobs/${sha256('absent')}`);
  assert.equal(errorCode(missingGet), 'BLOB_UNKNOWN');
  assert.equal((await reg.request('HEAD', `/v2/other/blobs/${sha256(data)}`)).status, 404, 'a blob is visible only in the repositories that hold it');
});

test('POST then monolithic PUT; sha512 digests', async () => {
  const data = Buffer.from('put in one go');
  const start = await reg.request('POST', '/v2/put/blobs/uploads/');
  assert.equal(start.status, 202);
  assert.equal(start.headers.range, '0-0');
  assert.match(start.headers['docker-upload-uuid'] as string, /^[0-9a-f-]{36}$/);
  const loc = start.headers.location as string;
  assert.equal(loc, `/v2/put/blobs/uploads/${start.headers['docker-upload-uuid']}`);
  const put = await reg.request('PUT', `${loc}?digest=${sha256(data)}`, { body: data });
  assert.equal(put.status, 201);
  assert.equal(put.headers['docker-content-digest'], sha256(data));
  const big = crypto.randomBytes(70_000);
  await pushBlob(reg, 'put', big, sha512(big));
  const r = await reg.request('GET', `/v2/put/blobs/${sha512(big)}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers['docker-content-digest'], sha512(big));
  assert.ok(r.body.equals(big));
});

test('chunked upload: PATCH with Content-Range, 416 out of order, status GET, streamed PATCH, last chunk on PUT', async () => {
  const data = crypto.randomBytes(30);
  const loc = (await reg.request('POST', '/v2/chunked/blobs/uploads/')).headers.location as string;
  const p1 = await reg.request('PATCH', loc, { body: data.subarray(0, 10), headers: { 'Content-Range': '0-9', 'Content-Type': 'application/octet-stream' } });
  assert.equal(p1.status, 202);
  assert.equal(p1.headers.range, '0-9');
  assert.equal(p1.headers.location, loc);
  const ooo = await reg.request('PATCH', loc, { body: data.subarray(20, 30), headers: { 'Content-Range': '20-29' } });
  assert.equal(ooo.status, 416);
  assert.equal(errorCode(ooo), 'RANGE_INVALID');
  const status = await reg.request('GET', loc);
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-9');
  const p2 = await reg.request('PATCH', loc, { body: data.subarray(10, 20) });
  assert.equal(p2.status, 202, 'a PATCH without Content-Range appends (Docker streams its layers so)');
  assert.equal(p2.headers.range, '0-19');
  const bogus = await reg.request('PATCH', loc, { body: 'x', headers: { 'Content-Range': 'bytes=oops' } });
  assert.equal(bogus.status, 416);
  const put = await reg.request('PUT', `${loc}?digest=${sha256(data)}`, { body: data.subarray(20), headers: { 'Content-Range': '20-29' } });
  assert.equal(put.status, 201, put.text);
  assert.ok((await reg.request('GET', `/v2/chunked/blobs/${sha256(data)}`)).body.equals(data));
  assert.equal((await reg.request('GET', loc)).status, 404, 'a finished upload is gone');
});

test('a wrong digest is DIGEST_INVALID and nothing becomes visible; a PUT without digest is refused', async () => {
  const data = Buffer.from('honest bytes');
  const loc = (await reg.request('POST', '/v2/wrong/blobs/uploads/')).headers.location as string;
  const noDigest = await reg.request('PUT', loc, { body: data });
  assert.equal(noDigest.status, 400);
  assert.equal(errorCode(noDigest), 'DIGEST_INVALID');
  const claimed = sha256('other bytes');
  const r = await reg.request('PUT', `${loc}?digest=${claimed}`, { body: data });
  assert.equal(r.status, 400);
  assert.equal(errorCode(r), 'DIGEST_INVALID');
  assert.equal((await reg.request('HEAD', `/v2/wrong/blobs/${claimed}`)).status, 404);
  assert.equal((await reg.request('HEAD', `/v2/wrong/blobs/${sha256(data)}`)).status, 404);
  const mono = await reg.request('POST', `/v2/wrong/blobs/uploads/?digest=${claimed}`, { body: data });
  assert.equal(errorCode(mono), 'DIGEST_INVALID');
  for (const bad of ['sha256:short', 'md5:d41d8cd98f00b204e9800998ecf8427e', 'nonsense']) {
    const b = await reg.request('POST', `/v2/wrong/blobs/uploads/?digest=${bad}`, { body: data });
    assert.equal(b.status, 400, bad);
    assert.equal(errorCode(b), 'DIGEST_INVALID');
    assert.equal(errorCode(await reg.request('GET', `/v2/wrong/blobs/${bad}`)), 'DIGEST_INVALID');
  }
});

/** Sends a request whose body stops halfway through its Content-Length, then cuts the connection. */
async function cutRequest(reg: TestRegistry, method: string, urlPath: string, declared: number, sent: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(reg.port, '127.0.0.1', () => {
      s.write(`${method} ${urlPath} HTTP/1.1\r\nHost: ${reg.host}\r\nContent-Length: ${declared}\r\nContent-Type: application/octet-stream\r\n\r\n`);
      s.write(sent, () => setImmediate(() => s.destroy()));
    });
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

test('a truncated upload leaves nothing visible and no staged bytes behind', async () => {
  const data = crypto.randomBytes(200_000);
  await cutRequest(reg, 'POST', `/v2/cut/blobs/uploads/?digest=${sha256(data)}`, data.length, data.subarray(0, 100_000));
  const loc = (await reg.request('POST', '/v2/cut/blobs/uploads/')).headers.location as string;
  await cutRequest(reg, 'PATCH', loc, data.length, data.subarray(0, 50_000));
  // The server notices the cut asynchronously; what must hold is that nothing half-written is kept.
  await waitFor('staged temp files to be dropped', () => fs.readdirSync(path.join(reg.root, '.tmp')).length === 0, 20_000);
  assert.equal((await reg.request('HEAD', `/v2/cut/blobs/${sha256(data)}`)).status, 404);
  const status = await reg.request('GET', loc);
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-0', 'the cut chunk added nothing');
  const put = await reg.request('PUT', `${loc}?digest=${sha256(data)}`, { body: data });
  assert.equal(put.status, 201, 'the upload carries on and completes whole');
});

test('cancel an upload; unknown uploads are BLOB_UPLOAD_UNKNOWN', async () => {
  const loc = (await reg.request('POST', '/v2/cancel/blobs/uploads/')).headers.location as string;
  assert.equal((await reg.request('DELETE', loc)).status, 204);
  const gone = await reg.request('GET', loc);
  assert.equal(gone.status, 404);
  assert.equal(errorCode(gone), 'BLOB_UPLOAD_UNKNOWN');
  assert.equal(errorCode(await reg.request('PATCH', '/v2/cancel/blobs/uploads/not-a-uuid', { body: 'x' })), 'BLOB_UPLOAD_UNKNOWN');
  assert.equal(errorCode(await reg.request('PUT', `/v2/cancel/blobs/uploads/${crypto.randomUUID()}?digest=${sha256('x')}`, { body: 'x' })), 'BLOB_UPLOAD_UNKNOWN');
});

test('cross-repository mount, anonymous mount, and a mount that falls back to an upload', async () => {
  const d = await pushBlob(reg, 'mount/src', 'mountable');
  const m = await reg.request('POST', `/v2/mount/dst/blobs/uploads/?mount=${d}&from=mount/src`);
  assert.equal(m.status, 201);
  assert.equal(m.headers.location, `/v2/mount/dst/blobs/${d}`);
  assert.equal((await reg.request('HEAD', `/v2/mount/dst/blobs/${d}`)).status, 200);
  const anon = await reg.request('POST', `/v2/mount/anon/blobs/uploads/?mount=${d}`);
  assert.equal(anon.status, 201);
  const fallback = await reg.request('POST', `/v2/mount/dst2/blobs/uploads/?mount=${d}&from=mount/empty`);
  assert.equal(fallback.status, 202);
  assert.match(fallback.headers.location as string, /^\/v2\/mount\/dst2\/blobs\/uploads\//);
  assert.equal(errorCode(await reg.request('POST', `/v2/mount/dst/blobs/uploads/?mount=${d}&from=Bad_Name`)), 'NAME_INVALID');
});

test('manifests by tag and digest: Content-Type, Docker-Content-Digest, ETag, HEAD, 304; deletes', async () => {
  const img = await pushImage(reg, 'man/app', 'v1');
  const get = await reg.request('GET', '/v2/man/app/manifests/v1', { headers: { Accept: DOCKER_MANIFEST } });
  assert.equal(get.status, 200);
  assert.equal(get.headers['content-type'], DOCKER_MANIFEST);
  assert.equal(get.headers['docker-content-digest'], img.digest);
  assert.equal(get.headers.etag, `"${img.digest}"`);
  assert.equal(get.text, img.body, 'served byte for byte as pushed');
  const head = await reg.request('HEAD', `/v2/man/app/manifests/${img.digest}`);
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(img.body)));
  assert.equal((await reg.request('GET', '/v2/man/app/manifests/v1', { headers: { 'If-None-Match': `"${img.digest}"` } })).status, 304);
  const put = await reg.request('PUT', `/v2/man/app/manifests/${img.digest}`, { body: img.body, headers: { 'Content-Type': DOCKER_MANIFEST } });
  assert.equal(put.status, 201, 'a PUT by digest');
  assert.equal(put.headers.location, `/v2/man/app/manifests/${img.digest}`);
  await pushImage(reg, 'man/app', 'v2', 'v1');
  assert.equal((await reg.request('DELETE', '/v2/man/app/manifests/v2')).status, 202, 'a tag deleted (OCI 1.1)');
  assert.equal(errorCode(await reg.request('GET', '/v2/man/app/manifests/v2')), 'MANIFEST_UNKNOWN');
  assert.equal((await reg.request('DELETE', `/v2/man/app/manifests/${img.digest}`)).status, 202);
  assert.equal((await reg.request('GET', `/v2/man/app/manifests/${img.digest}`)).status, 404);
  assert.equal((await reg.request('GET', '/v2/man/app/manifests/v1')).status, 404, 'its tags went with it');
  assert.equal((await reg.request('DELETE', `/v2/man/app/blobs/${img.layer}`)).status, 202);
  assert.equal((await reg.request('HEAD', `/v2/man/app/blobs/${img.layer}`)).status, 404);
  assert.equal((await reg.request('DELETE', `/v2/man/app/blobs/${img.layer}`)).status, 404);
});

test('bad manifests: missing blobs, invalid JSON, wrong digest, bad tag, unknown tag and repository, bad name', async () => {
  const cfg = await pushBlob(reg, 'bad/app', '{}');
  const missing = sha256('never pushed');
  const body = dockerManifest({ digest: cfg, size: 2 }, [{ digest: missing, size: 12 }]);
  const r = await reg.request('PUT', '/v2/bad/app/manifests/v1', { body, headers: { 'Content-Type': DOCKER_MANIFEST } });
  assert.equal(r.status, 400);
  assert.equal(errorCode(r), 'MANIFEST_BLOB_UNKNOWN');
  assert.match(r.text, new RegExp(missing));
  assert.equal((await reg.request('GET', '/v2/bad/app/manifests/v1')).status, 404, 'nothing stored');
  const cases: [string, string, string][] = [
    ['{not json', DOCKER_MANIFEST, 'MANIFEST_INVALID'],
    [JSON.stringify({ schemaVersion: 1, name: 'x' }), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'MANIFEST_INVALID'],
    [JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }), OCI_MANIFEST, 'MANIFEST_INVALID'],
    [dockerManifest({ digest: cfg, size: 2 }, []), OCI_MANIFEST, 'MANIFEST_INVALID'],
  ];
  for (const [b, ct, code] of cases) {
    const x = await reg.request('PUT', '/v2/bad/app/manifests/v1', { body: b, headers: { 'Content-Type': ct } });
    assert.equal(x.status, 400, b);
    assert.equal(errorCode(x), code, b);
  }
  const good = dockerManifest({ digest: cfg, size: 2 }, []);
  assert.equal(errorCode(await reg.request('PUT', `/v2/bad/app/manifests/${sha256('other')}`, { body: good, headers: { 'Content-Type': DOCKER_MANIFEST } })), 'DIGEST_INVALID');
  assert.equal(errorCode(await reg.request('PUT', '/v2/bad/app/manifests/-bad-tag', { body: good, headers: { 'Content-Type': DOCKER_MANIFEST } })), 'TAG_INVALID');
  const big = await reg.request('PUT', '/v2/bad/app/manifests/big', { body: Buffer.alloc(5 * 1024 * 1024, 0x20), headers: { 'Content-Type': DOCKER_MANIFEST } });
  assert.equal(errorCode(big), 'MANIFEST_INVALID');
  assert.equal(errorCode(await reg.request('GET', '/v2/bad/app/manifests/unknown')), 'MANIFEST_UNKNOWN');
  assert.equal(errorCode(await reg.request('GET', '/v2/no/such/repo/manifests/latest')), 'NAME_UNKNOWN');
  assert.equal(errorCode(await reg.request('GET', '/v2/no/such/repo/tags/list')), 'NAME_UNKNOWN');
  for (const name of ['UPPER', 'a__-b', 'trailing-', 'x'.repeat(256)]) {
    const n = await reg.request('GET', `/v2/${name}/manifests/latest`);
    assert.equal(n.status, 400, name);
    assert.equal(errorCode(n), 'NAME_INVALID');
  }
});

test('manifest lists, OCI indexes, artifacts with a subject, and the referrers API', async () => {
  const img = await pushImage(reg, 'multi/app', 'amd64');
  const list = JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [{ mediaType: DOCKER_MANIFEST, digest: img.digest, size: Buffer.byteLength(img.body), platform: { architecture: 'amd64', os: 'linux' } }] });
  const pl = await reg.request('PUT', '/v2/multi/app/manifests/latest', { body: list, headers: { 'Content-Type': DOCKER_LIST } });
  assert.equal(pl.status, 201, pl.text);
  assert.equal((await reg.request('GET', '/v2/multi/app/manifests/latest')).headers['content-type'], DOCKER_LIST);
  const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: DOCKER_MANIFEST, digest: sha256('absent'), size: 1 }] });
  assert.equal(errorCode(await reg.request('PUT', '/v2/multi/app/manifests/idx', { body: index, headers: { 'Content-Type': OCI_INDEX } })), 'MANIFEST_BLOB_UNKNOWN');
  // An OCI artifact: empty config, one blob, a subject.
  const empty = await pushBlob(reg, 'multi/app', '{}');
  const sigBlob = await pushBlob(reg, 'multi/app', 'signature bytes');
  const artifact = (type: string) =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: type,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: sigBlob, size: 15 }],
      subject: { mediaType: DOCKER_MANIFEST, digest: img.digest, size: Buffer.byteLength(img.body) },
      annotations: { 'org.example.kind': type },
    });
  const sig = artifact('application/vnd.example.signature');
  const sbom = artifact('application/vnd.example.sbom');
  const ps = await reg.request('PUT', `/v2/multi/app/manifests/${sha256(sig)}`, { body: sig, headers: { 'Content-Type': OCI_MANIFEST } });
  assert.equal(ps.status, 201, ps.text);
  assert.equal(ps.headers['oci-subject'], img.digest);
  await reg.request('PUT', `/v2/multi/app/manifests/${sha256(sbom)}`, { body: sbom, headers: { 'Content-Type': OCI_MANIFEST } });
  const refs = await reg.request('GET', `/v2/multi/app/referrers/${img.digest}`);
  assert.equal(refs.status, 200);
  assert.equal(refs.headers['content-type'], OCI_INDEX);
  const idx = refs.json<{ schemaVersion: number; mediaType: string; manifests: { digest: string; artifactType: string; size: number; annotations: Record<string, string> }[] }>();
  assert.equal(idx.schemaVersion, 2);
  assert.equal(idx.mediaType, OCI_INDEX);
  assert.deepEqual(idx.manifests.map((m) => m.digest).sort(), [sha256(sig), sha256(sbom)].sort());
  const sigEntry = idx.manifests.find((m) => m.digest === sha256(sig))!;
  assert.equal(sigEntry.size, Buffer.byteLength(sig));
  assert.equal(sigEntry.annotations['org.example.kind'], 'application/vnd.example.signature');
  const filtered = await reg.request('GET', `/v2/multi/app/referrers/${img.digest}?artifactType=application/vnd.example.sbom`);
  assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
  assert.deepEqual(filtered.json<{ manifests: { digest: string }[] }>().manifests.map((m) => m.digest), [sha256(sbom)]);
  const none = await reg.request('GET', `/v2/multi/app/referrers/${sha256('no subject')}`);
  assert.equal(none.status, 200);
  assert.deepEqual(none.json<{ manifests: unknown[] }>().manifests, []);
  assert.equal(errorCode(await reg.request('GET', '/v2/multi/app/referrers/sha256:bad')), 'DIGEST_INVALID');
});

test('tags/list and _catalog paginate with n/last and Link headers', async () => {
  for (const t of ['t3', 't1', 't5', 't2', 't4']) await pushImage(reg, 'page/app', t, 'same');
  const all = await reg.request('GET', '/v2/page/app/tags/list');
  assert.deepEqual(all.json(), { name: 'page/app', tags: ['t1', 't2', 't3', 't4', 't5'] });
  assert.equal(all.headers.link, undefined);
  const p1 = await reg.request('GET', '/v2/page/app/tags/list?n=2');
  assert.deepEqual(p1.json<{ tags: string[] }>().tags, ['t1', 't2']);
  assert.equal(p1.headers.link, '</v2/page/app/tags/list?n=2&last=t2>; rel="next"');
  const next = /<([^>]+)>/.exec(p1.headers.link as string)![1]!;
  assert.deepEqual((await reg.request('GET', next)).json<{ tags: string[] }>().tags, ['t3', 't4']);
  const p3 = await reg.request('GET', '/v2/page/app/tags/list?n=2&last=t4');
  assert.deepEqual(p3.json<{ tags: string[] }>().tags, ['t5']);
  assert.equal(p3.headers.link, undefined);
  assert.equal(errorCode(await reg.request('GET', '/v2/page/app/tags/list?n=-1')), 'PAGINATION_NUMBER_INVALID');
  const cat = (await reg.request('GET', '/v2/_catalog')).json<{ repositories: string[] }>().repositories;
  assert.ok(cat.includes('page/app') && cat.includes('multi/app'), cat.join(' '));
  // man/app had every manifest deleted (by digest, above): a repository without manifests is not
  // listed (distribution 2.8 keeps listing it, from the empty _manifests directory it leaves behind).
  assert.ok(!cat.includes('man/app'), 'a repository whose manifests were all deleted is not in the catalog');
  assert.deepEqual(cat, [...cat].sort());
  const c1 = await reg.request('GET', '/v2/_catalog?n=1');
  assert.equal(c1.json<{ repositories: string[] }>().repositories.length, 1);
  assert.match(c1.headers.link as string, /^<\/v2\/_catalog\?n=1&last=[^>]+>; rel="next"$/);
});

test('concurrent pushes of one blob (monolithic, chunked, mounted) all succeed and leave it whole', async () => {
  const data = crypto.randomBytes(300_000);
  const d = sha256(data);
  const chunked = async (repo: string) => {
    const loc = (await reg.request('POST', `/v2/${repo}/blobs/uploads/`)).headers.location as string;
    for (let off = 0; off < data.length; off += 100_000) {
      const end = Math.min(off + 100_000, data.length) - 1;
      const p = await reg.request('PATCH', loc, { body: data.subarray(off, end + 1), headers: { 'Content-Range': `${off}-${end}` } });
      assert.equal(p.status, 202, p.text);
    }
    return reg.request('PUT', `${loc}?digest=${d}`);
  };
  const results = await Promise.all(
    Array.from({ length: 9 }, (_, i) =>
      i % 3 === 0 ? reg.request('POST', `/v2/race/r${i}/blobs/uploads/?digest=${d}`, { body: data }) : i % 3 === 1 ? chunked(`race/r${i}`) : reg.request('POST', `/v2/race/r${i}/blobs/uploads/?mount=${d}`),
    ),
  );
  // A mount that lost the race to the first push starts an upload (202); every other answer is 201.
  for (const r of results) assert.ok(r.status === 201 || r.status === 202, `${r.status} ${r.text}`);
  assert.ok(results.filter((r) => r.status === 201).length >= 6);
  for (let i = 0; i < 9; i++) {
    if (results[i]!.status !== 201) continue;
    const g = await reg.request('GET', `/v2/race/r${i}/blobs/${d}`);
    assert.ok(g.body.equals(data), `race/r${i} serves the blob whole`);
  }
  assert.deepEqual(fs.readdirSync(path.join(reg.root, '.tmp')), [], 'no staged bytes left behind');
});

test('hostile requests get 4xx answers, never a 500, and the registry keeps serving', async () => {
  const cfg = await pushBlob(reg, 'hostile/app', '{"a":1}');
  const desc = { mediaType: 'application/vnd.docker.container.image.v1+json', digest: cfg, size: 7 };
  const manifests: unknown[] = [
    null,
    [],
    'a string',
    42,
    { schemaVersion: '2' },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: null, layers: [] },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: desc, layers: null },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: desc, layers: [null] },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { ...desc, size: -1 }, layers: [] },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { ...desc, size: '7' }, layers: [] },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { ...desc, size: 1e300 }, layers: [] },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { ...desc, digest: 'sha256:../../etc/passwd' }, layers: [] },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: desc, layers: [], subject: 'nope' },
    { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: desc, layers: [], annotations: { a: 1 } },
    { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ digest: 42 }] },
    { schemaVersion: 2, mediaType: OCI_INDEX, manifests: 'all of them' },
    { schemaVersion: 2, mediaType: 'text/plain', config: desc, layers: [] },
  ];
  for (const m of manifests) {
    const r = await reg.request('PUT', '/v2/hostile/app/manifests/x', { body: JSON.stringify(m), headers: { 'Content-Type': OCI_MANIFEST } });
    assert.equal(r.status, 400, `${JSON.stringify(m)}: ${r.status} ${r.text}`);
    assert.equal(errorCode(r), 'MANIFEST_INVALID', JSON.stringify(m));
  }
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.equal((await reg.request('PUT', '/v2/hostile/app/manifests/x', { body: deep, headers: { 'Content-Type': OCI_MANIFEST } })).status, 400);
  const requests: [string, string, RegistryRequestLike?][] = [
    ['GET', '/v2/hostile/app/manifests/%zz'],
    ['GET', '/v2/%2e%2e/%2e%2e/manifests/latest'],
    ['GET', '/v2/hostile/../app/manifests/latest'],
    ['GET', '/v2/hostile/app/manifests/sha256:' + 'A'.repeat(64)],
    ['GET', '/v2/hostile/app/manifests/' + 'x'.repeat(200)],
    ['GET', '/v2/hostile/app/blobs/sha256:' + '0'.repeat(63)],
    ['GET', `/v2/hostile/app/blobs/${cfg}`, { headers: { Range: 'bytes=9999999999999999999999-' } }],
    ['GET', `/v2/hostile/app/blobs/${cfg}`, { headers: { Range: 'bytes=5-2' } }],
    ['GET', '/v2/hostile/app/tags/list?n=abc&last=%00'],
    ['GET', '/v2/hostile/app/referrers/sha256:zz'],
    ['POST', '/v2/hostile/app/blobs/uploads/?mount=nonsense&from=hostile/app'],
    ['POST', `/v2/hostile/app/blobs/uploads/?mount=${cfg}&from=..%2F..`],
    ['PATCH', '/v2/hostile/app/blobs/uploads/../../x', { body: 'x' }],
    ['PUT', '/v2/hostile/app/blobs/uploads/00000000-0000-0000-0000-000000000000?digest=' + cfg, { body: 'x' }],
    ['DELETE', '/v2/hostile/app/manifests/not-there'],
    ['DELETE', '/v2/hostile/app/manifests/sha256:nope'],
    ['DELETE', '/v2/hostile/app/blobs/latest'],
    ['GET', '/token?scope=repository:x:pull'],
  ];
  for (const [m, p, o] of requests) {
    const r = await reg.request(m, p, o);
    assert.ok(r.status >= 400 && r.status < 500, `${m} ${p.slice(0, 100)}: ${r.status} ${r.text.slice(0, 300)}`);
  }
  const odd = await reg.request('GET', '/v2/_catalog?n=1&last=' + '%ff'.repeat(2000));
  assert.equal(odd.status, 200, 'any string is a valid `last`: nothing sorts after it here');
  const search = await reg.request('GET', '/v1/search?q=' + '%00'.repeat(100) + '&n=-5');
  assert.equal(search.status, 200, 'a search for garbage finds nothing');
  assert.equal(search.json<{ num_results: number }>().num_results, 0);
  const huge = await reg.request('GET', '/v2/hostile/app/tags/list?n=99999999999999999999999');
  assert.equal(huge.status, 200, 'a page size past the maximum is clamped to it');
  const chunkLoc = (await reg.request('POST', '/v2/hostile/app/blobs/uploads/')).headers.location as string;
  for (const cr of ['0-', '-5', '5-2', '0-99999999999999999999', 'bytes 0-1/x']) {
    const r = await reg.request('PATCH', chunkLoc, { body: 'ab', headers: { 'Content-Range': cr } });
    assert.ok(r.status === 416 || r.status === 400, `Content-Range ${cr}: ${r.status}`);
  }
  const short = await reg.request('PATCH', chunkLoc, { body: 'ab', headers: { 'Content-Range': '0-9' } });
  assert.equal(short.status, 400, 'a chunk shorter than its Content-Range');
  assert.equal(errorCode(short), 'SIZE_INVALID');
  assert.equal((await reg.request('GET', chunkLoc)).headers.range, '0-0', 'nothing of it was kept');
  // A request line and headers no HTTP parser accepts: a 400 from the server, and it carries on.
  const raw = await new Promise<string>((resolve, reject) => {
    const sock = net.connect(reg.port, '127.0.0.1', () => sock.end('GET /v2/ HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n'));
    let out = '';
    sock.on('data', (b) => (out += b.toString()));
    sock.on('error', reject);
    sock.on('close', () => resolve(out));
  });
  assert.match(raw, /^HTTP\/1\.1 400/);
  assert.equal((await reg.request('GET', '/v2/')).status, 200);
});

test('nothing so far made the registry answer 500', () => {
  assert.doesNotMatch(reg.log, /internal error/);
});

test('--read-only: reads served, every write 405 UNSUPPORTED', async (t) => {
  const img = await pushImage(reg, 'ro/app', 'v1');
  const ro = await startRegistry(t, ['--read-only'], { root: fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-ro-')) });
  // The same content under a second, read-only server: copy the root (a live root stays reg's).
  await ro.stop();
  fs.cpSync(reg.root, ro.root, { recursive: true, filter: (p) => !p.includes(`${path.sep}.servers`) });
  await ro.start();
  assert.equal((await ro.request('GET', '/v2/ro/app/manifests/v1')).headers['docker-content-digest'], img.digest);
  for (const [m, p] of [['POST', '/v2/ro/app/blobs/uploads/'], ['PUT', '/v2/ro/app/manifests/v2'], ['DELETE', `/v2/ro/app/manifests/${img.digest}`], ['DELETE', `/v2/ro/app/blobs/${img.layer}`]] as const) {
    const r = await ro.request(m, p, { body: m === 'PUT' ? img.body : undefined });
    assert.equal(r.status, 405, `${m} ${p}`);
    assert.equal(errorCode(r), 'UNSUPPORTED');
  }
});

test('TLS with --tls-cert/--tls-key', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-tls-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
  assert.equal(r.code, 0, r.stderr);
  const tls = await startRegistry(t, ['--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')], { tls: { ca: fs.readFileSync(path.join(dir, 'cert.pem')) } });
  const ok = await tls.request('GET', '/v2/');
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['docker-distribution-api-version'], 'registry/2.0');
  const curl = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${tls.host}/v2/`]);
  assert.notEqual(curl.stdout, '200', 'plain HTTP is not served on a TLS port');
});

/** Starts a request with a declared body of `declared` bytes, sends `sent` of them and leaves the socket open. */
function startPartialRequest(r: TestRegistry, method: string, urlPath: string, declared: number, sent: Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(r.port, '127.0.0.1', () => {
      s.write(`${method} ${urlPath} HTTP/1.1\r\nHost: ${r.host}\r\nContent-Length: ${declared}\r\nContent-Type: application/octet-stream\r\n\r\n`);
      s.write(sent, () => resolve(s));
    });
    s.on('error', () => {}); // the registry is killed under it: that is the point
    s.once('error', reject);
  });
}

test('a registry killed mid-upload: after a restart nothing half-written is visible, and a chunked upload carries on from its last whole chunk', async (t) => {
  const k = await startRegistry(t);
  const data = crypto.randomBytes(3_000_000);
  const d = sha256(data);
  // A monolithic push cut by the registry's death.
  const s1 = await startPartialRequest(k, 'POST', `/v2/crash/app/blobs/uploads/?digest=${d}`, data.length, data.subarray(0, 1_000_000));
  // A chunked upload: the first chunk whole, the second cut by the same death.
  const loc = (await k.request('POST', '/v2/crash/app/blobs/uploads/')).headers.location as string;
  assert.equal((await k.request('PATCH', loc, { body: data.subarray(0, 1_000_000), headers: { 'Content-Range': '0-999999' } })).status, 202);
  const s2 = await startPartialRequest(k, 'PATCH', loc, 1_000_000, data.subarray(1_000_000, 1_500_000));
  // Both bodies are being received when the process dies.
  await waitFor('the partial bodies to reach the registry', () => fs.readdirSync(path.join(k.root, '.tmp')).length >= 2, 20_000);
  await k.kill();
  s1.destroy();
  s2.destroy();
  await k.start();
  assert.deepEqual(fs.readdirSync(path.join(k.root, '.tmp')), [], 'the dead process\'s temp files were swept at start-up');
  assert.equal((await k.request('HEAD', `/v2/crash/app/blobs/${d}`)).status, 404, 'no blob from the cut monolithic push');
  const status = await k.request('GET', loc);
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-999999', 'the upload holds exactly its one whole chunk');
  // The running hash died with the process: completion hashes the stored chunks instead.
  assert.equal((await k.request('PATCH', loc, { body: data.subarray(1_000_000), headers: { 'Content-Range': `1000000-${data.length - 1}` } })).status, 202);
  const done = await k.request('PUT', `${loc}?digest=${d}`);
  assert.equal(done.status, 201, done.text);
  assert.ok((await k.request('GET', `/v2/crash/app/blobs/${d}`)).body.equals(data));
  const wrong = (await k.request('POST', '/v2/crash/app/blobs/uploads/')).headers.location as string;
  assert.equal((await k.request('PATCH', wrong, { body: data.subarray(0, 10) })).status, 202);
  await k.stop();
  await k.start();
  assert.equal(errorCode(await k.request('PUT', `${wrong}?digest=${sha256('something else')}`)), 'DIGEST_INVALID', 'chunks hashed after a restart are still checked');
});

test('garbage collection: offline refused while served, dry run, removal; online on SIGUSR2 keeps what is referenced', async (t) => {
  const g = await startRegistry(t, ['--gc-grace', '0s']);
  const kept = await pushImage(g, 'gc/app', 'v1');
  const orphan = await pushBlob(g, 'gc/app', 'nobody references me');
  const loc = (await g.request('POST', '/v2/gc/app/blobs/uploads/')).headers.location as string;
  await g.request('PATCH', loc, { body: 'an upload in flight' });
  const refused = await run(process.execPath, [REGISTRY_BIN, 'gc', '--root', g.root]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /is serving/);
  // Online: SIGUSR2 runs a collection in the serving process.
  g.proc!.kill('SIGUSR2');
  await waitFor('the online gc to finish', () => /gc: removed 1 blobs/.test(g.log), 20_000);
  assert.equal((await g.request('HEAD', `/v2/gc/app/blobs/${orphan}`)).status, 404);
  assert.equal((await g.request('HEAD', `/v2/gc/app/blobs/${kept.layer}`)).status, 200);
  assert.equal((await g.request('GET', '/v2/gc/app/manifests/v1')).status, 200);
  assert.equal((await g.request('GET', loc)).headers.range, '0-18', 'the upload in flight is untouched');
  // Offline, once the server is gone: a dry run names, a real run removes.
  assert.equal((await g.request('DELETE', `/v2/gc/app/manifests/${kept.digest}`)).status, 202);
  await g.stop();
  const dry = await run(process.execPath, [REGISTRY_BIN, 'gc', '--root', g.root, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`would remove blob ${kept.layer}`));
  assert.ok(fs.existsSync(path.join(g.root, 'blobs', 'sha256', kept.layer.slice(7, 9), kept.layer.slice(7), 'data')));
  const real = await run(process.execPath, [REGISTRY_BIN, 'gc', '--root', g.root]);
  assert.equal(real.code, 0, real.stderr);
  assert.equal(JSON.parse(real.stdout.trim().split('\n').pop()!).removed, 3, 'config, layer and the manifest itself');
  assert.ok(!fs.existsSync(path.join(g.root, 'blobs', 'sha256', kept.layer.slice(7, 9), kept.layer.slice(7))));
});

test('online GC racing pushes that reuse old unreferenced blobs: every manifest accepted keeps every blob it names', async (t) => {
  const g = await startRegistry(t);
  const repo = 'race/gc';
  const hexPath = (d: string) => d.slice(7);
  // 40 blobs nobody references yet, aged past the 1 h grace: fair game for the collector, unless a
  // push names them first. Each is HEAD-checked then named by a manifest, as docker does for a layer
  // that "already exists", while collections run back to back.
  const old = Date.now() / 1000 - 7200;
  const orphans: string[] = [];
  for (let i = 0; i < 40; i++) {
    const d = await pushBlob(g, repo, `old layer ${i}`);
    fs.utimesSync(path.join(g.root, 'blobs', 'sha256', hexPath(d).slice(0, 2), hexPath(d), 'data'), old, old);
    fs.utimesSync(path.join(g.root, 'repositories', repo, '_layers', 'sha256', hexPath(d), 'link'), old, old);
    orphans.push(d);
  }
  const config = await pushBlob(g, repo, '{"architecture":"amd64","os":"linux"}');
  const accepted: { tag: string; blobs: string[] }[] = [];
  let refused = 0;
  const pushOne = async (i: number) => {
    const layer = orphans[i]!;
    if ((await g.request('HEAD', `/v2/${repo}/blobs/${layer}`)).status !== 200) {
      refused++; // collected before the push looked: docker would upload it again
      return;
    }
    const body = dockerManifest({ digest: config, size: 37 }, [{ digest: layer, size: `old layer ${i}`.length }]);
    const r = await g.request('PUT', `/v2/${repo}/manifests/t${i}`, { body, headers: { 'Content-Type': DOCKER_MANIFEST } });
    if (r.status === 201) accepted.push({ tag: `t${i}`, blobs: [config, layer] });
    else {
      assert.equal(errorCode(r), 'MANIFEST_BLOB_UNKNOWN', r.text);
      refused++;
    }
  };
  const finished = () => (g.log.match(/gc: removed/g) ?? []).length;
  // The first pair is pushed before any collection, so there is always an accepted manifest whose
  // blobs the collections must keep; the later pairs race them (on a loaded machine the collector
  // may win every one of those, which is a refusal, never a loss).
  await Promise.all([0, 2].map(pushOne));
  assert.equal(accepted.length, 2, 'the pair pushed before any collection is accepted');
  let collections = 0;
  let pushing = true;
  const gcLoop = (async () => {
    // Bounded: at most 100 collections, and only while the pushes run.
    while (pushing && collections < 100) {
      const before = finished();
      g.proc!.kill('SIGUSR2');
      await waitFor('a collection to finish', () => finished() > before, 20_000, 5);
      collections++;
    }
  })();
  // Only the even-numbered orphans are pushed; the odd ones stay unreferenced.
  for (let i = 4; i < 40; i += 4) await Promise.all([i, i + 2].map(pushOne));
  pushing = false;
  await gcLoop;
  const before = finished();
  g.proc!.kill('SIGUSR2');
  await waitFor('a last collection', () => finished() > before, 20_000);
  t.diagnostic(`${accepted.length} accepted, ${refused} refused, ${collections} collections during the pushes`);
  assert.ok(collections >= 1, 'collections ran while pushes did');
  for (const a of accepted) {
    assert.equal((await g.request('GET', `/v2/${repo}/manifests/${a.tag}`)).status, 200);
    for (const b of a.blobs) assert.equal((await g.request('HEAD', `/v2/${repo}/blobs/${b}`)).status, 200, `${a.tag} lost ${b}`);
  }
  for (let i = 1; i < 40; i += 2) assert.equal((await g.request('HEAD', `/v2/${repo}/blobs/${orphans[i]}`)).status, 404, 'the old blobs nobody named were collected');
});

test('bad flags exit 2 with a message', async () => {
  const r = await run(process.execPath, [REGISTRY_BIN, '--addr', 'nonsense', '--root', os.tmpdir()]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--addr/);
  const tls = await run(process.execPath, [REGISTRY_BIN, '--tls-cert', '/x']);
  assert.equal(tls.code, 2);
  assert.match(tls.stderr, /--tls-key/);
});
