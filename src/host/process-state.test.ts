import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { processExited, processGone } from './process-state.js';

test('a live process is not exited; a zombie and a reaped one are', async () => {
  assert.equal(processExited(process.pid), false);
  // A child of a shell that does not wait for it: a zombie until the shell exits.
  const sh = spawn('sh', ['-c', 'sleep 0.01 & echo $!; exec sleep 2'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = Number((await new Promise<Buffer>((r) => sh.stdout.once('data', r))).toString().trim());
  const started = Date.now();
  await processGone(pid, 1500);
  assert.ok(Date.now() - started < 1000, 'the zombie counted as gone');
  assert.equal(processExited(pid), true);
  sh.kill('SIGKILL');
  assert.equal(processExited(2 ** 22 + 12345), true, 'no such PID');
});
