import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute } from './routes.js';
import { parseBlobDigest, isBlobDigest, digestAlgorithm } from './digest.js';
import { parseRangeHeader, parseContentRange, uploadRangeHeader } from './range.js';
import { paginate, parsePageSize } from './pagination.js';
import { parseScope, parseScopes, bearerChallenge, accessForRequest, covers, parseAuthorization } from './scope.js';
import { parseAcl, grantedActions, grantScopes, DEFAULT_ACL, AclError } from './acl.js';
import { parseManifest, referrerDescriptor, MANIFEST_TYPES } from './manifest.js';
import { isValidRepositoryName, checkRepositoryName, isValidTag } from './names.js';
import { RegistryError, errorBody } from './errors.js';

const D256 = `sha256:${'a'.repeat(64)}`;
const D512 = `sha512:${'b'.repeat(128)}`;

test('routes: repository names with slashes, and the last keyword segment wins', () => {
  assert.equal(matchRoute('/v2/')?.name, 'base');
  assert.equal(matchRoute('/v2')?.name, 'base');
  assert.equal(matchRoute('/v2/_catalog')?.name, 'catalog');
  assert.deepEqual({ ...matchRoute('/v2/a/b/c/tags/list'), methods: undefined }, { name: 'tags', repo: 'a/b/c', methods: undefined });
  const m = matchRoute('/v2/x/manifests/y/manifests/latest')!;
  assert.equal(m.name, 'manifest');
  assert.equal(m.repo, 'x/manifests/y');
  assert.equal(m.ref, 'latest');
  assert.equal(matchRoute('/v2/a/blobs/uploads/')?.name, 'upload-start');
  assert.equal(matchRoute('/v2/a/blobs/uploads')?.name, 'upload-start');
  assert.deepEqual([matchRoute('/v2/a/blobs/uploads/abc')?.name, matchRoute('/v2/a/blobs/uploads/abc')?.ref], ['upload', 'abc']);
  assert.deepEqual([matchRoute(`/v2/a/b/blobs/${D256}`)?.name, matchRoute(`/v2/a/b/blobs/${D256}`)?.repo], ['blob', 'a/b']);
  assert.equal(matchRoute(`/v2/a/referrers/${D256}`)?.name, 'referrers');
  assert.equal(matchRoute('/v1/search')?.name, 'search');
  assert.equal(matchRoute('/v1/_ping')?.name, 'v1-ping');
  assert.equal(matchRoute('/token')?.name, 'token');
  assert.equal(matchRoute('/v2/a/nothing'), undefined);
  assert.equal(matchRoute('/v3/'), undefined);
  assert.ok(matchRoute('/v2/a/manifests/x')!.methods.includes('PUT'));
  assert.ok(!matchRoute('/v2/a/tags/list')!.methods.includes('DELETE'));
});

