// ImageService against real files in temp data roots: import, tag, resolve, list, history, save, load
// (docker-archive and plain OCI layout) into other stores, OCI schema validation of what is saved,
// rmi/prune semantics, hostile input leaving the store unchanged, and recovery after a killed daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import tar from 'tar-stream';
import { ImageService } from './image-service.js';
import { EventBus } from '../events.js';
import { silentLogger } from '../../daemon/logger.js';
import type { Digest } from '../../lib/oci/digest.js';
import { ociValidators } from '../../../test/harness/oci-schemas.js';

type E = Partial<tar.Header> & { name: string; body?: string | Buffer };

async function makeTar(entries: E[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const { body, ...h } = e;
    await new Promise<void>((res, rej) => pack.entry({ mtime: new Date(1_700_000_000_000), mode: h.type === 'directory' ? 0o755 : 0o644, ...h }, body ?? '', (err) => (err ? rej(err) : res())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function readTar(buf: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = tar.extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      if (entry.header.type === 'file') files.set(entry.header.name, Buffer.concat(chunks));
    }
  })();
  ex.end(buf);
  await done;
  return files;
}

const rootfs = () =>
  makeTar([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', body: '#!fake busybox\n', mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\n' },
  ]);

interface Fixture {
  root: string;
  svc: ImageService;
  events: EventBus;
  using: Map<string, string[]>;
}

async function fixture(t: import('node:test').TestContext, root?: string): Promise<Fixture> {
  const dir = root ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-images-')));
  if (!root) t.after(() => fsp.rm(dir, { recursive: true, force: true }));
  const events = new EventBus();
  const using = new Map<string, string[]>();
  const svc = new ImageService({ dataRoot: dir, events, log: silentLogger, usage: { containersUsing: (id) => using.get(id) ?? [] } });
  await svc.init();
  return { root: dir, svc, events, using };
}

async function saveToBuffer(svc: ImageService, names: string[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => out.on('end', r));
  await svc.save(svc.saveSet(names), out);
  await ended;
  return Buffer.concat(chunks);
}

async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const n of await fsp.readdir(d)) {
      const p = path.join(d, n);
      out.push(path.relative(root, p));
      if ((await fsp.lstat(p)).isDirectory()) await walk(p);
    }
  };
  await walk(root);
  return out.sort();
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

