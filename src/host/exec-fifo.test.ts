// The in-process `runc start`: a real FIFO and a real writer process standing in for runc's init
// (which opens exec.fifo for writing, writes one byte and execs the user's program).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InitGoneError, releaseExecFifo } from './exec-fifo.js';

function tempFifo(t: import('node:test').TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-fifo-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fifo = path.join(dir, 'exec.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  return fifo;
}

test('releases a writer that is waiting, then removes the FIFO (runc then calls the container running)', async (t) => {
  const fifo = tempFifo(t);
  // The writer blocks in open() until a reader comes, as runc init does; then it writes and goes on.
  const w = spawn('sh', ['-c', `printf 0 > '${fifo}'; echo released`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => w.kill('SIGKILL'));
  let out = '';
  w.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise((r) => w.once('close', r));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(out, '', 'the writer waits for a reader');
  assert.equal(await releaseExecFifo(fifo, w.pid!), true);
  await exited;
  assert.equal(out, 'released\n');
  assert.equal(fs.existsSync(fifo), false);
});

test('a writer that comes after the reader is released as well', async (t) => {
  const fifo = tempFifo(t);
  const w = spawn('sh', ['-c', `sleep 0.1; printf 0 > '${fifo}'`], { stdio: 'ignore' });
  t.after(() => w.kill('SIGKILL'));
  assert.equal(await releaseExecFifo(fifo, w.pid!), true);
});

test('an init that dies before writing is reported, not waited for', async (t) => {
  const fifo = tempFifo(t);
  const w = spawn('sh', ['-c', 'exit 1'], { stdio: 'ignore' });
  await new Promise((r) => w.once('exit', r));
  const started = Date.now();
  await assert.rejects(releaseExecFifo(fifo, w.pid!, 20), InitGoneError);
  assert.ok(Date.now() - started < 2000);
  // A writer that opened and closed without its byte is the same failure.
  const fifo2 = tempFifo(t);
  const w2 = spawn('sh', ['-c', `sleep 0.05; : > '${fifo2}'; sleep 5`], { stdio: 'ignore' });
  t.after(() => w2.kill('SIGKILL'));
  await assert.rejects(releaseExecFifo(fifo2, w2.pid!), InitGoneError);
});

test('a path that is not a FIFO is left to `runc start`', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-fifo-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'exec.fifo'), '');
  assert.equal(await releaseExecFifo(path.join(dir, 'exec.fifo'), process.pid), false);
  assert.equal(await releaseExecFifo(path.join(dir, 'missing'), process.pid), false);
});
