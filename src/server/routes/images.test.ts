// The image routes on a real unix socket, driven by dockerode (a real Engine API client): import with
// changes, list, inspect and history of names with a registry and slashes, tag, save, load, rmi, prune,
// and the error statuses Docker gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { ApiServer } from '../http-server.js';
import { registerImageRoutes } from './images.js';
import { DistributionService } from '../../engine/distribution/distribution-service.js';
import { ImageService } from '../../engine/images/image-service.js';
import { EventBus } from '../../engine/events.js';
import { silentLogger } from '../../daemon/logger.js';
import type { Services } from '../../daemon/services.js';

async function rootfsTar(): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  pack.entry({ name: 'bin/', type: 'directory', mode: 0o755 });
  pack.entry({ name: 'bin/busybox', mode: 0o755 }, 'fake');
  pack.entry({ name: 'bin/sh', type: 'symlink', linkname: 'busybox' });
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

async function server(t: import('node:test').TestContext): Promise<{ docker: Docker; images: ImageService; sock: string }> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-imgroutes-'));
  const images = new ImageService({ dataRoot: path.join(dir, 'data'), events: new EventBus(), log: silentLogger, usage: { containersUsing: () => [] } });
  await images.init();
  const api = new ApiServer(silentLogger);
  // Docker Hub stands at a loopback port nothing listens on: pulls fail as they do on a machine offline.
  const events = new EventBus();
  const distribution = new DistributionService({ dataRoot: path.join(dir, 'data'), images, events, log: silentLogger, mirrors: [], insecureRegistries: [], maxConcurrentDownloads: 3, maxConcurrentUploads: 5, dockerHubUrl: 'http://127.0.0.1:9' });
  await distribution.init();
  registerImageRoutes(api.router, { images, distribution, log: silentLogger } as unknown as Services);
  const sock = path.join(dir, 's.sock');
  await new Promise<void>((r) => api.server.listen(sock, r));
  t.after(async () => {
    api.server.closeAllConnections();
    await new Promise((r) => api.server.close(r));
    await fsp.rm(dir, { recursive: true, force: true });
  });
  return { docker: new Docker({ socketPath: sock }), images, sock };
}

test('import, list, inspect, history, tag with slashes, save, load, rmi, prune through the API', async (t) => {
  const { docker } = await server(t);
  const imp = await docker.importImage(Readable.from([await rootfsTar()]) as never, { repo: 'busybox', tag: 'latest', changes: ['CMD ["sh"]', 'ENV A=1'] } as never);
  const lines = (await collect(imp as unknown as NodeJS.ReadableStream)).toString().trim().split('\r\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  const id = lines[0].status as string;
  assert.match(id, /^sha256:[a-f0-9]{64}$/);

  await docker.getImage('busybox').tag({ repo: 'localhost:5000/team/app', tag: 'v1' });
  const inspected = await docker.getImage('localhost:5000/team/app:v1').inspect();
  assert.equal(inspected.Id, id);
  assert.deepEqual(inspected.Config.Cmd, ['sh']);
  assert.deepEqual(inspected.Config.Env, ['A=1']);
  assert.deepEqual(inspected.RepoTags.sort(), ['busybox:latest', 'localhost:5000/team/app:v1']);
  const hist = await docker.getImage('localhost:5000/team/app:v1').history();
  assert.equal(hist[0].Id, id);
  assert.equal(hist[0].Comment, 'Imported from -');

  const list = await docker.listImages();
  assert.equal(list.length, 1);
  assert.equal(list[0]!.Id, id);
  const filtered = await docker.listImages({ filters: JSON.stringify({ reference: ['localhost:5000/*/*'] }) });
  assert.deepEqual(filtered[0]!.RepoTags, ['localhost:5000/team/app:v1']);

  const archive = await collect((await docker.getImage('localhost:5000/team/app:v1').get()) as NodeJS.ReadableStream);
  assert.ok(archive.length > 1024);

  // rmi of one name only untags; of the last deletes image and layer.
  assert.deepEqual(await docker.getImage('localhost:5000/team/app:v1').remove(), [{ Untagged: 'localhost:5000/team/app:v1' }]);
  const del = (await docker.getImage('busybox').remove()) as Array<Record<string, string>>;
  assert.deepEqual(del[0], { Untagged: 'busybox:latest' });
  assert.deepEqual(del[1], { Deleted: id });
  assert.equal((await docker.listImages()).length, 0);

  const load = await docker.loadImage(Readable.from([archive]) as never);
  const loaded = (await collect(load as unknown as NodeJS.ReadableStream)).toString().trim().split('\r\n').map((l) => JSON.parse(l));
  assert.deepEqual(loaded, [{ stream: 'Loaded image: localhost:5000/team/app:v1\n' }]);
  assert.equal((await docker.getImage('localhost:5000/team/app:v1').inspect()).Id, id);

  await docker.getImage('localhost:5000/team/app:v1').remove();
  // An untagged import is dangling: prune takes it.
  const imp2 = await docker.importImage(Readable.from([await rootfsTar()]) as never);
  const id2 = JSON.parse((await collect(imp2 as unknown as NodeJS.ReadableStream)).toString().trim()).status;
  const pruned = await docker.pruneImages();
  assert.equal(pruned.ImagesDeleted?.[0]?.Deleted, id2);
});

test('errors: 404 for missing images, 400 for bad names and changes, 500 for an unreachable registry', async (t) => {
  const { docker, sock } = await server(t);
  await assert.rejects(docker.getImage('nosuch').inspect(), (e: { statusCode: number; json?: { message: string } }) => e.statusCode === 404 && e.json?.message === 'No such image: nosuch:latest');
  await assert.rejects(docker.getImage('a/b/c:v').remove(), (e: { statusCode: number }) => e.statusCode === 404);
  await assert.rejects(docker.getImage('Busybox').inspect(), (e: { statusCode: number }) => e.statusCode === 400);
  const res = await fetchUnix(sock, 'POST', '/v1.45/images/create?fromSrc=-&changes=' + encodeURIComponent('RUN true'), await rootfsTar());
  assert.equal(res.status, 400);
  assert.equal(JSON.parse(res.body).message, 'run is not a valid change command');
  // A registry that is not there (port 1 on loopback: no traffic leaves the machine): dockerd's 500
  // with the dial error, before any progress was sent.
  const pull = await fetchUnix(sock, 'POST', '/v1.45/images/create?fromImage=127.0.0.1%3A1%2Fnosuchimage&tag=latest');
  assert.equal(pull.status, 500, pull.body);
  assert.equal(JSON.parse(pull.body).message, 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused');
  const save = await fetchUnix(sock, 'GET', '/images/get?names=busybox');
  assert.equal(save.status, 404);
  const unknownSuffix = await fetchUnix(sock, 'GET', '/images/busybox/frobnicate');
  assert.equal(unknownSuffix.status, 404);
});

async function fetchUnix(sock: string, method: string, p: string, body?: Buffer): Promise<{ status: number; body: string }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: sock, method, path: p, headers: body ? { 'Content-Type': 'application/x-tar' } : {} }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