test('import a rootfs with changes, tag, resolve, inspect, history, list', async (t) => {
  const { svc, events } = await fixture(t);
  const seen: string[] = [];
  events.subscribe((e) => seen.push(e.Action));
  const plain = await rootfs();
  const id = await svc.importImage(Readable.from([zlib.gzipSync(plain)]), { repo: 'busybox', changes: ['CMD ["sh"]', 'ENV A=1', 'WORKDIR /etc', 'EXPOSE 80'] });
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  // The ID is the digest of the stored config blob, and the config's diff ID is the plain tar's digest.
  const cfgBytes = await svc.content.get(id);
  assert.equal(sha(cfgBytes), id);
  const cfg = JSON.parse(cfgBytes.toString());
  assert.deepEqual(cfg.rootfs.diff_ids, [sha(plain)]);
  assert.equal(cfg.comment, 'Imported from -');
  assert.deepEqual(cfg.config.Cmd, ['sh']);

  const r = await svc.resolve('busybox');
  assert.equal(r.id, id);
  assert.equal(r.displayRef, 'busybox:latest');
  assert.deepEqual(r.config.Cmd, ['sh']);
  assert.deepEqual(r.config.Env, ['A=1']);
  assert.equal(r.config.WorkingDir, '/etc');
  assert.equal(r.layerDirs.length, 1);
  assert.equal(await fsp.readFile(path.join(r.layerDirs[0]!, 'etc/passwd'), 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');
  assert.equal(await fsp.readlink(path.join(r.layerDirs[0]!, 'bin/sh')), 'busybox');

  await svc.tag('busybox', 'localhost:5000/a/b', 'v1');
  assert.equal((await svc.resolve('localhost:5000/a/b:v1')).id, id);
  assert.equal((await svc.resolve(id.slice(7, 19))).id, id);
  assert.equal((await svc.resolve(`sha256:${id.slice(7, 15)}`)).id, id);
  assert.equal((await svc.resolve(id)).id, id);
  await assert.rejects(svc.resolve('nosuch'), /No such image: nosuch:latest/);
  await assert.rejects(svc.resolve('Busybox'), /invalid reference format: repository name \(library\/Busybox\) must be lowercase/);

  const d = await svc.inspect('busybox:latest');
  assert.deepEqual(d.repoTags.sort(), ['busybox:latest', 'localhost:5000/a/b:v1']);
  assert.equal(d.size, '#!fake busybox\n'.length + 'root:x:0:0:root:/root:/bin/sh\n'.length + 'busybox'.length);
  const h = await svc.history('busybox');
  assert.equal(h.length, 1);
  assert.equal(h[0]!.id, id);
  assert.equal(h[0]!.comment, 'Imported from -');
  assert.equal(svc.count(), 1);
  // A digest reference (what a pull records) shows in RepoDigests and resolves.
  const md = `sha256:${'d'.repeat(64)}`;
  await svc.addReference(`busybox@${md}`, id);
  assert.deepEqual((await svc.inspect('busybox')).repoDigests, [`busybox@${md}`]);
  assert.equal((await svc.resolve(`busybox:whatever@${md}`)).id, id);

  assert.equal((await svc.list({ filters: { reference: ['busybox'] } }))[0]!.repoTags.join(), 'busybox:latest');
  assert.equal((await svc.list({ filters: { reference: ['localhost:5000/*/*'] } })).length, 1);
  assert.equal((await svc.list({ filters: { reference: ['nomatch*'] } })).length, 0);
  assert.equal((await svc.list({ filters: { dangling: ['true'] } })).length, 0);
  await assert.rejects(svc.list({ filters: { bogus: ['x'] } }), /invalid filter 'bogus'/);
  assert.deepEqual(seen, ['import', 'tag', 'tag']);

  // pull of a local image answers "up to date"; of a missing one, Docker's pull-access-denied.
  assert.equal((await svc.pullLocal('busybox')).display, 'busybox:latest');
  await assert.rejects(svc.pullLocal('unknownimage'), /pull access denied for unknownimage, repository does not exist or may require 'docker login'/);
});

test('bad --change and bad tag are 400s with Docker wording; nothing stored', async (t) => {
  const { svc, root } = await fixture(t);
  const before = await snapshot(root);
  await assert.rejects(svc.importImage(Readable.from([await rootfs()]), { changes: ['RUN rm -rf /'] }), /run is not a valid change command/);
  await assert.rejects(svc.importImage(Readable.from([await rootfs()]), { repo: 'Bad' }), /must be lowercase/);
  assert.deepEqual(await snapshot(root), before);
});

test('save validates against the OCI schemas; load into another store gives the same image', async (t) => {
  const a = await fixture(t);
  const id = await a.svc.importImage(Readable.from([await rootfs()]), { repo: 'busybox', tag: 'latest', changes: ['CMD ["sh"]'] });
  await a.svc.tag(id, 'localhost:5000/x/y', 'v2');
  const saved: string[] = [];
  a.events.subscribe((e) => saved.push(`${e.Action} ${e.Actor.ID}`));
  const archive = await saveToBuffer(a.svc, ['busybox', 'localhost:5000/x/y:v2']);
  assert.deepEqual(saved, [`save ${id}`]);
  const files = await readTar(archive);
  const v = ociValidators();
  const index = JSON.parse(files.get('index.json')!.toString());
  assert.deepEqual(v.imageIndex(index), []);
  assert.deepEqual(v.imageLayout(JSON.parse(files.get('oci-layout')!.toString())), []);
  assert.equal(index.manifests.length, 2);
  const names = index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['io.containerd.image.name']).sort();
  assert.deepEqual(names, ['docker.io/library/busybox:latest', 'localhost:5000/x/y:v2']);
  const mdesc = index.manifests[0];
  const manifestBytes = files.get(`blobs/sha256/${mdesc.digest.slice(7)}`)!;
  assert.equal(sha(manifestBytes), mdesc.digest);
  const manifest = JSON.parse(manifestBytes.toString());
  assert.deepEqual(v.imageManifest(manifest), []);
  const config = JSON.parse(files.get(`blobs/sha256/${id.slice(7)}`)!.toString());
  assert.deepEqual(v.imageConfig(config), []);
  assert.match(config.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  for (const l of manifest.layers) assert.equal(sha(files.get(`blobs/sha256/${l.digest.slice(7)}`)!), l.digest);
  const dm = JSON.parse(files.get('manifest.json')!.toString());
  assert.equal(dm.length, 1);
  assert.deepEqual(dm[0].RepoTags.sort(), ['busybox:latest', 'localhost:5000/x/y:v2']);
  assert.equal(dm[0].Config, `blobs/sha256/${id.slice(7)}`);
  assert.deepEqual(JSON.parse(files.get('repositories')!.toString()).busybox, { latest: config.rootfs.diff_ids[0].slice(7) });

  // docker-archive load (manifest.json is there)
  const b = await fixture(t);
  const loadedEvents: string[] = [];
  b.events.subscribe((e) => loadedEvents.push(e.Action));
  const lines = await b.svc.load(Readable.from([archive]));
  assert.deepEqual(lines.sort(), ['Loaded image: busybox:latest', 'Loaded image: localhost:5000/x/y:v2']);
  assert.deepEqual(loadedEvents, ['load']);
  const rb = await b.svc.resolve('localhost:5000/x/y:v2');
  assert.equal(rb.id, id);
  assert.deepEqual(rb.config.Cmd, ['sh']);
  assert.equal(await fsp.readFile(path.join(rb.layerDirs[0]!, 'bin/busybox'), 'utf8'), '#!fake busybox\n');
  // Loading the same archive again is harmless.
  await b.svc.load(Readable.from([zlib.gzipSync(archive)]));
  assert.equal(b.svc.count(), 1);

  // Plain OCI layout (no manifest.json): names come from the index annotations.
  const oci = await makeTar(
    [...files.entries()].filter(([n]) => n !== 'manifest.json' && n !== 'repositories').map(([name, body]) => ({ name, body })),
  );
  const c = await fixture(t);
  const ociLines = await c.svc.load(Readable.from([oci]));
  assert.deepEqual(ociLines.sort(), ['Loaded image: busybox:latest', 'Loaded image: localhost:5000/x/y:v2']);
  assert.equal((await c.svc.resolve('busybox')).id, id);

  // An OCI layout as registries and skopeo write it: gzip layers, a full ref.name, no manifest.json.
  const gz = zlib.gzipSync(files.get(`blobs/sha256/${manifest.layers[0].digest.slice(7)}`)!);
  const gzManifest = Buffer.from(JSON.stringify({ ...manifest, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(gz), size: gz.length }] }));
  const gzIndex = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(gzManifest), size: gzManifest.length, annotations: { 'org.opencontainers.image.ref.name': 'example.com/gz/img:7' } }] };
  assert.deepEqual(v.imageIndex(gzIndex), []);
  const gzLayout = await makeTar([
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', body: JSON.stringify(gzIndex) },
    { name: `blobs/sha256/${sha(gzManifest).slice(7)}`, body: gzManifest },
    { name: `blobs/sha256/${id.slice(7)}`, body: files.get(`blobs/sha256/${id.slice(7)}`)! },
    { name: `blobs/sha256/${sha(gz).slice(7)}`, body: gz },
  ]);
  const g = await fixture(t);
  assert.deepEqual(await g.svc.load(Readable.from([gzLayout])), ['Loaded image: example.com/gz/img:7']);
  assert.equal((await g.svc.resolve('example.com/gz/img:7')).id, id);
  // A manifest blob that does not match its descriptor is refused.
  const badIndex = { ...gzIndex, manifests: [{ ...gzIndex.manifests[0], digest: sha(Buffer.from('other')) }] };
  const h = await fixture(t);
  await assert.rejects(
    h.svc.load(Readable.from([await makeTar([{ name: 'index.json', body: JSON.stringify(badIndex) }, { name: `blobs/sha256/${sha(Buffer.from('other')).slice(7)}`, body: gzManifest }])])),
    /has digest sha256:[a-f0-9]+, expected/,
  );

  // Saving by ID writes no names.
  const byId = await readTar(await saveToBuffer(a.svc, [id.slice(7, 19)]));
  assert.equal(JSON.parse(byId.get('manifest.json')!.toString())[0].RepoTags, null);
  await assert.rejects(async () => a.svc.saveSet(['busybox', 'missing:tag']), /No such image: missing:tag/);
});

