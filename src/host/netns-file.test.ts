// Network namespaces made without a process (native netnsCreate) and kept by a bind-mounted file:
// against the real kernel (root, as berthd runs). Skipped, saying why, without the addon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNetnsFile, netnsFilesAvailable, removeNetnsFile } from './netns-file.js';
import { isMounted } from './overlay.js';

const skip = netnsFilesAvailable() ? false : 'native addon without netnsCreate (run npm run setup)';

test('a namespace file is a new network namespace with only a loopback, down; removal unmounts and deletes it', { skip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-netns-'));
  const file = path.join(dir, 'ns');
  t.after(async () => {
    if (fs.existsSync(file) && (await isMounted(file))) execFileSync('umount', ['-l', file]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const ours = fs.readlinkSync('/proc/thread-self/ns/net');
  createNetnsFile(file);
  assert.equal(await isMounted(file), true);
  // Not the daemon's own namespace, and this thread's namespace did not change.
  assert.notEqual(fs.statSync(file).ino, fs.statSync('/proc/thread-self/ns/net').ino);
  assert.equal(fs.readlinkSync('/proc/thread-self/ns/net'), ours);
  const links = execFileSync('nsenter', [`--net=${file}`, 'ip', '-o', 'link'], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(links.length, 1, links.join('\n'));
  assert.match(links[0]!, /^1: lo: <LOOPBACK>/);
  await removeNetnsFile(file);
  assert.equal(fs.existsSync(file), false);
  await removeNetnsFile(file); // absent: a no-op
});

test('a namespace file on a missing directory fails with the errno and leaves nothing', { skip }, () => {
  const file = path.join(os.tmpdir(), `berth-netns-missing-${process.pid}`, 'ns');
  assert.throws(() => createNetnsFile(file), { code: 'ENOENT' });
  assert.equal(fs.existsSync(file), false);
});
