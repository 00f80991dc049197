// Tests of the volume service on a real temporary directory: layout, persistence across restarts,
// crash leftovers, names, conflicts, filters, prune and events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VolumeService, ANONYMOUS_LABEL } from './volume-service.js';
import { EventBus } from '../events.js';
import { silentLogger } from '../../daemon/logger.js';
import { ConflictError, InvalidParameterError, NotFoundError, NotImplementedError } from '../../errors.js';
import type { EventMessage } from '../../api/types/system.js';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-volumes-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'volumes');
  const events = new EventBus();
  const seen: EventMessage[] = [];
  events.subscribe((e) => seen.push(e));
  const svc = new VolumeService({ root, events, log: silentLogger });
  await svc.init();
  return { dir, root, events, seen, svc };
}

test('create makes <root>/<name>/_data and an atomic meta.json; get and mountpoint return it', async (t) => {
  const { root, svc, seen } = await setup(t);
  const v = await svc.create({ name: 'data', labels: { a: 'b' } });
  assert.equal(v.name, 'data');
  assert.equal(v.driver, 'local');
  assert.equal(v.mountpoint, path.join(root, 'data', '_data'));
  assert.match(v.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok((await fs.stat(v.mountpoint)).isDirectory());
  const meta = JSON.parse(await fs.readFile(path.join(root, 'data', 'meta.json'), 'utf8'));
  assert.deepEqual(meta.labels, { a: 'b' });
  assert.deepEqual(await fs.readdir(path.join(root, 'data')), ['_data', 'meta.json']); // no temp file left
  assert.deepEqual(svc.get('data'), v);
  assert.equal(svc.mountpoint('data'), v.mountpoint);
  assert.deepEqual(seen.map((e) => [e.Type, e.Action, e.Actor.ID, e.Actor.Attributes]), [['volume', 'create', 'data', { driver: 'local' }]]);
});

test('creating an existing name returns it unchanged (labels kept), as Docker does', async (t) => {
  const { svc } = await setup(t);
  const a = await svc.create({ name: 'same', labels: { one: '1' } });
  const b = await svc.create({ name: 'same', labels: { two: '2' }, ifMissing: true });
  assert.deepEqual(b, a);
  // Concurrent creates of one name make one volume.
  const [c, d] = await Promise.all([svc.create({ name: 'race' }), svc.create({ name: 'race' })]);
  assert.equal(c.createdAt, d.createdAt);
  assert.equal(svc.list().length, 2);
});

test('anonymous volumes get a 64-hex name and Docker\'s anonymous label', async (t) => {
  const { svc } = await setup(t);
  const v = await svc.create({ anonymous: true });
  assert.match(v.name, /^[0-9a-f]{64}$/);
  assert.deepEqual(v.labels, { [ANONYMOUS_LABEL]: '' });
  const unnamed = await svc.create({});
  assert.match(unnamed.name, /^[0-9a-f]{64}$/);
  assert.deepEqual(unnamed.labels, {});
});

test('names, drivers and options are checked with Docker\'s messages', async (t) => {
  const { svc, root } = await setup(t);
  await assert.rejects(svc.create({ name: 'a' }), (e: unknown) => e instanceof InvalidParameterError && e.message === 'create a: volume name is too short, names should be at least two alphanumeric characters');
  await assert.rejects(svc.create({ name: 'a b' }), {
    message: 'create a b: "a b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
  });
  await assert.rejects(svc.create({ name: '../escape' }), InvalidParameterError);
  await assert.rejects(svc.create({ name: 'foo', driver: 'nfs' }), (e: unknown) => e instanceof NotFoundError && e.message === 'create foo: error looking up volume plugin nfs: plugin "nfs" not found');
  await assert.rejects(svc.create({ name: 'opt2', driverOpts: { foo: 'bar' } }), { message: 'create opt2: invalid option: "foo"' });
  await assert.rejects(svc.create({ name: 'tmp1', driverOpts: { type: 'tmpfs', device: 'tmpfs' } }), NotImplementedError);
  assert.deepEqual(await fs.readdir(root), []);
  assert.equal((await svc.create({ name: 'ok-1.2_3', driver: 'local' })).name, 'ok-1.2_3');
});

test('get of a missing volume is Docker\'s 404', async (t) => {
  const { svc } = await setup(t);
  assert.throws(() => svc.get('nope'), (e: unknown) => e instanceof NotFoundError && e.message === 'get nope: no such volume');
  await assert.rejects(svc.remove('nope'), { message: 'get nope: no such volume' });
  await svc.remove('nope', true); // force: a missing volume is not an error
});

test('remove refuses a volume in use, naming the containers; then removes it and emits destroy', async (t) => {
  const { svc, root, seen } = await setup(t);
  const v = await svc.create({ name: 'busy' });
  await fs.writeFile(path.join(v.mountpoint, 'file'), 'data');
  let users = ['c1', 'c2'];
  svc.setUsage((n) => (n === 'busy' ? users : []));
  await assert.rejects(svc.remove('busy'), (e: unknown) => e instanceof ConflictError && e.message === 'remove busy: volume is in use - [c1, c2]');
  await assert.rejects(svc.remove('busy', true), ConflictError);
  assert.deepEqual(svc.list({ dangling: ['false'] }).map((x) => x.name), ['busy']);
  users = [];
  await svc.remove('busy');
  assert.throws(() => svc.get('busy'), NotFoundError);
  assert.deepEqual(await fs.readdir(root), ['.trash']);
  assert.deepEqual(await fs.readdir(path.join(root, '.trash')), []);
  assert.deepEqual(seen.at(-1)?.Action, 'destroy');
  assert.deepEqual(seen.at(-1)?.Actor, { ID: 'busy', Attributes: { driver: 'local' } });
});

test('the index is rebuilt from disk; crash leftovers are adopted or cleaned', async (t) => {
  const { root, svc, events } = await setup(t);
  await svc.create({ name: 'keep', labels: { k: 'v' } });
  // A create that crashed before its meta.json, a stray temp meta, a half-deleted volume in the trash,
  // a corrupt meta.json, and a file that is no volume at all.
  await fs.mkdir(path.join(root, 'halfmade', '_data'), { recursive: true });
  // What engine/atomic-file.ts leaves behind when a crash interrupts a write.
  await fs.writeFile(path.join(root, 'keep', '.tmp-meta.json-abcd12'), '{"partial');
  await fs.mkdir(path.join(root, '.trash', 'gone-123', '_data'), { recursive: true });
  await fs.mkdir(path.join(root, 'corrupt', '_data'), { recursive: true });
  await fs.writeFile(path.join(root, 'corrupt', 'meta.json'), '{not json');
  await fs.writeFile(path.join(root, 'metadata.db'), '');
  const again = new VolumeService({ root, events, log: silentLogger });
  await again.init();
  assert.deepEqual(again.list().map((v) => v.name), ['corrupt', 'halfmade', 'keep']);
  assert.deepEqual(again.get('keep').labels, { k: 'v' });
  assert.deepEqual(again.get('halfmade').labels, {});
  assert.deepEqual((await fs.readdir(path.join(root, 'keep'))).sort(), ['_data', 'meta.json']);
  assert.equal(JSON.parse(await fs.readFile(path.join(root, 'halfmade', 'meta.json'), 'utf8')).name, 'halfmade');
  await assert.rejects(fs.stat(path.join(root, '.trash')), { code: 'ENOENT' });
});

test('list filters and sorts; bad filters are refused', async (t) => {
  const { svc } = await setup(t);
  await svc.create({ name: 'zeta' });
  await svc.create({ name: 'alpha', labels: { tier: 'db' } });
  assert.deepEqual(svc.list().map((v) => v.name), ['alpha', 'zeta']);
  assert.deepEqual(svc.list({ label: ['tier=db'] }).map((v) => v.name), ['alpha']);
  assert.deepEqual(svc.list({ name: ['et'] }).map((v) => v.name), ['zeta']);
  assert.throws(() => svc.list({ bogus: ['1'] }), { message: "Invalid filter 'bogus'" });
});

test('prune removes unused anonymous volumes (all=true: named too), reports bytes and emits prune', async (t) => {
  const { svc, seen } = await setup(t);
  const anon = await svc.create({ anonymous: true });
  const busyAnon = await svc.create({ anonymous: true });
  const named = await svc.create({ name: 'named' });
  await fs.writeFile(path.join(anon.mountpoint, 'f'), 'hello');
  await fs.mkdir(path.join(anon.mountpoint, 'd'));
  await fs.writeFile(path.join(anon.mountpoint, 'd', 'g'), 'abc');
  await fs.link(path.join(anon.mountpoint, 'd', 'g'), path.join(anon.mountpoint, 'hard'));
  svc.setUsage((n) => (n === busyAnon.name ? ['c1'] : []));
  assert.equal(await svc.size(anon.name), 8); // a hard link counts once
  const r = await svc.prune();
  assert.deepEqual(r, { deleted: [anon.name], reclaimed: 8 });
  assert.deepEqual(seen.at(-1)?.Actor, { ID: '', Attributes: { reclaimed: '8' } });
  assert.equal(seen.at(-1)?.Action, 'prune');
  assert.deepEqual(svc.list().map((v) => v.name).sort(), [busyAnon.name, named.name].sort());
  const all = await svc.prune({ all: ['true'] });
  assert.deepEqual(all.deleted, ['named']);
  assert.deepEqual(svc.list().map((v) => v.name), [busyAnon.name]);
  // An old client's prune (API < 1.42) takes every unused volume.
  await svc.create({ name: 'old' });
  assert.deepEqual((await svc.prune({}, { allByDefault: true })).deleted, ['old']);
});