test('digests: sha256 and sha512 taken, everything else DIGEST_INVALID', () => {
  assert.equal(parseBlobDigest(D256), D256);
  assert.equal(parseBlobDigest(D512), D512);
  assert.equal(digestAlgorithm(parseBlobDigest(D512)), 'sha512');
  for (const bad of ['sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'a'.repeat(32)}`, `sha512:${'a'.repeat(64)}`, 'nocolon', '', `sha256:${'g'.repeat(64)}`]) {
    assert.throws(() => parseBlobDigest(bad), (e: unknown) => e instanceof RegistryError && e.code === 'DIGEST_INVALID' && e.status === 400, bad);
    assert.equal(isBlobDigest(bad), false);
  }
});

test('names and tags follow the distribution grammar', () => {
  for (const ok of ['a', 'library/busybox', 'a.b_c__d--e/f', 'x/manifests/y', '0']) assert.ok(isValidRepositoryName(ok), ok);
  for (const bad of ['', 'A', 'a//b', '/a', 'a/', 'a_', '-a', 'a..b', 'a___b', 'x'.repeat(256)]) assert.equal(isValidRepositoryName(bad), false, bad);
  assert.throws(() => checkRepositoryName('Bad'), (e: unknown) => e instanceof RegistryError && e.code === 'NAME_INVALID');
  assert.ok(isValidTag('v1.0-rc_1'));
  assert.ok(!isValidTag('.x'));
  assert.ok(!isValidTag('x'.repeat(129)));
});

test('Range headers of blob GETs', () => {
  assert.equal(parseRangeHeader(undefined, 10), undefined);
  assert.deepEqual(parseRangeHeader('bytes=0-3', 10), { start: 0, end: 3 });
  assert.deepEqual(parseRangeHeader('bytes=5-', 10), { start: 5, end: 9 });
  assert.deepEqual(parseRangeHeader('bytes=-4', 10), { start: 6, end: 9 });
  assert.deepEqual(parseRangeHeader('bytes=2-100', 10), { start: 2, end: 9 });
  assert.equal(parseRangeHeader('bytes=10-12', 10), 'unsatisfiable');
  assert.equal(parseRangeHeader('bytes=5-2', 10), 'unsatisfiable');
  assert.equal(parseRangeHeader('bytes=-0', 10), 'unsatisfiable');
  assert.equal(parseRangeHeader('items=0-1', 10), 'ignore');
  assert.equal(parseRangeHeader('bytes=0-1,3-4', 10), 'ignore');
});

test('Content-Range of upload chunks, and the Range an upload reports', () => {
  assert.equal(parseContentRange(undefined), undefined);
  assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
  assert.deepEqual(parseContentRange('bytes 100-199/400'), { start: 100, end: 199 });
  assert.equal(parseContentRange('9-3'), null);
  assert.equal(parseContentRange('abc'), null);
  assert.equal(uploadRangeHeader(0), '0-0');
  assert.equal(uploadRangeHeader(100), '0-99');
});

test('pagination with n/last and the Link header', () => {
  const all = ['c', 'a', 'b', 'd'];
  assert.deepEqual(paginate(all, undefined, null, '/v2/_catalog'), { items: ['a', 'b', 'c', 'd'] });
  const p1 = paginate(all, 2, null, '/v2/_catalog');
  assert.deepEqual(p1.items, ['a', 'b']);
  assert.equal(p1.link, '</v2/_catalog?n=2&last=b>; rel="next"');
  const p2 = paginate(all, 2, 'b', '/v2/_catalog');
  assert.deepEqual(p2, { items: ['c', 'd'] });
  assert.deepEqual(paginate(all, 0, null, '/x'), { items: [] });
  assert.deepEqual(paginate(all, 10, 'zz', '/x'), { items: [] });
  assert.equal(parsePageSize(null, 100), undefined);
  assert.equal(parsePageSize('5000', 1000), 1000);
  assert.throws(() => parsePageSize('-1', 10), (e: unknown) => e instanceof RegistryError && e.code === 'PAGINATION_NUMBER_INVALID');
  assert.throws(() => parsePageSize('x', 10), RegistryError);
});

test('scopes, challenges and Authorization headers', () => {
  assert.deepEqual(parseScope('repository:a/b:pull,push'), { type: 'repository', name: 'a/b', actions: ['pull', 'push'] });
  assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
  assert.deepEqual(parseScope('repository:localhost:5000/a:pull'), { type: 'repository', name: 'localhost:5000/a', actions: ['pull'] });
  assert.equal(parseScope('repository'), null);
  assert.equal(parseScope('repository:a'), null);
  assert.equal(parseScopes(['repository:a:pull repository:b:push', 'junk']).length, 2);
  assert.equal(
    bearerChallenge('http://127.0.0.1:5000/token', 'reg', { type: 'repository', name: 'a', actions: ['pull'] }, 'insufficient_scope'),
    'Bearer realm="http://127.0.0.1:5000/token",service="reg",scope="repository:a:pull",error="insufficient_scope"',
  );
  assert.deepEqual(accessForRequest('manifest', 'PUT', 'a'), { type: 'repository', name: 'a', actions: ['pull', 'push'] });
  assert.deepEqual(accessForRequest('blob', 'DELETE', 'a'), { type: 'repository', name: 'a', actions: ['delete'] });
  assert.deepEqual(accessForRequest('tags', 'GET', 'a'), { type: 'repository', name: 'a', actions: ['pull'] });
  assert.equal(accessForRequest('base', 'GET', undefined), undefined);
  const granted = [{ type: 'repository', name: 'a', actions: ['pull'] }];
  assert.ok(covers(granted, { type: 'repository', name: 'a', actions: ['pull'] }));
  assert.ok(!covers(granted, { type: 'repository', name: 'a', actions: ['pull', 'push'] }));
  assert.ok(!covers(granted, { type: 'repository', name: 'b', actions: ['pull'] }));
  assert.deepEqual(parseAuthorization(`Basic ${Buffer.from('u:p:w').toString('base64')}`), { scheme: 'basic', user: 'u', password: 'p:w' });
  assert.deepEqual(parseAuthorization('Bearer abc.def.ghi'), { scheme: 'bearer', token: 'abc.def.ghi' });
  assert.equal(parseAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`), null);
  assert.equal(parseAuthorization('Digest x'), null);
  assert.equal(parseAuthorization(undefined), null);
});

test('ACL: union of matching rules, ${user}, anonymous, and scopes cut down to the grant', () => {
  const acl = parseAcl(`
    # comment
    alice      *            *
    *          \${user}/*    pull,push
    *          library/*    pull
    anonymous  public/*     pull
  `);
  assert.deepEqual([...grantedActions(acl, 'alice', 'x/y')].sort(), ['delete', 'pull', 'push']);
  assert.deepEqual([...grantedActions(acl, 'bob', 'bob/app')].sort(), ['pull', 'push']);
  assert.deepEqual([...grantedActions(acl, 'bob', 'alice/app')], []);
  assert.deepEqual([...grantedActions(acl, 'bob', 'library/busybox')], ['pull']);
  assert.deepEqual([...grantedActions(acl, undefined, 'public/x')], ['pull']);
  assert.deepEqual([...grantedActions(acl, undefined, 'library/busybox')], []);
  assert.deepEqual(grantScopes(acl, 'bob', [{ type: 'repository', name: 'library/busybox', actions: ['pull', 'push'] }]), [
    { type: 'repository', name: 'library/busybox', actions: ['pull'] },
  ]);
  assert.deepEqual(grantScopes(acl, 'bob', [{ type: 'repository', name: 'alice/x', actions: ['push'] }]), []);
  assert.deepEqual(grantScopes(acl, undefined, [{ type: 'registry', name: 'catalog', actions: ['*'] }]), []);
  assert.deepEqual([...grantedActions(DEFAULT_ACL, 'anyone', 'a')].sort(), ['delete', 'pull', 'push']);
  assert.deepEqual([...grantedActions(DEFAULT_ACL, undefined, 'a')], []);
  assert.throws(() => parseAcl('alice * fly'), AclError);
  assert.throws(() => parseAcl('alice *'), AclError);
});

const desc = (mediaType: string, digest = D256, size = 10) => ({ mediaType, digest, size });

test('manifests: image, index, artifact with subject; invalid ones are MANIFEST_INVALID', () => {
  const img = {
    schemaVersion: 2,
    mediaType: MANIFEST_TYPES.DockerManifest,
    config: desc('application/vnd.docker.container.image.v1+json'),
    layers: [desc('application/vnd.docker.image.rootfs.diff.tar.gzip', D512), { ...desc('x', `sha256:${'c'.repeat(64)}`), urls: ['http://x'] }],
  };
  const p = parseManifest(Buffer.from(JSON.stringify(img)), MANIFEST_TYPES.DockerManifest);
  assert.equal(p.kind, 'image');
  assert.deepEqual(p.blobs.map((b) => b.digest), [D256, D512], 'foreign layers are not required');
  const art = { schemaVersion: 2, mediaType: MANIFEST_TYPES.OciManifest, artifactType: 'application/x.sig', config: desc('application/vnd.oci.empty.v1+json'), layers: [], subject: desc(MANIFEST_TYPES.OciManifest), annotations: { a: 'b' } };
  const pa = parseManifest(Buffer.from(JSON.stringify(art)), undefined);
  assert.equal(pa.subject?.digest, D256);
  assert.deepEqual(referrerDescriptor(pa, parseBlobDigest(D512), 5), { mediaType: MANIFEST_TYPES.OciManifest, digest: D512, size: 5, artifactType: 'application/x.sig', annotations: { a: 'b' } });
  const noType = { schemaVersion: 2, config: desc('application/x.cfg'), layers: [] };
  assert.equal(parseManifest(Buffer.from(JSON.stringify(noType)), 'application/vnd.oci.image.manifest.v1+json').artifactType, 'application/x.cfg');
  const idx = { schemaVersion: 2, manifests: [desc(MANIFEST_TYPES.OciManifest)] };
  const pi = parseManifest(Buffer.from(JSON.stringify(idx)), undefined);
  assert.equal(pi.mediaType, MANIFEST_TYPES.OciIndex);
  assert.equal(pi.manifests.length, 1);
  const bad: [unknown, string | undefined][] = [
    ['not json', undefined],
    [[], undefined],
    [{ schemaVersion: 1 }, undefined],
    [{ ...img, mediaType: MANIFEST_TYPES.OciManifest }, MANIFEST_TYPES.DockerManifest],
    [{ ...img, mediaType: 'application/x.unknown' }, undefined],
    [{ ...img, layers: 'x' }, undefined],
    [{ ...img, config: { mediaType: 'x', digest: 'sha256:zz', size: 1 } }, undefined],
    [{ ...img, config: { mediaType: 'x', digest: D256, size: -1 } }, undefined],
    [{ ...img, annotations: { a: 1 } }, undefined],
    [{ schemaVersion: 2, mediaType: MANIFEST_TYPES.OciIndex, manifests: {} }, undefined],
  ];
  for (const [doc, ct] of bad) {
    const body = Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));
    assert.throws(() => parseManifest(body, ct), (e: unknown) => e instanceof RegistryError && e.code === 'MANIFEST_INVALID', body.toString().slice(0, 80));
  }
});

test('error bodies carry code, message and detail', () => {
  const body = JSON.parse(errorBody([new RegistryError('BLOB_UNKNOWN', undefined, { digest: D256 }), new RegistryError('DENIED')]));
  assert.deepEqual(body, {
    errors: [
      { code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: D256 } },
      { code: 'DENIED', message: 'requested access to the resource is denied' },
    ],
  });
  assert.equal(new RegistryError('RANGE_INVALID').status, 416);
});
