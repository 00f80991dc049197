import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveInRoot } from './scoped-path.js';

test('symlinks resolve inside the root, never outside it', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-root-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  await fs.mkdir(path.join(root, 'etc'));
  await fs.symlink('/etc/shadow', path.join(root, 'abs'));
  await fs.symlink('../../../../etc', path.join(root, 'rel'));
  await fs.symlink('etc', path.join(root, 'ok'));
  await fs.symlink('loop2', path.join(root, 'loop1'));
  await fs.symlink('loop1', path.join(root, 'loop2'));
  assert.equal(await resolveInRoot(root, '/abs'), path.join(root, 'etc/shadow'));
  assert.equal(await resolveInRoot(root, '/rel/passwd'), path.join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, '/ok/x'), path.join(root, 'etc/x'));
  assert.equal(await resolveInRoot(root, '/../../x'), path.join(root, 'x'));
  assert.equal(await resolveInRoot(root, '/abs', false), path.join(root, 'abs'));
  await assert.rejects(resolveInRoot(root, '/loop1'), /too many levels/);
});