test('hostile tars and broken archives are refused and leave the store unchanged', async (t) => {
  const { svc, root } = await fixture(t);
  await svc.importImage(Readable.from([await rootfs()]), { repo: 'base' });
  const before = await snapshot(root);
  const outside = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-outside-'));
  t.after(() => fsp.rm(outside, { recursive: true, force: true }));
  const hostile = [
    await makeTar([{ name: 'ok', body: 'x' }, { name: '../../../../../../../../' + outside.slice(1) + '/pwned', body: 'bad' }]),
    await makeTar([{ name: 'l', type: 'symlink', linkname: '../../../../../../../..' + outside }, { name: 'l/pwned', body: 'bad' }]),
    await makeTar([{ name: 'h', type: 'link', linkname: '../../../../../../etc/passwd' }]),
  ];
  for (const h of hostile) {
    await assert.rejects(svc.importImage(Readable.from([h]), { repo: 'evil' }), /outside of the layer|invalid hardlink|invalid symlink/);
    await assert.rejects(svc.resolve('evil'), /No such image/);
    assert.deepEqual(await snapshot(root), before);
  }
  assert.deepEqual(await fsp.readdir(outside), []);

  // A load whose layer does not match the config's diff ID.
  const good = await saveToBuffer(svc, ['base']);
  const files = await readTar(good);
  const dm = JSON.parse(files.get('manifest.json')!.toString());
  files.set(dm[0].Layers[0], await makeTar([{ name: 'other', body: 'content' }]));
  const tampered = await makeTar([...files.entries()].map(([name, body]) => ({ name, body })));
  const other = await fixture(t);
  const otherBefore = await snapshot(other.root);
  await assert.rejects(other.svc.load(Readable.from([tampered])), /digest mismatch|diff ID mismatch/);
  assert.deepEqual(await snapshot(other.root), otherBefore);
  await assert.rejects(other.svc.load(Readable.from([await makeTar([{ name: 'junk', body: 'x' }])])), /neither manifest.json/);
  const extraLayer = await makeTar([
    ...[...(await readTar(good)).entries()].filter(([n]) => n !== 'manifest.json').map(([name, body]) => ({ name, body })),
    { name: 'manifest.json', body: JSON.stringify([{ ...dm[0], Layers: [dm[0].Layers[0], dm[0].Layers[0]] }]) },
  ]);
  await assert.rejects(other.svc.load(Readable.from([extraLayer])), /layers length mismatch: expected 1, got 2/);
  const escaping = await makeTar([{ name: 'manifest.json', body: JSON.stringify([{ Config: '../../../etc/passwd', RepoTags: [], Layers: [] }]) }]);
  await assert.rejects(other.svc.load(Readable.from([escaping])), /outside of the archive/);
  assert.deepEqual(await snapshot(other.root), otherBefore);
});

