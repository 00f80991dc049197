// What berthd writes for the OCI world validates against the published OCI schemas: the runtime
// bundle config.json of a started container, the image manifests and configs in its content store, and
// the manifest/config (and OCI index, when present) of a `docker save` archive.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { startDaemon, type TestDaemon } from './harness/index.js';
import { ociValidators, type Validate } from './harness/oci-schemas.js';

const v = ociValidators();
const d = await startDaemon({ after });
// Under BERTH_TEST_ENGINE=dockerd: dockerd keeps configs in image/overlay2/imagedb, not in an OCI blob
// store, and 20.10 writes "Env": null, which the image-spec schema refuses. berth must do better.
const onReference = (why: string) => (d.engine === 'dockerd' ? `dockerd 20.10 differs: ${why}` : false);

function assertValid(validate: Validate, doc: unknown, what: string): void {
  const errors = validate(doc);
  assert.deepEqual(errors, [], `${what} does not validate:\n${errors.join('\n')}\n${JSON.stringify(doc, null, 2).slice(0, 4000)}`);
}

/** Every file under `dir` (no symlinks followed), bounded in depth. */
function* walk(dir: string, depth = 12): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && depth > 0 && !isMountPoint(p)) yield* walk(p, depth - 1);
    else if (e.isFile()) yield p;
  }
}

function isMountPoint(p: string): boolean {
  try {
    return fs.statSync(p).dev !== fs.statSync(path.dirname(p)).dev;
  } catch {
    return true;
  }
}

/** The runtime bundle config.json of container `id`: a config.json with ociVersion in a path naming the id. */
function findBundleConfig(daemon: TestDaemon, id: string): string {
  const candidates = [...walk(daemon.base)].filter((f) => path.basename(f) === 'config.json' && f.includes(id));
  for (const f of candidates) {
    try {
      if (JSON.parse(fs.readFileSync(f, 'utf8')).ociVersion) return f;
    } catch {
      /* not JSON */
    }
  }
  assert.fail(`no bundle config.json for ${id} under ${daemon.base} (saw: ${candidates.join(', ') || 'none'})`);
}

test('the bundle config.json of a started container validates against runtime-spec config-schema', async () => {
  const r = await d.docker(['run', '-d', '-m', '64m', '--pids-limit', '50', '-e', 'A=1', '-w', '/tmp', '-u', '1:1', '-v', 'schemavol:/data', '--cap-add', 'NET_ADMIN', '--read-only', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    const file = findBundleConfig(d, id);
    const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
    assertValid(v.runtimeConfig, spec, file);
    // A few facts Docker's specs share, so that a trivially small spec cannot pass.
    assert.equal(spec.process.cwd, '/tmp');
    assert.ok(spec.process.env.includes('A=1'));
    assert.deepEqual([spec.process.user.uid, spec.process.user.gid], [1, 1]);
    assert.equal(spec.root.readonly, true);
    const ns = (spec.linux.namespaces as { type: string }[]).map((n) => n.type).sort();
    for (const t of ['ipc', 'mount', 'network', 'pid', 'uts']) assert.ok(ns.includes(t), `namespace ${t} in ${ns}`);
    assert.equal(spec.linux.resources.memory.limit, 64 * 1024 * 1024);
    assert.equal(spec.linux.resources.pids.limit, 50);
    assert.ok(spec.process.capabilities.bounding.includes('CAP_NET_ADMIN'));
    assert.ok(spec.mounts.some((m: { destination: string }) => m.destination === '/data'));
  } finally {
    await d.docker(['rm', '-f', '-v', id]);
    await d.docker(['volume', 'rm', 'schemavol']);
  }
});

test('image manifests and configs in the content store validate against image-spec', { skip: onReference('no OCI blob store') }, async () => {
  let manifests = 0;
  let configs = 0;
  for (const f of walk(d.dataRoot)) {
    if (!/\/blobs\/sha256\/[0-9a-f]{64}$/.test(f) || fs.statSync(f).size > 4 * 1024 * 1024) continue;
    let doc: any;
    try {
      doc = JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch {
      continue; // a layer
    }
    if (doc.mediaType === 'application/vnd.oci.image.manifest.v1+json' || (doc.schemaVersion === 2 && doc.config && doc.layers)) {
      assertValid(v.imageManifest, doc, f);
      manifests++;
    } else if (doc.mediaType === 'application/vnd.oci.image.index.v1+json') {
      assertValid(v.imageIndex, doc, f);
    } else if (doc.rootfs?.type === 'layers') {
      assertValid(v.imageConfig, doc, f);
      configs++;
    }
  }
  assert.ok(configs >= 1, `at least one image config stored under ${d.dataRoot}`);
  // An imported image has no manifest until one is needed (save, push): stored manifests are
  // validated when present, and the saved archive's manifests in the next test.
  void manifests;
});

test('a saved image\'s config (and OCI index/manifests when present) validate against image-spec', { skip: onReference('"Env": null in configs') }, async () => {
  const r = await d.docker(['save', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  const files = await untar(r.stdoutBytes);
  const manifestJson = files.get('manifest.json');
  assert.ok(manifestJson, `docker-archive manifest.json present; entries: ${[...files.keys()].join(', ')}`);
  const entries = JSON.parse(manifestJson.toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  assert.equal(entries.length, 1);
  assert.deepEqual(entries[0]!.RepoTags, ['busybox:latest']);
  const config = files.get(entries[0]!.Config);
  assert.ok(config, `config ${entries[0]!.Config} in the archive`);
  assertValid(v.imageConfig, JSON.parse(config.toString()), `saved ${entries[0]!.Config}`);
  for (const l of entries[0]!.Layers) assert.ok(files.has(l), `layer ${l} in the archive`);
  // Docker 25+ archives are also OCI layouts (index.json, oci-layout, manifests as blobs); berth's too.
  const index = files.get('index.json');
  if (d.engine === 'berthd') assert.ok(index, 'the archive is also an OCI layout (index.json)');
  if (index) {
    const idx = JSON.parse(index.toString());
    assertValid(v.imageIndex, idx, 'saved index.json');
    assertValid(v.imageLayout, JSON.parse(files.get('oci-layout')?.toString() ?? '{}'), 'saved oci-layout');
    for (const m of idx.manifests as { digest: string; mediaType: string }[]) {
      const blob = files.get(`blobs/sha256/${m.digest.slice(7)}`);
      assert.ok(blob, `blob ${m.digest} of index.json in the archive`);
      if (m.mediaType === 'application/vnd.oci.image.manifest.v1+json') assertValid(v.imageManifest, JSON.parse(blob.toString()), `saved manifest ${m.digest}`);
    }
  }
});

/** The regular files of a tar archive (small ones; layers included), by name without ./ prefix. */
async function untar(buf: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      if (header.type === 'file') files.set(header.name.replace(/^\.\//, ''), Buffer.concat(chunks));
      next();
    });
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    Readable.from([buf]).pipe(extract);
  });
  return files;
}
