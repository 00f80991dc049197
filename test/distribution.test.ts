// Pull, push, login and search with the real docker CLI against berthd and real registries: a
// berth-registry (plain, with htpasswd basic auth, with token auth), Debian's docker-registry
// (distribution 2.8), --registry-mirror serving `docker pull busybox`, and a tiny HTTP proxy in front
// of a registry that cuts or corrupts layer downloads (the one stand-in: no real registry misbehaves
// on demand). Each failure is checked for Docker's message and for nothing stored half.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { spawn } from 'node:child_process';
import { startDaemon, startRegistry, run, freePort, TestRegistry, DOCKER_BIN, type TestDaemon, type RunResult } from './harness/index.js';
import { startReferenceRegistry } from './harness/reference-registry.js';

const T = { timeout: 180_000 };

function ok(r: RunResult, what = ''): string {
  assert.equal(r.code, 0, `${what} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\n--- berthd log (tail) ---\n${d?.logTail(30)}`);
  return r.stdout;
}

function fails(r: RunResult, re: RegExp, what = ''): void {
  assert.notEqual(r.code, 0, `${what} should fail\nstdout: ${r.stdout}`);
  assert.match(r.stderr, re, `${what}: stderr was ${r.stderr}`);
}

/** A proxy in front of a registry that can cut or corrupt the first big blob download it forwards. */
class BlobProxy {
  mode: 'pass' | 'cut-once' | 'cut-always' | 'corrupt' | 'stall' = 'pass';
  cuts = 0;
  /** Set once a 'stall' download has sent its first half and stopped sending. */
  stalled = false;
  host = '';
  private server: http.Server | undefined;
  constructor(private readonly upstream: string) {}

