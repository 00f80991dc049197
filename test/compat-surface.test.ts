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