test("rmi: Docker's untag/delete records and conflicts", async (t) => {
  const { svc, using, root } = await fixture(t);
  const id = await svc.importImage(Readable.from([await rootfs()]), { repo: 'busybox' });
  await svc.tag('busybox', 'other', 'v1');
  // By name with another name left: only untagged.
  assert.deepEqual(await svc.remove('other:v1'), [{ untagged: 'other:v1' }]);
  await svc.tag('busybox', 'other', 'v1');
  // By ID with names in two repositories: must force.
  await assert.rejects(svc.remove(id.slice(7, 19)), /conflict: unable to delete [a-f0-9]{12} \(must be forced\) - image is referenced in multiple repositories/);
  await svc.remove('other:v1');
  // A container uses it: its last name cannot go without force.
  using.set(id, ['c0ffee1234567890']);
  await assert.rejects(svc.remove('busybox'), /conflict: unable to remove repository reference "busybox" \(must force\) - container c0ffee123456 is using its referenced image [a-f0-9]{12}/);
  await assert.rejects(svc.remove(id), /must be forced\) - image is being used by stopped container c0ffee123456/);
  // Forced while in use: untagged, kept (dangling) because the container needs its layers.
  assert.deepEqual(await svc.remove('busybox', { force: true }), [{ untagged: 'busybox:latest' }]);
  assert.equal(svc.count(), 1);
  assert.equal((await svc.list({ filters: { dangling: ['true'] } })).length, 1);
  // Prune skips it while used, removes it afterwards, with its layer.
  assert.deepEqual((await svc.prune()).deleted, []);
  using.clear();
  const layerDir = (await svc.resolve(id)).layerDirs[0]!;
  const chain = svc.store.get(id)!.chainIds[0]!;
  const pr = await svc.prune();
  assert.deepEqual(pr.deleted, [{ deleted: id }, { deleted: chain }]);
  assert.ok(pr.spaceReclaimed > 0);
  assert.ok(!fs.existsSync(layerDir));
  assert.equal(svc.count(), 0);
  assert.deepEqual(await svc.content.list(), []);

  // Plain rmi of the only name deletes image, layer and blobs.
  const id2 = await svc.importImage(Readable.from([await rootfs()]), { repo: 'again' });
  const recs = await svc.remove('again');
  assert.deepEqual(recs.slice(0, 2), [{ untagged: 'again:latest' }, { deleted: id2 }]);
  assert.equal(recs.length, 3); // + the layer's chain ID
  assert.deepEqual(await svc.content.list(), []);
  await assert.rejects(svc.remove('again'), /No such image: again:latest/);
});

