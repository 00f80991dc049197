// berth-registry against real peers, each speaking its own implementation of the protocol: skopeo
// (containers/image), a real dockerd 20.10 driven by the docker CLI (push, pull by tag and digest,
// search, login with basic and with token auth), and Debian's docker-registry (distribution 2.8) as
// the reference the same flows are checked against. Everything on 127.0.0.1; dockerd treats loopback
// registries as insecure (plain HTTP) by default.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, startRegistry, run, freePort, TestRegistry, BUSYBOX_TAR, type TestDaemon, type RunResult } from './harness/index.js';
import { writeDockerArchive } from './harness/archives.js';
import { startReferenceRegistry } from './harness/reference-registry.js';

const SKOPEO = '/usr/bin/skopeo';
const HTPASSWD = '/usr/bin/htpasswd';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-interop-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const reg = await startRegistry({ after });
const ref = await startReferenceRegistry({ after });
const dockerd: TestDaemon = await startDaemon({ after }, { engine: 'dockerd' });

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const skopeo = (args: string[]) => run(SKOPEO, ['--insecure-policy', ...args], { timeout: 120_000 });
const docker = (args: string[], input?: string) => dockerd.docker(args, { timeout: 120_000, ...(input !== undefined ? { input } : {}) });

/** The `digest: sha256:... size: N` line docker push ends with. */
function pushedDigest(out: string): string {
  const m = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(out);
  assert.ok(m, `no digest in push output:\n${out}`);
  return m[1]!;
}

async function imageId(ref: string): Promise<string> {
  return ok(await docker(['image', 'inspect', '-f', '{{.Id}}', ref]), `inspect ${ref}`).stdout.trim();
}

/** An htpasswd file with bcrypt entries, written by Apache's own tool as the issue asks (`htpasswd -B`). */
async function htpasswdFile(name: string, users: Record<string, string>): Promise<string> {
  const file = path.join(work, name);
  let first = true;
  for (const [u, p] of Object.entries(users)) {
    ok(await run(HTPASSWD, [first ? '-Bbc' : '-Bb', file, u, p]), 'htpasswd');
    first = false;
  }
  return file;
}

