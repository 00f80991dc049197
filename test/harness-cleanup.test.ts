// The harness's own cleanup must really remove what a crashed daemon leaves: a mount stack under the
// data root and a monitor process naming it. Checked here without a daemon, so that a leak in the
// integration suites cannot come from the harness itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { run, mountsUnder, processesMentioning, waitFor } from './harness/index.js';
import { removeLeftovers } from './harness/leftovers.js';

test('removeLeftovers unmounts nested mounts, kills processes naming the root and removes the files', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-harness-'));
  t.after(async () => {
    for (const m of mountsUnder(base).reverse()) await run('umount', ['-l', m]);
    fs.rmSync(base, { recursive: true, force: true });
  });
  const outer = path.join(base, 'data', 'mnt');
  fs.mkdirSync(outer, { recursive: true });
  assert.equal((await run('mount', ['-t', 'tmpfs', 'tmpfs', outer])).code, 0);
  const inner = path.join(outer, 'inner');
  fs.mkdirSync(inner);
  assert.equal((await run('mount', ['-t', 'tmpfs', 'tmpfs', inner])).code, 0);
  // A stand-in for conmon: a process whose arguments name the root, holding a file open in the mount.
  const holder = spawn('sh', ['-c', `exec 3>${inner}/held; sleep 60`, base], { stdio: 'ignore' });
  t.after(() => void holder.kill('SIGKILL'));
  await waitFor('holder running', () => fs.existsSync(path.join(inner, 'held')));
  assert.deepEqual(mountsUnder(base), [outer, inner]);
  assert.ok(processesMentioning(base).includes(holder.pid!));

  const warnings: string[] = [];
  await removeLeftovers({ base, execRoot: path.join(base, 'exec') }, (m) => warnings.push(m));

  assert.deepEqual(mountsUnder(base), []);
  assert.equal(fs.existsSync(base), false);
  await waitFor('holder killed', () => holder.exitCode !== null || holder.signalCode !== null);
  assert.deepEqual(warnings, []);
});