test('a killed daemon mid-load leaves nothing visible; init cleans up', async (t) => {
  const first = await fixture(t);
  const id = await first.svc.importImage(Readable.from([await rootfs()]), { repo: 'keep' });
  const root = first.root;
  // What an interrupted load leaves: a half-extracted layer, a half-written blob, an unpacked archive,
  // a fully written blob and a complete layer that no image references, and a temp repositories file.
  await fsp.mkdir(path.join(root, 'layers', 'tmp-deadbeef', 'diff'), { recursive: true });
  await fsp.writeFile(path.join(root, 'content', 'ingest', '123-abc'), 'partial');
  await fsp.mkdir(path.join(root, 'tmp', 'images', 'load-xyz', 'archive'), { recursive: true });
  const orphan = Buffer.from('orphan blob');
  await fsp.writeFile(path.join(root, 'content', 'blobs', 'sha256', sha(orphan).slice(7)), orphan);
  const orphanLayer = path.join(root, 'layers', 'f'.repeat(64));
  await fsp.mkdir(path.join(orphanLayer, 'diff'), { recursive: true });
  await fsp.writeFile(path.join(orphanLayer, 'meta.json'), JSON.stringify({ chainId: `sha256:${'f'.repeat(64)}`, diffId: `sha256:${'f'.repeat(64)}`, parent: null, size: 0, tarSize: 0, created: '' }));
  await fsp.writeFile(path.join(root, 'images', 'db', `${'e'.repeat(64)}.json.tmp-1`), '{');

  const second = await fixture(t, root);
  assert.equal((await second.svc.resolve('keep')).id, id);
  assert.equal(second.svc.count(), 1);
  assert.ok(!fs.existsSync(path.join(root, 'layers', 'tmp-deadbeef')));
  assert.deepEqual(await fsp.readdir(path.join(root, 'content', 'ingest')), []);
  assert.deepEqual(await fsp.readdir(path.join(root, 'tmp', 'images')), []);
  assert.ok(!fs.existsSync(orphanLayer));
  assert.ok(!(await second.svc.content.has(sha(orphan) as Digest)));
  assert.deepEqual(await fsp.readdir(path.join(root, 'images', 'db')), [`${id.slice(7)}.json`]);
});

