// API surface Docker clients still use: archives saved before Docker 1.10, `docker system df`.
// Each case states Docker's answer beside berth's.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { startDaemon, BUSYBOX_TAR } from './harness/index.js';

const d = await startDaemon({ after });

function tarOf(entries: { name: string; content: string | Buffer }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
    for (const e of entries) pack.entry({ name: e.name, mode: 0o644, mtime: new Date(0) }, e.content);
    pack.finalize();
  });
}

/**
 * A `docker save` archive as Docker before 1.10 wrote it: `repositories`, and per layer a folder with
 * `VERSION`, `json` (the v1 config naming its parent) and `layer.tar`; no manifest.json.
 */
async function legacyArchive(file: string): Promise<void> {
  const base = fs.readFileSync(BUSYBOX_TAR);
  const top = await tarOf([{ name: 'hello.txt', content: 'from a pre-1.10 archive\n' }]);
  const id = (s: string) => createHash('sha256').update(s).digest('hex');
  const baseId = id('legacy-base');
  const topId = id('legacy-top');
  const baseJson = { id: baseId, created: '2015-06-01T00:00:00Z', container_config: { Cmd: ['/bin/sh', '-c', '#(nop) ADD file:rootfs in /'] }, config: { Cmd: ['sh'] }, architecture: 'amd64', os: 'linux', Size: base.length };
  const topJson = { id: topId, parent: baseId, created: '2015-06-02T00:00:00Z', container_config: { Cmd: ['/bin/sh', '-c', 'echo hello > /hello.txt'] }, config: { Cmd: ['cat', '/hello.txt'], Env: ['LEGACY=1'] }, architecture: 'amd64', os: 'linux', Size: top.length };
  const archive = await tarOf([
    { name: 'repositories', content: JSON.stringify({ legacy: { v1: topId } }) },
    { name: `${baseId}/VERSION`, content: '1.0' },
    { name: `${baseId}/json`, content: JSON.stringify(baseJson) },
    { name: `${baseId}/layer.tar`, content: base },
    { name: `${topId}/VERSION`, content: '1.0' },
    { name: `${topId}/json`, content: JSON.stringify(topJson) },
    { name: `${topId}/layer.tar`, content: top },
  ]);
  fs.writeFileSync(file, archive);
}

test('docker load of a pre-1.10 archive (repositories + per-layer folders): loads, tags and runs (Docker still loads these)', async () => {
  const file = path.join(d.base, 'legacy.tar');
  await legacyArchive(file);
  const r = await d.docker(['load', '-i', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Loaded image: legacy:v1/);
  const run = await d.docker(['run', '--rm', 'legacy:v1']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'from a pre-1.10 archive\n');
  const ins = JSON.parse((await d.docker(['image', 'inspect', 'legacy:v1'])).stdout)[0];
  assert.equal(ins.RootFS.Layers.length, 2);
  assert.deepEqual(ins.Config.Env, ['LEGACY=1']);
  const hist = (await d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'legacy:v1'])).stdout.trim().split('\n');
  assert.deepEqual(hist, ['/bin/sh -c echo hello > /hello.txt', '/bin/sh -c #(nop) ADD file:rootfs in /']);
});

test('a pre-1.10 archive whose chain names a missing layer is refused with a clear error, nothing stored', async () => {
  const before = (await d.api('GET', '/images/json')).json().length;
  const archive = await tarOf([{ name: 'repositories', content: JSON.stringify({ broken: { v1: 'a'.repeat(64) } }) }]);
  const r = await d.api('POST', '/images/load?quiet=1', { body: archive, headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(r.status, 200);
  assert.match(r.text, /"errorDetail":\{"message":"invalid archive: a{64}\/json is missing"/);
  assert.equal((await d.api('GET', '/images/json')).json().length, before);
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
