import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ContainerStore } from './container-store.js';
import { ZERO_TIME, type ContainerRecord } from './container-model.js';

function rec(id: string, name: string): ContainerRecord {
  return {
    id, name, created: new Date().toISOString(), path: 'sh', args: [], image: `sha256:${'a'.repeat(64)}`, imageRef: 'busybox', layerDirs: [],
    config: {}, hostConfig: {}, mounts: [], restartCount: 0, logMaxSize: -1, logMaxFile: 1,
    state: { status: 'created', pid: 0, conmonPid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
  };
}

test('lookup by ID, name and unique prefix; ambiguous prefixes say so; reload from disk', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-store-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const s = new ContainerStore(path.join(root, 'containers'), path.join(root, 'overlay'));
  await s.load();
  const a = rec('abc1' + '0'.repeat(60), 'web');
  const b = rec('abc2' + '0'.repeat(60), 'db');
  await s.save(a);
  await s.save(b);
  assert.equal(s.find('web').id, a.id);
  assert.equal(s.find('/db').id, b.id);
  assert.equal(s.find('abc1').id, a.id);
  assert.equal(s.find(a.id).name, 'web');
  assert.throws(() => s.find('abc'), /multiple IDs found with provided prefix: abc/);
  assert.throws(() => s.find('zzz'), /No such container: zzz/);
  // A leftover temp file from a killed write and a directory without config.json are not containers.
  await fs.writeFile(path.join(root, 'containers', a.id, '.tmp-config.json-1-x'), '{');
  await fs.mkdir(path.join(root, 'containers', 'f'.repeat(64)));
  const s2 = new ContainerStore(path.join(root, 'containers'), path.join(root, 'overlay'));
  const { loaded, orphans } = await s2.load();
  assert.deepEqual(loaded.map((r) => r.name).sort(), ['db', 'web']);
  assert.deepEqual(orphans, ['f'.repeat(64)]);
  assert.deepEqual(await fs.readdir(path.join(root, 'containers', a.id)), ['config.json']);
  // Rename frees the old name; delete forgets everything.
  const w = s2.find('web');
  w.name = 'web2';
  await s2.save(w);
  assert.equal(s2.tryFind('web'), undefined);
  await s2.delete(w.id);
  assert.equal(s2.tryFind('web2'), undefined);
  await assert.rejects(fs.stat(path.join(root, 'containers', a.id)));
});
