import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { listChanges } from './changes.js';

test('added, modified and whiteout-deleted paths', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-diff-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const lower = path.join(dir, 'lower');
  const upper = path.join(dir, 'upper');
  await fs.mkdir(path.join(lower, 'etc'), { recursive: true });
  await fs.writeFile(path.join(lower, 'etc/passwd'), 'x');
  await fs.writeFile(path.join(lower, 'gone'), 'x');
  await fs.mkdir(path.join(upper, 'etc'), { recursive: true });
  await fs.writeFile(path.join(upper, 'etc/passwd'), 'y');
  await fs.mkdir(path.join(upper, 'new/sub'), { recursive: true });
  // A whiteout is a 0/0 character device (we run as root in these tests' environment).
  execFileSync('mknod', [path.join(upper, 'gone'), 'c', '0', '0']);
  assert.deepEqual(await listChanges(upper, [lower]), [
    { path: '/etc', kind: 0 },
    { path: '/etc/passwd', kind: 0 },
    { path: '/gone', kind: 2 },
    { path: '/new', kind: 1 },
    { path: '/new/sub', kind: 1 },
  ]);
});

test('the runtime\'s mount points are not changes', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-diff-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const lower = path.join(dir, 'lower');
  const upper = path.join(dir, 'upper');
  await fs.mkdir(path.join(lower, 'etc'), { recursive: true });
  await fs.mkdir(path.join(upper, 'etc'), { recursive: true });
  for (const f of ['hosts', 'hostname', 'resolv.conf']) await fs.writeFile(path.join(upper, 'etc', f), '');
  assert.deepEqual(await listChanges(upper, [lower]), []);
  await fs.writeFile(path.join(upper, 'etc', 'motd'), 'hi');
  assert.deepEqual(await listChanges(upper, [lower]), [
    { path: '/etc', kind: 0 },
    { path: '/etc/motd', kind: 1 },
  ]);
});