  async start(): Promise<void> {
    const [uh, up] = this.upstream.split(':');
    this.server = http.createServer((req, res) => {
      const fwd = http.request({ host: uh, port: Number(up), method: req.method, path: req.url, headers: req.headers }, (ures) => {
        const isBlob = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '');
        const len = Number(ures.headers['content-length'] ?? 0);
        const tamper = isBlob && len > 128 * 1024 && this.mode !== 'pass' && !(this.mode === 'cut-once' && this.cuts > 0);
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        if (!tamper) {
          ures.pipe(res);
          return;
        }
        // cut-once: half-way through the first big download; cut-always: 64 KiB into every one, so
        // resuming with Range makes too little progress to ever finish.
        const cutAt = this.mode === 'cut-always' ? 64 * 1024 : Math.floor(len / 2);
        let sent = 0;
        let flipped = false;
        let done = false;
        ures.on('data', (chunk: Buffer) => {
          if (done) return;
          if (this.mode === 'corrupt') {
            if (!flipped && sent + chunk.length > len / 2) {
              chunk = Buffer.from(chunk);
              chunk[0] = chunk[0]! ^ 0xff;
              flipped = true;
            }
            sent += chunk.length;
            res.write(chunk);
            return;
          }
          if (this.mode === 'stall' && sent + chunk.length >= cutAt) {
            // Half the blob, then silence with the connection open: a registry that hangs.
            done = true;
            res.write(chunk.subarray(0, Math.max(0, cutAt - sent)), () => (this.stalled = true));
            ures.destroy();
            return;
          }
          if (sent + chunk.length >= cutAt) {
            done = true;
            const part = chunk.subarray(0, Math.max(0, cutAt - sent));
            sent += part.length;
            this.cuts++;
            res.write(part, () => {
              res.socket?.destroy();
              ures.destroy();
            });
            return;
          }
          sent += chunk.length;
          res.write(chunk);
        });
        ures.on('end', () => done || res.end());
      });
      fwd.on('error', () => res.destroy());
      req.pipe(fwd);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.host = `127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-dist-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const reg = await startRegistry({ after });
// The mirror is the same berth-registry: it holds library/busybox once the first test pushed it there.
const d: TestDaemon = await startDaemon({ after }, { args: ['--registry-mirror', `http://${reg.host}`] });

/** busybox plus one layer of `mb` MiB of random bytes (incompressible: big enough to cut mid-way). */
async function randomImage(name: string, mb: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(tmp, 'ctx-'));
  fs.writeFileSync(path.join(dir, 'random.bin'), crypto.randomBytes(mb * 1024 * 1024));
  fs.writeFileSync(path.join(dir, 'hello'), `hello from ${name}\n`);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY random.bin hello /\n');
  ok(await d.docker(['build', '-q', '-t', name, dir], { timeout: 120_000 }), 'build');
}

// With BERTH_TEST_ENGINE=dockerd (to check the expectations against dockerd 20.10) there is no berth
// store to look into: those checks then compare empty lists.
function layerDirs(): string[] {
  if (d.engine === 'dockerd') return [];
  return fs.readdirSync(path.join(d.dataRoot, 'layers')).sort();
}

function ingestLeft(): string[] {
  if (d.engine === 'dockerd') return [];
  return fs.readdirSync(path.join(d.dataRoot, 'content', 'ingest'));
}

const repo = `${reg.host}/test/busybox`;
let pushedDigest = '';
let busyboxId = '';

test('docker push to berth-registry: progress, digest line, then "Layer already exists" and a cross-repository mount', T, async () => {
  busyboxId = ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
  ok(await d.docker(['tag', 'busybox', `${repo}:v1`]));
  const r = await d.docker(['push', `${repo}:v1`], { timeout: 120_000 });
  const out = ok(r, 'push');
  assert.match(out, new RegExp(`The push refers to repository \\[${reg.host}/test/busybox\\]`));
  assert.match(out, /: Pushed/);
  const m = /v1: digest: (sha256:[a-f0-9]{64}) size: (\d+)/.exec(out);
  assert.ok(m, out);
  pushedDigest = m[1]!;
  // The registry holds what we said: the manifest under that digest, with the config as the image ID.
  const man = await reg.request('GET', `/v2/test/busybox/manifests/v1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(man.status, 200);
  assert.equal(man.headers['docker-content-digest'], pushedDigest);
  assert.equal(man.json().config.digest, busyboxId);
  assert.equal(Number(m[2]), man.body.length);
  // RepoDigests recorded by the push.
  const digests = JSON.parse(ok(await d.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', 'busybox'])));
  assert.ok(digests.includes(`${repo}@${pushedDigest}`), JSON.stringify(digests));

  const again = ok(await d.docker(['push', `${repo}:v1`]), 'second push');
  assert.match(again, /: Layer already exists/);
  assert.match(again, new RegExp(`v1: digest: ${pushedDigest}`));

  ok(await d.docker(['tag', 'busybox', `${reg.host}/other/copy:v1`]));
  const mounted = ok(await d.docker(['push', `${reg.host}/other/copy:v1`]), 'push to another repository');
  assert.match(mounted, /: Mounted from test\/busybox/);
  // And the Docker Hub name the mirror serves later.
  ok(await d.docker(['tag', 'busybox', `${reg.host}/library/busybox:latest`]));
  ok(await d.docker(['push', `${reg.host}/library/busybox:latest`]));
});

test('docker pull by tag after rmi: per-layer progress, Digest and Status lines, RepoDigests, images --digests, run', T, async () => {
  ok(await d.docker(['rmi', `${repo}:v1`]));
  const r = await d.docker(['pull', `${repo}:v1`], { timeout: 120_000 });
  const out = ok(r, 'pull');
  assert.match(out, /v1: Pulling from test\/busybox/);
  assert.match(out, new RegExp(`Digest: ${pushedDigest}`));
  assert.match(out, new RegExp(`Status: (Downloaded newer image|Image is up to date) for ${reg.host}/test/busybox:v1`));
  assert.equal(ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', `${repo}:v1`])).trim(), busyboxId);
  const again = ok(await d.docker(['pull', `${repo}:v1`]), 'second pull');
  assert.match(again, new RegExp(`Status: Image is up to date for ${reg.host}/test/busybox:v1`));
  const list = ok(await d.docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}', `${repo}`]));
  assert.match(list, new RegExp(`${reg.host}/test/busybox v1 ${pushedDigest}`));
  assert.equal(ok(await d.docker(['run', '--rm', `${repo}:v1`, 'echo', 'pulled and ran'])).trim(), 'pulled and ran');
});

test('a fresh pull shows Docker\'s per-layer lines, and pull by digest works with the image removed', T, async () => {
  await randomImage(`${reg.host}/test/fresh:v1`, 2);
  ok(await d.docker(['push', `${reg.host}/test/fresh:v1`]));
  const id = ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', `${reg.host}/test/fresh:v1`])).trim();
  ok(await d.docker(['rmi', `${reg.host}/test/fresh:v1`]));
  const api = await d.api('POST', `/images/create?fromImage=${encodeURIComponent(`${reg.host}/test/fresh`)}&tag=v1`, { timeout: 120_000 });
  assert.equal(api.status, 200, api.text);
  const lines = api.text.trim().split(/\r?\n/).map((l) => JSON.parse(l) as { status?: string; id?: string; progressDetail?: { current?: number; total?: number } });
  const statuses = lines.map((l) => l.status);
  for (const s of ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) assert.ok(statuses.includes(s), `${s} missing in ${api.text}`);
  const dl = lines.find((l) => l.status === 'Downloading')!;
  assert.ok(dl.progressDetail!.total! > 2 * 1024 * 1024 && dl.id!.length === 12, JSON.stringify(dl));
  assert.match(statuses[statuses.length - 1]!, new RegExp(`Status: Downloaded newer image for ${reg.host}/test/fresh:v1`));
  const digest = /Digest: (sha256:[a-f0-9]{64})/.exec(api.text)![1]!;

  ok(await d.docker(['rmi', `${reg.host}/test/fresh:v1`]));
  const byDigest = ok(await d.docker(['pull', `${reg.host}/test/fresh@${digest}`]), 'pull by digest');
  assert.match(byDigest, new RegExp(`Status: Downloaded newer image for ${reg.host}/test/fresh@${digest}`));
  assert.equal(ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', `${reg.host}/test/fresh@${digest}`])).trim(), id);
  assert.equal(ok(await d.docker(['run', '--rm', `${reg.host}/test/fresh@${digest}`, 'cat', '/hello'])).trim(), `hello from ${reg.host}/test/fresh:v1`);
});

test('docker run of a missing image pulls it first', T, async () => {
  ok(await d.docker(['rmi', '-f', `${reg.host}/other/copy:v1`]));
  const r = await d.docker(['run', '--rm', `${reg.host}/other/copy:v1`, 'echo', 'auto-pulled'], { timeout: 120_000 });
  assert.equal(ok(r, 'run').trim(), 'auto-pulled');
  assert.match(r.stderr, new RegExp(`Unable to find image '${reg.host}/other/copy:v1' locally`));
});

test('docker pull busybox is served by --registry-mirror', T, async () => {
  ok(await d.docker(['tag', 'busybox', 'keep/busybox:orig']));
  ok(await d.docker(['rmi', 'busybox']));
  const out = ok(await d.docker(['pull', 'busybox'], { timeout: 120_000 }), 'pull through the mirror');
  assert.match(out, /latest: Pulling from library\/busybox/);
  assert.match(out, /Status: (Downloaded newer image|Image is up to date) for busybox:latest/);
  assert.equal(ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim(), busyboxId);
  const rd = JSON.parse(ok(await d.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', 'busybox'])));
  assert.ok(rd.some((x: string) => /^busybox@sha256:/.test(x)), JSON.stringify(rd));
  // A mirror serves pulls only: a push of a Docker Hub name goes to Docker Hub (here a dead loopback
  // port, see the harness), never to the mirror.
  // (berthd only: dockerd would try the real Docker Hub, and tests send nothing off this machine.)
  if (d.engine === 'berthd') {
    ok(await d.docker(['tag', 'busybox', 'someorg/pushed:v1']));
    fails(await d.docker(['push', 'someorg/pushed:v1']), /127\.0\.0\.1:9\/v2\/": dial tcp 127\.0\.0\.1:9: connect: connection refused/, 'push of a docker.io name');
    assert.equal((await reg.request('GET', '/v2/someorg/pushed/tags/list')).status, 404);
  }
});

test('docker info shows the mirror and the loopback as insecure', T, async () => {
  const out = ok(await d.docker(['info']), 'info');
  assert.match(out, new RegExp(`Registry Mirrors:\\s*\\n\\s*http://${reg.host}/`));
  assert.match(out, /Insecure Registries:\s*\n\s*127\.0\.0\.0\/8/);
});

const sha256 = (b: Buffer | string) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

async function putBlob(r: TestRegistry, repoName: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const res = await r.request('POST', `/v2/${repoName}/blobs/uploads/?digest=${digest}`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(res.status, 201, res.text);
  return digest;
}

test('an OCI index: this host\'s platform chosen, a zstd layer unpacked, --platform honoured, the index digest recorded', T, async () => {
  // dockerd 20.10 cannot unpack zstd layers (Docker reads them since 23.0): berth's expectation only.
  if (d.engine === 'dockerd') return;
  const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
  // The busybox layer, mounted from the repository the first test pushed it to.
  const base = (await reg.request('GET', '/v2/test/busybox/manifests/v1', { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).json();
  const baseLayer = base.layers[0];
  const mount = await reg.request('POST', `/v2/test/multi/blobs/uploads/?mount=${baseLayer.digest}&from=test/busybox`, { body: '' });
  assert.equal(mount.status, 201, mount.text);
  const baseConfig = (await reg.request('GET', `/v2/test/busybox/blobs/${base.config.digest}`)).json();
  // A second layer, zstd-compressed by the zstd tool.
  const dir = fs.mkdtempSync(path.join(tmp, 'zstd-'));
  fs.writeFileSync(path.join(dir, 'zfile'), 'unpacked from zstd\n');
  const layerTar = path.join(tmp, 'zlayer.tar');
  ok(await run('tar', ['-C', dir, '-cf', layerTar, 'zfile']), 'tar');
  ok(await run('zstd', ['-q', '-f', layerTar, '-o', `${layerTar}.zst`]), 'zstd');
  const tarBytes = fs.readFileSync(layerTar);
  const zst = fs.readFileSync(`${layerTar}.zst`);
  const zDigest = await putBlob(reg, 'test/multi', zst);
  const manifestFor = async (arch: string) => {
    const config = Buffer.from(JSON.stringify({ ...baseConfig, architecture: arch, config: { ...baseConfig.config, Cmd: ['cat', '/zfile'] }, rootfs: { type: 'layers', diff_ids: [...baseConfig.rootfs.diff_ids, sha256(tarBytes)] } }));
    const cfgDigest = await putBlob(reg, 'test/multi', config);
    const m = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfgDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: baseLayer.digest, size: baseLayer.size }, { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: zDigest, size: zst.length }],
    }));
    const put = await reg.request('PUT', `/v2/test/multi/manifests/${sha256(m)}`, { body: m, headers: { 'Content-Type': OCI_MANIFEST } });
    assert.equal(put.status, 201, put.text);
    return { digest: sha256(m), size: m.length, cfgDigest };
  };
  const arm = await manifestFor('arm64');
  const amd = await manifestFor('amd64');
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: OCI_MANIFEST, digest: arm.digest, size: arm.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: OCI_MANIFEST, digest: amd.digest, size: amd.size, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  }));
  const put = await reg.request('PUT', '/v2/test/multi/manifests/latest', { body: index, headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } });
  assert.equal(put.status, 201, put.text);

  const name = `${reg.host}/test/multi:latest`;
  const out = ok(await d.docker(['pull', name]), 'pull of an index');
  assert.match(out, new RegExp(`Digest: ${sha256(index)}`));
  assert.equal(ok(await d.docker(['image', 'inspect', '-f', '{{.Id}} {{.Architecture}}', name])).trim(), `${amd.cfgDigest} amd64`);
  assert.ok(JSON.parse(ok(await d.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', name]))).includes(`${reg.host}/test/multi@${sha256(index)}`));
  assert.equal(ok(await d.docker(['run', '--rm', name])).trim(), 'unpacked from zstd');

  const armOut = ok(await d.docker(['pull', '--platform', 'linux/arm64', name]), 'pull --platform linux/arm64');
  assert.match(armOut, /Status: Downloaded newer image/);
  assert.equal(ok(await d.docker(['image', 'inspect', '-f', '{{.Id}} {{.Architecture}}', name])).trim(), `${arm.cfgDigest} arm64`);
  fails(await d.docker(['pull', '--platform', 'linux/s390x', name]), /no matching manifest for linux\/s390x in the manifest list entries/, 'no such platform');
});

test('docker search finds what was pushed', T, async () => {
  const out = ok(await d.docker(['search', `${reg.host}/busybox`]), 'search');
  assert.match(out, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL/m);
  assert.match(out, /test\/busybox/);
  assert.match(out, /library\/busybox/);
  const none = ok(await d.docker(['search', `${reg.host}/nothing-like-this`]));
  assert.doesNotMatch(none, /busybox/);
  const limited = ok(await d.docker(['search', '--limit', '1', '--format', '{{.Name}}', `${reg.host}/busybox`]));
  assert.equal(limited.trim().split('\n').length, 1);
});

test('bad input: unknown tag, unknown repository, wrong digest, bad name: Docker\'s messages, nothing stored', T, async () => {
  const before = layerDirs();
  fails(await d.docker(['pull', `${repo}:nosuch`]), new RegExp(`manifest for ${reg.host}/test/busybox:nosuch not found: manifest unknown: `), 'unknown tag');
  const unknownRepo = await d.docker(['pull', `${reg.host}/no/such-repo:v1`]);
  fails(unknownRepo, /not found|name unknown|manifest unknown/, 'unknown repository');
  const zero = `sha256:${'0'.repeat(64)}`;
  fails(await d.docker(['pull', `${repo}@${zero}`]), /manifest unknown/, 'unknown digest');
  const api = await d.api('POST', `/images/create?fromImage=${encodeURIComponent(`${reg.host}/test/busybox`)}&tag=nosuch`);
  assert.equal(api.status, 404, api.text);
  assert.match(api.json<{ message: string }>().message, /^manifest for .*test\/busybox:nosuch not found: manifest unknown: /);
  const bad = await d.api('POST', `/images/create?fromImage=${encodeURIComponent(`${reg.host}/Bad_Name`)}&tag=v1`);
  assert.equal(bad.status, 400, bad.text);
  assert.match(bad.json<{ message: string }>().message, /invalid reference format/);
  assert.deepEqual(layerDirs(), before);
});

test('a manifest naming a blob the registry lost: the pull fails in the stream and stores nothing', T, async () => {
  await randomImage(`${reg.host}/test/lost:v1`, 1);
  ok(await d.docker(['push', `${reg.host}/test/lost:v1`]));
  const man = (await reg.request('GET', '/v2/test/lost/manifests/v1', { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).json();
  // The top layer (the random one: the busybox layer below it is already here).
  const del = await reg.request('DELETE', `/v2/test/lost/blobs/${man.layers[man.layers.length - 1].digest}`);
  assert.equal(del.status, 202, del.text);
  ok(await d.docker(['rmi', `${reg.host}/test/lost:v1`]));
  const before = layerDirs();
  const r = await d.docker(['pull', `${reg.host}/test/lost:v1`]);
  fails(r, /^unknown blob$/m, 'pull of a manifest with a missing blob');
  assert.deepEqual(layerDirs(), before);
  assert.deepEqual(ingestLeft(), []);
  assert.equal(ok(await d.docker(['images', '-q', `${reg.host}/test/lost`])).trim(), '');
});

test('a registry that drops the connection mid-layer: resumed once, reported cleanly when it keeps doing it, corrupt bytes refused', T, async () => {
  await randomImage(`${reg.host}/test/big:v1`, 4);
  ok(await d.docker(['push', `${reg.host}/test/big:v1`]));
  const id = ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', `${reg.host}/test/big:v1`])).trim();
  ok(await d.docker(['rmi', `${reg.host}/test/big:v1`]));
  const proxy = new BlobProxy(reg.host);
  await proxy.start();
  after(() => proxy.close());
  const name = `${proxy.host}/test/big:v1`;
  const before = layerDirs();

  proxy.mode = 'cut-always';
  const cut = await d.docker(['pull', name], { timeout: 120_000 });
  // dockerd says it its own way (the Go error of the last attempt); berth names the layer and the count.
  fails(cut, d.engine === 'dockerd' ? /./ : /failed to download layer [a-f0-9]{12} after \d attempts/, 'always cut');
  assert.ok(proxy.cuts >= 2, `the proxy cut ${proxy.cuts} times`);
  assert.deepEqual(layerDirs(), before, 'no layer left by the failed pull');
  assert.deepEqual(ingestLeft(), []);

  proxy.mode = 'corrupt';
  const corrupt = await d.docker(['pull', name], { timeout: 120_000 });
  fails(corrupt, /filesystem layer verification failed for digest sha256:/, 'corrupt layer');
  assert.deepEqual(layerDirs(), before);
  assert.deepEqual(ingestLeft(), []);

  proxy.mode = 'cut-once';
  proxy.cuts = 0;
  const resumed = ok(await d.docker(['pull', name], { timeout: 120_000 }), 'pull cut once');
  assert.equal(proxy.cuts, 1);
  assert.match(resumed, /Pull complete/);
  assert.equal(ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', name])).trim(), id);
  assert.equal(ok(await d.docker(['run', '--rm', name, 'cat', '/hello'])).trim(), `hello from ${reg.host}/test/big:v1`);
});

test('berthd killed mid-pull: after the restart nothing of the pull is left, and the pull then works', T, async () => {
  if (d.engine === 'dockerd') return; // a berth store check
  await randomImage(`${reg.host}/test/crash:v1`, 4);
  ok(await d.docker(['push', `${reg.host}/test/crash:v1`]));
  ok(await d.docker(['rmi', `${reg.host}/test/crash:v1`]));
  const proxy = new BlobProxy(reg.host);
  await proxy.start();
  after(() => proxy.close());
  const name = `${proxy.host}/test/crash:v1`;
  const before = layerDirs();
  proxy.mode = 'stall';
  const pulling = d.docker(['pull', name], { timeout: 120_000 });
  const deadline = Date.now() + 60_000;
  while (!proxy.stalled && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(proxy.stalled, 'the pull reached the stalled layer');
  await d.kill();
  const r = await pulling;
  assert.notEqual(r.code, 0);
  await d.start();
  assert.deepEqual(layerDirs(), before, 'no layer (nor tmp- extraction) left by the killed pull');
  assert.deepEqual(ingestLeft(), []);
  assert.equal(ok(await d.docker(['images', '-q', name])).trim(), '');
  proxy.mode = 'pass';
  ok(await d.docker(['pull', name], { timeout: 120_000 }), 'pull after the restart');
  assert.equal(ok(await d.docker(['run', '--rm', name, 'cat', '/hello'])).trim(), `hello from ${reg.host}/test/crash:v1`);
});

test('a client that hangs up mid-pull stops the pull: nothing of it stays, the daemon serves on', T, async () => {
  if (d.engine === 'dockerd') return; // a berth store check
  await randomImage(`${reg.host}/test/hangup:v1`, 4);
  ok(await d.docker(['push', `${reg.host}/test/hangup:v1`]));
  ok(await d.docker(['rmi', `${reg.host}/test/hangup:v1`]));
  const proxy = new BlobProxy(reg.host);
  await proxy.start();
  after(() => proxy.close());
  const before = layerDirs();
  proxy.mode = 'stall';
  const cli = spawn(DOCKER_BIN, ['pull', `${proxy.host}/test/hangup:v1`], { env: { ...process.env, ...d.env }, stdio: 'ignore' });
  const exited = new Promise((r) => cli.once('exit', r));
  const deadline = Date.now() + 60_000;
  while (!proxy.stalled && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(proxy.stalled, 'the pull reached the stalled layer');
  cli.kill('SIGKILL');
  await exited;
  // The pull notices the hang-up, stops its downloads and gives back what it held.
  const until = Date.now() + 30_000;
  while (Date.now() < until && (layerDirs().join() !== before.join() || ingestLeft().length)) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(layerDirs(), before);
  assert.deepEqual(ingestLeft(), []);
  assert.equal(ok(await d.docker(['images', '-q', `${proxy.host}/test/hangup`])).trim(), '');
  assert.equal(ok(await d.docker(['version', '-f', '{{.Server.Version}}'])).trim() !== '', true);
});

test('two pulls of the same image at once both succeed and agree', T, async () => {
  await randomImage(`${reg.host}/test/twice:v1`, 3);
  ok(await d.docker(['push', `${reg.host}/test/twice:v1`]));
  const id = ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', `${reg.host}/test/twice:v1`])).trim();
  ok(await d.docker(['rmi', `${reg.host}/test/twice:v1`]));
  const [a, b] = await Promise.all([d.docker(['pull', `${reg.host}/test/twice:v1`], { timeout: 120_000 }), d.docker(['pull', `${reg.host}/test/twice:v1`], { timeout: 120_000 })]);
  ok(a, 'first pull');
  ok(b, 'second pull');
  assert.equal(ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', `${reg.host}/test/twice:v1`])).trim(), id);
  assert.equal(ok(await d.docker(['run', '--rm', `${reg.host}/test/twice:v1`, 'cat', '/hello'])).trim(), `hello from ${reg.host}/test/twice:v1`);
  assert.deepEqual(ingestLeft(), []);
});

test('push to and pull from Debian\'s docker-registry (distribution 2.8)', T, async () => {
  const ref = await startReferenceRegistry({ after });
  const name = `${ref.host}/ref/busybox:v1`;
  ok(await d.docker(['tag', 'busybox', name]));
  const out = ok(await d.docker(['push', name], { timeout: 120_000 }), 'push to docker-registry');
  const digest = /v1: digest: (sha256:[a-f0-9]{64})/.exec(out)![1]!;
  const head = await fetch(`http://${ref.host}/v2/ref/busybox/manifests/v1`, { method: 'HEAD', headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(head.headers.get('docker-content-digest'), digest);
  ok(await d.docker(['rmi', name]));
  const pulled = ok(await d.docker(['pull', `${ref.host}/ref/busybox@${digest}`], { timeout: 120_000 }), 'pull from docker-registry');
  assert.match(pulled, /Status: (Downloaded newer image|Image is up to date)/);
  ok(await d.docker(['pull', name]), 'pull by tag from docker-registry');
  assert.equal(ok(await d.docker(['run', '--rm', name, 'echo', 'from the reference registry'])).trim(), 'from the reference registry');
});

const htpasswd = `alice:${bcrypt.hashSync('s3cret', 10)}\n`;

test('login with basic auth (berth-registry --htpasswd): wrong password refused, push and pull with credentials', T, async () => {
  const hp = path.join(tmp, 'htpasswd');
  fs.writeFileSync(hp, htpasswd);
  const sec = await startRegistry({ after }, ['--htpasswd', hp]);
  const wrong = await d.docker(['login', '-u', 'alice', '-p', 'nope', sec.host]);
  fails(wrong, new RegExp(`login attempt to http://${sec.host}/v2/ failed with status: 401 Unauthorized`), 'wrong password');
  ok(await d.docker(['tag', 'busybox', `${sec.host}/private/busybox:v1`]));
  fails(await d.docker(['push', `${sec.host}/private/busybox:v1`]), /no basic auth credentials/, 'push without login');
  const login = await d.docker(['login', '-u', 'alice', '--password-stdin', sec.host], { input: 's3cret\n' });
  assert.match(ok(login, 'login'), /Login Succeeded/);
  const cfg = JSON.parse(fs.readFileSync(path.join(d.dockerConfig, 'config.json'), 'utf8'));
  assert.equal(Buffer.from(cfg.auths[sec.host].auth, 'base64').toString(), 'alice:s3cret');
  ok(await d.docker(['push', `${sec.host}/private/busybox:v1`]), 'push with credentials');
  ok(await d.docker(['rmi', `${sec.host}/private/busybox:v1`]));
  ok(await d.docker(['pull', `${sec.host}/private/busybox:v1`]), 'pull with credentials');
  ok(await d.docker(['logout', sec.host]));
});

test('docker build pulls a FROM image that is only in a registry, with the login\'s credentials (X-Registry-Config); --pull pulls again', T, async () => {
  const hp = path.join(tmp, 'htpasswd-build');
  fs.writeFileSync(hp, htpasswd);
  const sec = await startRegistry({ after }, ['--htpasswd', hp]);
  const base = `${sec.host}/private/base:v1`;
  ok(await d.docker(['tag', 'busybox', base]));
  ok(await d.docker(['login', '-u', 'alice', '-p', 's3cret', sec.host]), 'login');
  ok(await d.docker(['push', base]), 'push the base');
  ok(await d.docker(['rmi', base]));
  const ctxDir = fs.mkdtempSync(path.join(tmp, 'build-from-registry-'));
  fs.writeFileSync(path.join(ctxDir, 'Dockerfile'), `FROM ${base}\nRUN echo built-on-pulled > /built\n`);
  const built = ok(await d.docker(['build', '-t', 'built-from-registry', ctxDir]), 'build with a base only in the registry');
  assert.match(built, /Pulling from private\/base/);
  assert.match(built, new RegExp(`Status: Downloaded newer image for ${base.replace(/[.]/g, '\\.')}`));
  assert.match(built, /Successfully tagged built-from-registry:latest/);
  assert.equal(ok(await d.docker(['run', '--rm', 'built-from-registry', 'cat', '/built'])), 'built-on-pulled\n');
  assert.ok(ok(await d.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', base])).includes(`"${sec.host}/private/base@sha256:`), 'the pulled base has its digest');
  const again = ok(await d.docker(['build', '--pull', '-t', 'built-from-registry', ctxDir]), 'build --pull');
  assert.match(again, new RegExp(`Status: Image is up to date for ${base.replace(/[.]/g, '\\.')}`));
  // Without the login the registry refuses, and the build says so.
  ok(await d.docker(['logout', sec.host]));
  ok(await d.docker(['rmi', '-f', 'built-from-registry', base]));
  const refused = await d.docker(['build', '-t', 'built-from-registry', ctxDir]);
  fails(refused, /no basic auth credentials|unauthorized/, 'build without the login');
});

test('login with token auth (berth-registry --token-realm): wrong password refused, push and pull with a token', T, async () => {
  const hp = path.join(tmp, 'htpasswd-token');
  fs.writeFileSync(hp, htpasswd);
  const port = await freePort();
  const tok = new TestRegistry(['--htpasswd', hp, '--token-realm', `http://127.0.0.1:${port}/token`, '--token-service', `127.0.0.1:${port}`]);
  after(() => tok.cleanup());
  await tok.start(`127.0.0.1:${port}`);
  const auth = await d.api('POST', '/auth', { body: { username: 'alice', password: 'wrong', serveraddress: tok.host } });
  // dockerd 20.10 answers this one 500; berth says 401 (what it is), with dockerd's words.
  assert.equal(auth.status, d.engine === 'dockerd' ? 500 : 401, auth.text);
  assert.equal(auth.json<{ message: string }>().message, `Get "http://${tok.host}/v2/": unauthorized: incorrect username or password`);
  fails(await d.docker(['login', '-u', 'alice', '-p', 'wrong', tok.host]), /unauthorized|incorrect username or password/, 'wrong password');
  const good = await d.api('POST', '/auth', { body: { username: 'alice', password: 's3cret', serveraddress: tok.host } });
  assert.equal(good.status, 200, good.text);
  assert.deepEqual(good.json(), { Status: 'Login Succeeded', IdentityToken: '' });
  assert.match(ok(await d.docker(['login', '-u', 'alice', '-p', 's3cret', tok.host])), /Login Succeeded/);
  ok(await d.docker(['tag', 'busybox', `${tok.host}/tok/busybox:v1`]));
  ok(await d.docker(['push', `${tok.host}/tok/busybox:v1`]), 'push with a token');
  ok(await d.docker(['rmi', `${tok.host}/tok/busybox:v1`]));
  ok(await d.docker(['pull', `${tok.host}/tok/busybox:v1`]), 'pull with a token');
  // dockerd sends the stored password as Basic to /v1/search even on a token-auth registry, which
  // this berth-registry refuses in token mode; berthd signs in for a token first.
  if (d.engine === 'berthd') {
    const found = ok(await d.docker(['search', `${tok.host}/busybox`]), 'search with a token');
    assert.match(found, /tok\/busybox/);
  }
  ok(await d.docker(['logout', tok.host]));
});

test('berth CLI: login, push, pull, search, logout', T, async () => {
  const hp = path.join(tmp, 'htpasswd-cli');
  fs.writeFileSync(hp, htpasswd);
  const sec = await startRegistry({ after }, ['--htpasswd', hp]);
  const cfgDir = fs.mkdtempSync(path.join(tmp, 'berth-cli-config-'));
  const env = { DOCKER_CONFIG: cfgDir };
  fails(await d.berth(['login', '-u', 'alice', '-p', 'bad', sec.host], { env }), /unauthorized|401/, 'berth login with a wrong password');
  const li = await d.berth(['login', '-u', 'alice', '--password-stdin', sec.host], { env, input: 's3cret\n' });
  assert.match(ok(li, 'berth login'), /Login Succeeded/);
  const cfg = JSON.parse(fs.readFileSync(path.join(cfgDir, 'config.json'), 'utf8'));
  assert.equal(Buffer.from(cfg.auths[sec.host].auth, 'base64').toString(), 'alice:s3cret');
  ok(await d.berth(['tag', 'busybox', `${sec.host}/cli/busybox:v2`]));
  const pushed = ok(await d.berth(['push', `${sec.host}/cli/busybox:v2`], { env }), 'berth push');
  assert.match(pushed, /v2: digest: sha256:[a-f0-9]{64} size: \d+/);
  ok(await d.berth(['rmi', `${sec.host}/cli/busybox:v2`]));
  const pulled = await d.berth(['pull', `${sec.host}/cli/busybox:v2`], { env });
  assert.match(ok(pulled, 'berth pull'), /Status: Downloaded newer image for/);
  assert.equal(ok(await d.berth(['pull', '-q', `${sec.host}/cli/busybox:v2`], { env })).trim(), `${sec.host}/cli/busybox:v2`);
  // run of a missing image pulls it, with the stored credentials.
  ok(await d.berth(['rmi', `${sec.host}/cli/busybox:v2`]));
  const ran = await d.berth(['run', '--rm', `${sec.host}/cli/busybox:v2`, 'echo', 'berth auto-pull'], { env });
  assert.equal(ok(ran, 'berth run of a missing image').trim(), 'berth auto-pull');
  assert.match(ran.stderr, new RegExp(`Unable to find image '${sec.host}/cli/busybox:v2' locally`));
  // -a: every tag of the repository.
  ok(await d.berth(['tag', 'busybox', `${sec.host}/cli/busybox:v3`]));
  ok(await d.berth(['push', `${sec.host}/cli/busybox:v3`], { env }));
  ok(await d.berth(['rmi', `${sec.host}/cli/busybox:v2`, `${sec.host}/cli/busybox:v3`]));
  const all = ok(await d.berth(['pull', '-a', `${sec.host}/cli/busybox`], { env }), 'berth pull -a');
  assert.match(all, /v2: Pulling from cli\/busybox/);
  assert.match(all, /v3: Pulling from cli\/busybox/);
  assert.match(ok(await d.berth(['images', '--format', '{{.Tag}}', `${sec.host}/cli/busybox`])), /v2\nv3|v3\nv2/);
  const s = ok(await d.berth(['search', `${sec.host}/busybox`], { env }), 'berth search');
  assert.match(s, /cli\/busybox/);
  assert.match(ok(await d.berth(['logout', sec.host], { env })), new RegExp(`Removing login credentials for ${sec.host}`));
  assert.equal(JSON.parse(fs.readFileSync(path.join(cfgDir, 'config.json'), 'utf8')).auths[sec.host], undefined);
  fails(await d.berth(['pull', `${sec.host}/cli/busybox:v2`], { env }), /no basic auth credentials/, 'pull after logout');
});
