// API surface Docker clients still use: archives saved before Docker 1.10, `docker system df`.
// Each case states Docker's answer beside berth's.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, BUSYBOX_TAR } from './harness/index.js';
import { writeLegacyArchive } from './harness/archives.js';

const d = await startDaemon({ after });

/** The two v1 JSONs of the legacy archive below (Docker 1.9 wrote docker_version, created, container_config...). */
const LEGACY_BASE_JSON = { docker_version: '1.9.1', created: '2015-06-01T00:00:00.000000000Z', container_config: { Cmd: ['/bin/sh', '-c', '#(nop) ADD file:rootfs in /'] }, config: { Cmd: ['sh'] }, architecture: 'amd64', os: 'linux' };
const LEGACY_TOP_JSON = { docker_version: '1.9.1', created: '2015-06-02T10:20:30.5+02:00', author: 'me <a@b>', comment: 'x & y', container_config: { Cmd: ['/bin/sh', '-c', 'echo hello > /hello.txt && true'] }, config: { Cmd: ['cat', '/hello.txt'], Env: ['LEGACY=1'] }, architecture: 'amd64', os: 'linux' };

test('docker load of a pre-1.10 archive (repositories + per-layer folders): every layer an image, tags set, runs (Docker 28 and 20.10 load these)', async () => {
  const file = path.join(d.base, 'legacy.tar');
  await writeLegacyArchive(file, {
    repoTags: ['legacy:v1', 'legacy:also'],
    layers: [
      { layer: { tarFile: BUSYBOX_TAR }, json: LEGACY_BASE_JSON },
      { layer: { entries: [{ name: 'hello.txt', content: 'from a pre-1.10 archive\n' }] }, json: LEGACY_TOP_JSON },
    ],
  });
  const r = await d.docker(['load', '-i', file]);
  assert.equal(r.code, 0, r.stderr);
  // Docker prints no "Loaded image" line for a legacy archive (its legacy path only sets the tags).
  assert.equal(r.stdout, '');
  const top = JSON.parse((await d.docker(['image', 'inspect', 'legacy:v1'])).stdout)[0];
  assert.deepEqual(top.RepoTags.sort(), ['legacy:also', 'legacy:v1']);
  assert.equal(top.RootFS.Layers.length, 2);
  assert.deepEqual(top.Config.Env, ['LEGACY=1']);
  assert.deepEqual([top.Comment, top.Author, top.DockerVersion, top.Created], ['x & y', 'me <a@b>', '1.9.1', '2015-06-02T10:20:30.5+02:00']);
  // The base layer became an image of its own, untagged, the top one's parent (docker images -a).
  assert.match(top.Parent, /^sha256:[a-f0-9]{64}$/);
  const parent = JSON.parse((await d.docker(['image', 'inspect', top.Parent])).stdout)[0];
  assert.deepEqual(parent.RepoTags, []);
  assert.deepEqual(parent.RootFS.Layers, top.RootFS.Layers.slice(0, 1));
  const all = (await d.docker(['images', '-a', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout;
  assert.match(all, new RegExp(`^<none>:<none> ${top.Parent}$`, 'm'));
  // History walks the parents for the IDs, as Docker's.
  const hist = (await d.docker(['history', '--no-trunc', '--format', '{{.ID}} {{.CreatedBy}}', 'legacy:v1'])).stdout.trim().split('\n');
  assert.deepEqual(hist, [`${top.Id} /bin/sh -c echo hello > /hello.txt && true`, `${top.Parent} /bin/sh -c #(nop) ADD file:rootfs in /`]);
  const run = await d.docker(['run', '--rm', 'legacy:v1']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'from a pre-1.10 archive\n');
  assert.equal((await d.docker(['rmi', 'legacy:v1', 'legacy:also'])).code, 0);
  // rmi of the last tag removes the untagged parent too, as Docker's.
  assert.notEqual((await d.docker(['image', 'inspect', top.Parent])).code, 0);
});

test('a pre-1.10 archive loads under the image IDs Docker gives it (the config bytes are Docker\'s)', async () => {
  const file = path.join(d.base, 'legacy-ids.tar');
  await writeLegacyArchive(file, {
    repoTags: ['legacy-ids:v1'],
    layers: [
      { layer: { entries: [{ name: 'etc/', type: 'directory', mode: 0o755 }, { name: 'etc/base', content: 'base\n' }] }, json: { docker_version: '1.9.1', created: '2015-10-31T22:22:54.690851953Z', container_config: { Hostname: 'h', Cmd: ['/bin/sh', '-c', '#(nop) ADD file:6cccb5f0a3b3947116a0c0f55d071980d94427ba0d6dad17bc68ead832cc0a8f in /'] }, config: { Cmd: null, Env: null }, architecture: 'amd64', os: 'linux' } },
      { layer: { entries: [{ name: 'etc/top', content: 'top & <more>\n' }] }, json: { docker_version: '1.9.1', created: '2015-11-01T08:00:00.100Z', author: '\u00dcn\u00efcode <x@y> & co', comment: 'line\u2028sep', container_config: { Cmd: ['/bin/sh', '-c', '#(nop) CMD ["sh" "-c" "a && b > c"]'] }, config: { Cmd: ['sh', '-c', 'a && b > c'], Labels: { 'k<': 'v&' }, Env: ['PATH=/bin'] }, extra_field: { nested: [1, 2.5, 1e3, '\u00e9/'] }, architecture: 'amd64', os: 'linux' } },
    ],
  });
  const r = await d.api('POST', '/images/load?quiet=1', { file, headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(r.status, 200);
  assert.doesNotMatch(r.text, /error/, r.text);
  // What dockerd 20.10 answered for this very archive (docker images -a --no-trunc).
  assert.equal(JSON.parse((await d.docker(['image', 'inspect', 'legacy-ids:v1'])).stdout)[0].Id, 'sha256:46a7ab9f426ddd42089ba5a5aae9d29190a0b566c297f534d771c4e08f708156');
  const parent = (await d.docker(['image', 'inspect', '-f', '{{.Parent}}', 'legacy-ids:v1'])).stdout.trim();
  assert.equal(parent, 'sha256:cc0b6bea50941421dea5a94ad291c34ba372e59ec5fc1125036611f7b8a15807');
  assert.equal((await d.docker(['rmi', 'legacy-ids:v1'])).code, 0);
});

test('a pre-1.10 archive whose tag names a layer it lacks is refused in the stream, as Docker ("invalid target ID"), nothing stored', async () => {
  const before = (await d.api('GET', '/images/json?all=1')).json().length;
  const file = path.join(d.base, 'legacy-broken.tar');
  await writeLegacyArchive(file, { layers: [{ layer: { entries: [{ name: 'f', content: 'x' }] } }], repositories: { broken: { v1: 'a'.repeat(64) } }, omit: [0] });
  const r = await d.api('POST', '/images/load?quiet=1', { file, headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(r.status, 200);
  assert.match(r.text, /"errorDetail":\{"message":"invalid target ID: a{64}"/);
  assert.equal((await d.api('GET', '/images/json?all=1')).json().length, before);
  const cli = await d.docker(['load', '-i', file]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /invalid target ID: a{64}/);
});

test('a pre-1.10 archive whose chain has a hole is refused, nothing stored (Docker: the missing json file\'s open error, with its host path)', { skip: d.engine === 'dockerd' && 'dockerd names its temp path' }, async () => {
  const before = (await d.api('GET', '/images/json?all=1')).json().length;
  const file = path.join(d.base, 'legacy-hole.tar');
  const { layerIds } = await writeLegacyArchive(file, {
    repoTags: ['hole:v1'],
    layers: [{ layer: { entries: [{ name: 'a', content: 'a' }] } }, { layer: { entries: [{ name: 'b', content: 'b' }] } }],
    omit: [0],
  });
  const r = await d.api('POST', '/images/load?quiet=1', { file, headers: { 'Content-Type': 'application/x-tar' } });
  assert.match(r.text, new RegExp(`"errorDetail":\\{"message":"invalid archive: ${layerIds[0]}/json is missing"`));
  assert.equal((await d.api('GET', '/images/json?all=1')).json().length, before);
});

test('--pid host sees the host\'s processes, --pid container: and --ipc container: join the other\'s namespaces, --uts host keeps the host name', async () => {
  const host = await d.docker(['run', '--rm', '--pid', 'host', 'busybox', 'sh', '-c', 'ps -o pid | wc -l']);
  assert.equal(host.code, 0, host.stderr);
  const own = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'ps -o pid | wc -l']);
  assert.ok(Number(host.stdout) > Number(own.stdout) + 5, `host pid namespace shows more processes: ${host.stdout.trim()} vs ${own.stdout.trim()}`);
  assert.equal((await d.docker(['run', '-d', '--name', 'nsrc', '--ipc', 'shareable', 'busybox', 'sleep', '300'])).code, 0);
  const ipcThere = (await d.docker(['exec', 'nsrc', 'readlink', '/proc/self/ns/ipc'])).stdout;
  const ipcJoined = await d.docker(['run', '--rm', '--ipc', 'container:nsrc', 'busybox', 'readlink', '/proc/self/ns/ipc']);
  assert.equal(ipcJoined.stdout, ipcThere);
  const pidJoined = await d.docker(['run', '--rm', '--pid', 'container:nsrc', 'busybox', 'ps', '-o', 'comm']);
  assert.match(pidJoined.stdout, /^sleep$/m, 'the other container\'s init is visible');
  const uts = await d.docker(['run', '--rm', '--uts', 'host', 'busybox', 'hostname']);
  assert.equal(uts.stdout.trim(), (await import('node:os')).hostname());
  // Docker: joining a container that does not run fails the start.
  assert.equal((await d.docker(['create', '--name', 'stopped', 'busybox', 'true'])).code, 0);
  const bad = await d.docker(['run', '--rm', '--pid', 'container:stopped', 'busybox', 'true']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /cannot join PID of a non running container/);
  assert.equal((await d.docker(['rm', '-f', 'nsrc', 'stopped'])).code, 0);
});

test('--volumes-from shares the other container\'s volumes (ro when asked); volume-subpath mounts a directory of a volume', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'vsrc', '-v', '/data', 'busybox', 'sh', '-c', 'echo shared > /data/f; sleep 300'])).code, 0);
  const read = await d.docker(['run', '--rm', '--volumes-from', 'vsrc', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -f /data/f ] && break; sleep 0.2; done; cat /data/f']);
  assert.equal(read.stdout, 'shared\n', read.stderr);
  const ro = await d.docker(['run', '--rm', '--volumes-from', 'vsrc:ro', 'busybox', 'sh', '-c', 'echo x > /data/g']);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal((await d.docker(['rm', '-f', '-v', 'vsrc'])).code, 0);
  // API 1.45 Mounts[].VolumeOptions.Subpath.
  assert.equal((await d.docker(['run', '--rm', '-v', 'sub-vol:/v', 'busybox', 'sh', '-c', 'mkdir -p /v/inner && echo deep > /v/inner/f'])).code, 0);
  const sub = await d.docker(['run', '--rm', '--mount', 'type=volume,src=sub-vol,dst=/d,volume-subpath=inner', 'busybox', 'cat', '/d/f']);
  assert.equal(sub.stdout, 'deep\n', sub.stderr);
  const missing = await d.docker(['run', '--rm', '--mount', 'type=volume,src=sub-vol,dst=/d,volume-subpath=nope', 'busybox', 'true']);
  assert.notEqual(missing.code, 0);
  const escape = await d.api('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { Mounts: [{ Type: 'volume', Source: 'sub-vol', Target: '/d', VolumeOptions: { Subpath: '../x' } }] } } });
  assert.equal(escape.status, 400, escape.text);
});

test('anonymous volumes carry com.docker.volume.anonymous; docker system df and -v print, GET /system/df has Docker\'s shape', async () => {
  const c = await d.docker(['create', '-v', '/anon', '--name', 'withanon', 'busybox', 'true']);
  assert.equal(c.code, 0, c.stderr);
  const vol = JSON.parse((await d.docker(['inspect', '-f', '{{json .Mounts}}', 'withanon'])).stdout)[0].Name;
  const labels = JSON.parse((await d.docker(['volume', 'inspect', '-f', '{{json .Labels}}', vol])).stdout);
  assert.ok(labels && 'com.docker.volume.anonymous' in labels, JSON.stringify(labels));
  const df = await d.docker(['system', 'df']);
  assert.equal(df.code, 0, df.stderr);
  assert.match(df.stdout, /^Images\s+\d+\s+\d+/m);
  assert.match(df.stdout, /^Containers\s+\d+\s+\d+/m);
  assert.match(df.stdout, /^Local Volumes\s+\d+/m);
  const dfv = await d.docker(['system', 'df', '-v']);
  assert.equal(dfv.code, 0, dfv.stderr);
  assert.match(dfv.stdout, /withanon/);
  const api = (await d.api('GET', '/system/df')).json();
  assert.equal(typeof api.LayersSize, 'number');
  for (const k of ['Images', 'Containers', 'Volumes', 'BuildCache']) assert.ok(Array.isArray(api[k]), k);
  const v = api.Volumes.find((x: { Name: string }) => x.Name === vol);
  assert.equal(v.UsageData.RefCount, 1);
  assert.equal((await d.docker(['rm', '-v', 'withanon'])).code, 0);
});