test('skopeo: copy a docker-archive into berth-registry, inspect it, copy it out to an OCI layout and back in', async () => {
  const archive = path.join(work, 'busybox.tar');
  const { imageId: configDigest } = await writeDockerArchive(archive, { repoTags: ['interop/busybox:v1'], layers: [{ tarFile: BUSYBOX_TAR }], cmd: ['sh'] });
  ok(await skopeo(['copy', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${reg.host}/skopeo/busybox:v1`]), 'skopeo copy in');
  const info = JSON.parse(ok(await skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/skopeo/busybox:v1`]), 'skopeo inspect').stdout);
  assert.equal(info.Name, `${reg.host}/skopeo/busybox`);
  assert.deepEqual(info.RepoTags, ['v1']);
  assert.equal(info.Os, 'linux');
  assert.equal(info.Layers.length, 1);
  const raw = ok(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/skopeo/busybox:v1`]), 'skopeo inspect --raw').stdout;
  const manifest = JSON.parse(raw);
  assert.equal(manifest.config.digest, configDigest, 'the config went through byte for byte');
  const served = await reg.request('GET', '/v2/skopeo/busybox/manifests/v1', { headers: { Accept: manifest.mediaType } });
  assert.equal(served.headers['docker-content-digest'], info.Digest, 'skopeo reports the digest the registry serves');
  assert.equal(served.text, raw);

  // Out to an OCI layout (skopeo converts to OCI media types), then that layout into a second
  // repository: the same layer blob is mounted or skipped, and an OCI manifest is stored.
  const layout = path.join(work, 'oci-layout');
  ok(await skopeo(['copy', '--src-tls-verify=false', `docker://${reg.host}/skopeo/busybox:v1`, `oci:${layout}:v1`]), 'skopeo copy out');
  assert.ok(fs.existsSync(path.join(layout, 'blobs', 'sha256', manifest.layers[0].digest.slice(7))), 'the layer arrived in the layout');
  ok(await skopeo(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/skopeo/oci:v1`]), 'skopeo copy layout in');
  const oci = JSON.parse(ok(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/skopeo/oci:v1`]), 'inspect oci').stdout);
  assert.equal(oci.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(oci.layers[0].digest, manifest.layers[0].digest);
  // And back out of berth-registry into the reference registry, registry to registry.
  ok(await skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${reg.host}/skopeo/oci:v1`, `docker://${ref.host}/skopeo/oci:v1`]), 'skopeo copy to docker-registry');
  const there = JSON.parse(ok(await skopeo(['inspect', '--tls-verify=false', `docker://${ref.host}/skopeo/oci:v1`]), 'inspect on docker-registry').stdout);
  const here = JSON.parse(ok(await skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/skopeo/oci:v1`]), 'inspect on berth-registry').stdout);
  assert.equal(there.Digest, here.Digest, 'both registries serve the same manifest bytes');
  const tags = JSON.parse(ok(await skopeo(['list-tags', '--tls-verify=false', `docker://${reg.host}/skopeo/busybox`]), 'list-tags').stdout);
  assert.deepEqual(tags.Tags, ['v1']);
});

test('dockerd 20.10 pushes to and pulls from berth-registry by tag and by digest; the pulled image runs', async () => {
  const name = `${reg.host}/interop/busybox`;
  ok(await docker(['tag', 'busybox', `${name}:v1`]), 'tag');
  const original = await imageId(`${name}:v1`);
  const push = ok(await docker(['push', `${name}:v1`]), 'push');
  const digest = pushedDigest(push.stdout);
  assert.match(push.stdout, /Pushed/);
  const again = ok(await docker(['push', `${name}:v1`]), 'push again');
  assert.match(again.stdout, /Layer already exists/);
  assert.equal(pushedDigest(again.stdout), digest);
  // A second repository: dockerd mounts the layer across repositories instead of uploading it.
  ok(await docker(['tag', 'busybox', `${reg.host}/interop/mounted:v1`]), 'tag');
  const mounted = ok(await docker(['push', `${reg.host}/interop/mounted:v1`]), 'push to a second repository');
  assert.match(mounted.stdout, /Mounted from interop\/busybox/);

  ok(await docker(['rmi', `${name}:v1`, `${reg.host}/interop/mounted:v1`, 'busybox']), 'rmi');
  const pull = ok(await docker(['pull', `${name}:v1`]), 'pull by tag');
  assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
  assert.match(pull.stdout, /Downloaded newer image/);
  assert.equal(await imageId(`${name}:v1`), original, 'the same image came back');
  ok(await docker(['rmi', `${name}:v1`]), 'rmi');
  const byDigest = ok(await docker(['pull', `${name}@${digest}`]), 'pull by digest');
  assert.match(byDigest.stdout, new RegExp(`Digest: ${digest}`));
  assert.equal(await imageId(`${name}@${digest}`), original);
  const repoDigests = ok(await docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', `${name}@${digest}`]), 'RepoDigests').stdout;
  assert.deepEqual(JSON.parse(repoDigests), [`${name}@${digest}`]);
  const r = ok(await docker(['run', '--rm', '--network', 'none', `${name}@${digest}`, 'echo', 'pulled and ran']), 'run');
  assert.equal(r.stdout, 'pulled and ran\n');
  const unknown = await docker(['pull', `${name}:never-pushed`]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /manifest unknown/);
  // Restore busybox for the tests after this one.
  ok(await docker(['tag', `${name}@${digest}`, 'busybox:latest']), 'tag busybox back');
});

test('the same pushes against docker-registry 2.8: the same manifest digest, and dockerd pulls it back', async () => {
  const ours = `${reg.host}/interop/same:v1`;
  const theirs = `${ref.host}/interop/same:v1`;
  ok(await docker(['tag', 'busybox', ours]), 'tag');
  ok(await docker(['tag', 'busybox', theirs]), 'tag');
  const a = pushedDigest(ok(await docker(['push', ours]), 'push to berth-registry').stdout);
  const b = pushedDigest(ok(await docker(['push', theirs]), 'push to docker-registry').stdout);
  assert.equal(a, b, 'one image, one manifest digest, whichever registry took it');
  ok(await docker(['rmi', theirs]), 'rmi');
  ok(await docker(['pull', `${ref.host}/interop/same@${b}`]), 'pull by digest from docker-registry');
  // Manifest HEADs agree header for header where the spec fixes them.
  for (const host of [reg.host, ref.host]) {
    const h = await run('curl', ['-sSI', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json', `http://${host}/v2/interop/same/manifests/v1`]);
    assert.match(h.stdout, /^HTTP\/1\.1 200/m, host);
    assert.match(h.stdout, new RegExp(`^Docker-Content-Digest: ${a}\\r?$`, 'mi'), host);
    assert.match(h.stdout, /^Content-Type: application\/vnd\.docker\.distribution\.manifest\.v2\+json\r?$/im, host);
    assert.match(h.stdout, /^Docker-Distribution-Api-Version: registry\/2\.0\r?$/im, host);
  }
});

test('docker search through dockerd finds what was pushed (GET /v1/search); docker-registry has no search', async () => {
  const s = ok(await docker(['search', '--no-trunc', `${reg.host}/interop`]), 'search');
  const names = s.stdout.split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter(Boolean);
  assert.ok(names.includes('interop/busybox'), s.stdout);
  assert.ok(names.includes('interop/mounted'), s.stdout);
  assert.ok(!names.includes('skopeo/busybox'), 'only names holding the term');
  const limited = ok(await docker(['search', '--limit', '1', `${reg.host}/interop`]), 'search --limit');
  assert.equal(limited.stdout.trim().split('\n').length, 2, 'a header and one result');
  const json = ok(await docker(['search', '--format', '{{json .}}', `${reg.host}/busybox`]), 'search --format').stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(json.some((x: { Name: string }) => x.Name === 'interop/busybox'));
  const none = ok(await docker(['search', `${reg.host}/no-such-thing`]), 'search without hits');
  assert.equal(none.stdout.trim().split('\n').length, 1, 'only the header');
  const theirs = await docker(['search', `${ref.host}/interop`]);
  assert.notEqual(theirs.code, 0, 'the reference registry answers 404 to /v1/search');
});

/** docker login / push / logout / wrong password against one registry `host` with user alice. */
async function loginFlows(host: string, repo: string): Promise<{ wrong: RunResult }> {
  const anonymous = await docker(['push', `${host}/${repo}:v1`]);
  assert.notEqual(anonymous.code, 0, `an anonymous push to ${host} is refused`);
  // dockerd's words: "no basic auth credentials" (basic), or for a token without the push grant its
  // own "denied: requested access to the resource is denied" (what Docker Hub users see too).
  assert.match(anonymous.stderr, /no basic auth credentials|requested access to the resource is denied/i);
  const wrong = await docker(['login', '-u', 'alice', '--password-stdin', host], 'not-the-password');
  assert.notEqual(wrong.code, 0, 'a wrong password is refused');
  assert.doesNotMatch(wrong.stdout, /Login Succeeded/);
  const right = ok(await docker(['login', '-u', 'alice', '--password-stdin', host], 'alice-secret'), 'login');
  assert.match(right.stdout, /Login Succeeded/);
  const cfg = JSON.parse(fs.readFileSync(path.join(dockerd.dockerConfig, 'config.json'), 'utf8'));
  assert.ok(cfg.auths[host], 'the CLI stored the credentials');
  const pushed = pushedDigest(ok(await docker(['push', `${host}/${repo}:v1`]), 'push after login').stdout);
  ok(await docker(['rmi', `${host}/${repo}:v1`]), 'rmi');
  ok(await docker(['pull', `${host}/${repo}@${pushed}`]), 'pull after login');
  ok(await docker(['logout', host]), 'logout');
  const afterLogout = await docker(['pull', `${host}/${repo}:v1`]);
  assert.notEqual(afterLogout.code, 0, 'a pull after logout is refused');
  return { wrong };
}

test('docker login with htpasswd basic auth (berth-registry and docker-registry alike); a wrong password refused', async (t) => {
  const file = await htpasswdFile('basic.htpasswd', { alice: 'alice-secret', bob: 'bob-secret' });
  const ours = await startRegistry(t, ['--htpasswd', file]);
  const theirs = await startReferenceRegistry(t, { htpasswd: file });
  for (const host of [ours.host, theirs.host]) ok(await docker(['tag', 'busybox', `${host}/private/app:v1`]), 'tag');
  const a = await loginFlows(ours.host, 'private/app');
  const b = await loginFlows(theirs.host, 'private/app');
  // dockerd words the refusal the same way for both registries.
  for (const w of [a.wrong, b.wrong]) assert.match(w.stderr, /unauthorized/i);
  // Search answers what the caller may pull: nothing for an anonymous caller, the repository once
  // signed in (dockerd sends the stored credentials with its v1 search).
  const anonymousSearch = ok(await docker(['search', `${ours.host}/private`]), 'anonymous search');
  assert.equal(anonymousSearch.stdout.trim().split('\n').length, 1, 'only the header');
  ok(await docker(['login', '-u', 'bob', '--password-stdin', ours.host], 'bob-secret'), 'bob login');
  const signedIn = ok(await docker(['search', `${ours.host}/private`]), 'search signed in');
  assert.match(signedIn.stdout, /^private\/app\s/m);
  ok(await docker(['logout', ours.host]), 'logout');
  const probe = await ours.request('GET', '/v2/');
  assert.equal(probe.status, 401);
  assert.equal(probe.headers['www-authenticate'], 'Basic realm="berth-registry"');
  assert.equal(probe.json<{ errors: { code: string }[] }>().errors[0]!.code, 'UNAUTHORIZED');
  const sk = await skopeo(['inspect', '--tls-verify=false', '--creds', 'bob:bob-secret', `docker://${ours.host}/private/app:v1`]);
  ok(sk, 'skopeo with basic credentials');
  const skWrong = await skopeo(['inspect', '--tls-verify=false', '--creds', 'bob:wrong', `docker://${ours.host}/private/app:v1`]);
  assert.notEqual(skWrong.code, 0);
  assert.match(skWrong.stderr, /unauthorized|authentication required/i);
});

test('docker login with token auth: dockerd follows the Bearer challenge to the token endpoint; scopes per repository', async (t) => {
  const file = await htpasswdFile('token.htpasswd', { alice: 'alice-secret', eve: 'eve-secret' });
  const acl = path.join(work, 'token.acl');
  // alice may do everything; eve may only pull.
  fs.writeFileSync(acl, 'alice * *\neve * pull\n');
  // The realm names the registry's own address, so the port is chosen before it starts.
  const port = await freePort();
  const ours = new TestRegistry(['--htpasswd', file, '--acl', acl, '--token-realm', `http://127.0.0.1:${port}/token`, '--token-service', 'berth-interop']);
  t.after(() => ours.cleanup());
  await ours.start(`127.0.0.1:${port}`);
  const probe = await ours.request('GET', '/v2/');
  assert.equal(probe.status, 401);
  assert.equal(probe.headers['www-authenticate'], `Bearer realm="http://127.0.0.1:${port}/token",service="berth-interop"`);
  ok(await docker(['tag', 'busybox', `${ours.host}/tok/app:v1`]), 'tag');
  await loginFlows(ours.host, 'tok/app');
  // eve can log in and pull, but her token carries no push grant: dockerd reports the refusal.
  ok(await docker(['login', '-u', 'eve', '--password-stdin', ours.host], 'eve-secret'), 'eve login');
  ok(await docker(['pull', `${ours.host}/tok/app:v1`]), 'eve pulls');
  ok(await docker(['tag', 'busybox', `${ours.host}/tok/eve:v1`]), 'tag');
  const denied = await docker(['push', `${ours.host}/tok/eve:v1`]);
  assert.notEqual(denied.code, 0, 'a push without the push grant is refused');
  assert.match(denied.stderr, /denied|unauthorized|authentication required/i);
  const search = ok(await docker(['search', `${ours.host}/tok`]), 'search signed in (token mode)');
  assert.match(search.stdout, /^tok\/app\s/m);
  ok(await docker(['logout', ours.host]), 'logout');
  // skopeo follows the same challenge with its own client code.
  const sk = JSON.parse(ok(await skopeo(['inspect', '--tls-verify=false', '--creds', 'eve:eve-secret', `docker://${ours.host}/tok/app:v1`]), 'skopeo with a token').stdout);
  assert.equal(sk.Name, `${ours.host}/tok/app`);
  const skWrong = await skopeo(['inspect', '--tls-verify=false', '--creds', 'eve:wrong', `docker://${ours.host}/tok/app:v1`]);
  assert.notEqual(skWrong.code, 0, 'skopeo with a wrong password is refused');
  assert.match(skWrong.stderr, /unauthorized|authentication required|incorrect username or password/i);
});