test('ID prefixes: unique resolves, ambiguous says so', async (t) => {
  const { svc } = await fixture(t);
  const ids: Digest[] = [];
  // Import until two IDs share a first hex digit (at most 17 imports by pigeonhole).
  for (let i = 0; i < 17; i++) {
    ids.push(await svc.importImage(Readable.from([await makeTar([{ name: `f${i}`, body: String(i) }])])));
    const firsts = ids.map((x) => x[7]);
    const dup = firsts.find((c, j) => firsts.indexOf(c) !== j);
    if (dup) {
      await assert.rejects(svc.resolve(dup), /ambiguous image ID prefix/);
      const unique = ids.find((x) => x[7] === dup)!;
      assert.equal((await svc.resolve(unique.slice(7, 20))).id, unique);
      return;
    }
  }
  assert.fail('no two IDs shared a first digit');
});

test('kill -9 of a daemon in the middle of a load: after restart the image is whole or absent', async (t) => {
  const { spawn } = await import('node:child_process');
  const { randomBytes } = await import('node:crypto');
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-killload-'));
  t.after(() => fsp.rm(work, { recursive: true, force: true }));
  // A three-layer docker-archive with incompressible layers, big enough that a load takes a while.
  const layers: Buffer[] = [];
  for (let i = 0; i < 3; i++) layers.push(await makeTar([{ name: `l${i}/data`, body: randomBytes(6 * 1024 * 1024) }, { name: `l${i}/small`, body: `layer ${i}` }]));
  const diffIds = layers.map(sha);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: new Date().toISOString(), config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const archive = await makeTar([
    ...layers.map((body, i) => ({ name: `layer${i}.tar`, body })),
    { name: 'config.json', body: config },
    { name: 'manifest.json', body: JSON.stringify([{ Config: 'config.json', RepoTags: ['big:1'], Layers: layers.map((_, i) => `layer${i}.tar`) }]) },
  ]);
  const archivePath = path.join(work, 'archive.tar');
  await fsp.writeFile(archivePath, archive);
  const child = `
    import fs from 'node:fs';
    const [svcUrl, evUrl, logUrl, root, file] = process.argv.slice(1);
    const { ImageService } = await import(svcUrl);
    const { EventBus } = await import(evUrl);
    const { silentLogger } = await import(logUrl);
    const svc = new ImageService({ dataRoot: root, events: new EventBus(), log: silentLogger, usage: { containersUsing: () => [] } });
    await svc.init();
    process.stdout.write('ready\\n');
    await svc.load(file === '-' ? process.stdin : fs.createReadStream(file));
    process.stdout.write('done\\n');
  `;
  const urls = [new URL('./image-service.js', import.meta.url), new URL('../events.js', import.meta.url), new URL('../../daemon/logger.js', import.meta.url)].map(String);
  const outcomes: string[] = [];
  // The first round feeds only the first 10 MB of the archive through a pipe, so its kill lands in the
  // middle of the load however slow or stalled the machine is; the others kill a load of the whole
  // file after a delay, wherever it has got to.
  for (const delayMs of ['partial', 30, 80, 160, 320, 640] as const) {
    const partial = delayMs === 'partial';
    const root = path.join(work, `root-${delayMs}`);
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child, ...urls, root, partial ? '-' : archivePath], { stdio: [partial ? 'pipe' : 'ignore', 'pipe', 'inherit'] });
    if (partial) {
      proc.stdin!.on('error', () => {}); // the kill closes the pipe
      proc.stdin!.write(archive.subarray(0, 10 * 1024 * 1024));
    }
    t.after(() => proc.kill('SIGKILL'));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('ready')) resolve();
      });
      proc.on('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    const exited = new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(null) : proc.once('exit', r)));
    await new Promise((r) => setTimeout(r, partial ? 300 : delayMs));
    const finishedAlone = proc.exitCode !== null;
    proc.kill('SIGKILL');
    await exited;
    // A child that exited by itself must have finished the load, not crashed.
    if (finishedAlone) assert.match(out, /done/, `child exited without finishing: ${out}`);

    const { svc } = await fixture(t, root);
    if (svc.count() === 1) {
      // The image record is written, then its tag: a kill between the two leaves the image whole and
      // untagged (dangling, as after a load whose tag moved on), never a tag without its image.
      const tagged = await svc.resolve('big:1').then(
        () => true,
        () => false,
      );
      const r = await svc.resolve(tagged ? 'big:1' : sha(config));
      assert.equal(r.id, sha(config));
      assert.deepEqual(r.config.Cmd, ['sh']);
      for (let i = 0; i < 3; i++) assert.equal(await fsp.readFile(path.join(r.layerDirs[i]!, `l${i}/small`), 'utf8'), `layer ${i}`);
      assert.equal((await svc.content.list()).length, 4);
      outcomes.push(tagged ? 'whole' : 'whole, untagged');
    } else {
      assert.equal(svc.count(), 0);
      await assert.rejects(svc.resolve('big:1'), /No such image/);
      assert.deepEqual(await svc.content.list(), []);
      assert.deepEqual(svc.layers.list(), []);
      assert.deepEqual((await fsp.readdir(path.join(root, 'layers'))).filter((n) => n.startsWith('tmp-')), []);
      outcomes.push('absent');
    }
    assert.deepEqual(await fsp.readdir(path.join(root, 'content', 'ingest')), []);
    assert.deepEqual(await fsp.readdir(path.join(root, 'tmp', 'images')), []);
  }
  t.diagnostic(`outcomes by kill delay: ${outcomes.join(', ')}`);
  // The first kill lands in the middle of the load (its archive never ended).
  assert.equal(outcomes[0], 'absent', outcomes.join());
});

