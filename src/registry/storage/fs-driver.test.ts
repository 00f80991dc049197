import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { driverSuite } from './driver-suite.js';
import { FilesystemDriver } from './fs-driver.js';

driverSuite('filesystem', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-fs-'));
  return { driver: new FilesystemDriver(root), cleanup: async () => fs.rmSync(root, { recursive: true, force: true }) };
});

test('filesystem driver: a write cut halfway leaves only a temp file, which sweepTemp removes', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-fs-'));
  try {
    const d = new FilesystemDriver(root);
    // What a SIGKILL mid-write leaves: a file in .tmp that was never renamed.
    fs.writeFileSync(path.join(root, '.tmp', '1-dead'), 'partial');
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(root, '.tmp', '1-dead'), old, old);
    assert.deepEqual(await d.list(''), []);
    assert.equal(await d.sweepTemp(60_000), 1);
    assert.deepEqual(fs.readdirSync(path.join(root, '.tmp')), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('filesystem driver: a start-up removes the temp files of dead writers and keeps live ones', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-fs-'));
  try {
    const d = new FilesystemDriver(root);
    // A pid that cannot be running: above the kernel's pid_max.
    const dead = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1;
    fs.writeFileSync(path.join(root, '.tmp', `${dead}-1-partial`), 'partial');
    fs.mkdirSync(path.join(root, '.tmp', `${dead}-del-tree`, 'a'), { recursive: true });
    fs.writeFileSync(path.join(root, '.tmp', `${process.pid}-1-mine`), 'in progress');
    fs.writeFileSync(path.join(root, '.tmp', `${process.ppid}-1-parent`), 'a live process');
    assert.equal(await d.sweepDeadTemp(), 2);
    assert.deepEqual(fs.readdirSync(path.join(root, '.tmp')).sort(), [`${process.pid}-1-mine`, `${process.ppid}-1-parent`].sort());
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