test('rmi removes untagged parents (intermediate images) unless noprune; a parent with children cannot go', async (t) => {
  const { svc } = await fixture(t);
  const base = await svc.importImage(Readable.from([await rootfs()]));
  // A child image on top of base, as the builder will record it (same layers, new config, parent set).
  const baseCfg = JSON.parse((await svc.content.get(base)).toString());
  const lease = svc.leases.open();
  const mkChild = async (n: number, parent: Digest) =>
    svc.addImage(Buffer.from(JSON.stringify({ ...baseCfg, config: { Cmd: [`step${n}`] } })), lease, () => {
      throw new Error('layers are present');
    }, { parent });
  const mid = await mkChild(1, base);
  const top = await mkChild(2, mid);
  lease.release();
  await svc.addReference('app:1', top);
  // Intermediate images are hidden from the default list.
  assert.deepEqual((await svc.list()).map((d) => d.id), [top]);
  assert.equal((await svc.list({ all: true })).length, 3);
  await assert.rejects(svc.remove(mid), /cannot be forced\) - image has dependent child images/);
  const recs = await svc.remove('app:1');
  assert.deepEqual(recs.filter((r) => 'deleted' in r).map((r) => ('deleted' in r ? r.deleted : '')).slice(0, 3), [top, mid, base]);
  assert.equal(svc.count(), 0);
  // noprune keeps the parents.
  const b2 = await svc.importImage(Readable.from([await rootfs()]));
  const l2 = svc.leases.open();
  const c2 = await svc.addImage(Buffer.from(JSON.stringify({ ...JSON.parse((await svc.content.get(b2)).toString()), config: { Cmd: ['x'] } })), l2, () => {
    throw new Error('present');
  }, { parent: b2 });
  l2.release();
  await svc.remove(c2, { noprune: true });
  assert.ok(svc.store.has(b2));
});
