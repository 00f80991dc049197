// The exec monitor fallback: an exit recorded before the watch is armed, a live monitor, a dead one
// with and without an exit file, a launcher that never named a monitor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { watchExecMonitor } from './exec-monitor.js';

const POLL = 20;

async function dir(t: { after(fn: () => Promise<void>): void }): Promise<{ exitFile: string; conmonPidFile: string }> {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-execmon-'));
  t.after(() => fsp.rm(d, { recursive: true, force: true }));
  return { exitFile: path.join(d, 'cid'), conmonPidFile: path.join(d, 'conmon.pid') };
}

/** Resolves to 'pending' if `p` has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

test('an exit file written before the watch was armed is seen at once', async (t) => {
  const f = await dir(t);
  await fsp.writeFile(f.exitFile, '7');
  await fsp.writeFile(f.conmonPidFile, String(process.pid));
  // A poll interval far longer than the deadline: only the immediate first check can find it.
  const w = watchExecMonitor({ ...f, launched: new Promise(() => {}), pollMs: 60_000 });
  t.after(() => w.stop());
  assert.equal(await within(w.gone, 1000), 7);
});

test('a live monitor without an exit file keeps it pending; the exit file then settles it', async (t) => {
  const f = await dir(t);
  await fsp.writeFile(f.conmonPidFile, '4242');
  const w = watchExecMonitor({ ...f, launched: Promise.resolve(0), pollMs: POLL, isAlive: () => true });
  t.after(() => w.stop());
  assert.equal(await within(w.gone, POLL * 6), 'pending');
  await fsp.writeFile(f.exitFile, '0\n');
  assert.equal(await within(w.gone, 2000), 0);
});

test('a monitor that died without an exit file settles with null; with one, with its code', async (t) => {
  const f = await dir(t);
  await fsp.writeFile(f.conmonPidFile, '4242');
  const w = watchExecMonitor({ ...f, launched: Promise.resolve(0), pollMs: POLL, isAlive: () => false });
  t.after(() => w.stop());
  assert.equal(await within(w.gone, 2000), null);

  const g = await dir(t);
  await fsp.writeFile(g.conmonPidFile, '4242');
  let alive = true;
  const w2 = watchExecMonitor({ ...g, launched: Promise.resolve(0), pollMs: POLL, isAlive: () => alive });
  t.after(() => w2.stop());
  assert.equal(await within(w2.gone, POLL * 4), 'pending');
  await fsp.writeFile(g.exitFile, '137');
  alive = false;
  assert.equal(await within(w2.gone, 2000), 137);
});

test('no PID file: pending while the launcher runs, null once it exited without naming a monitor', async (t) => {
  const f = await dir(t);
  let exit!: () => void;
  const launched = new Promise<void>((r) => (exit = r));
  const w = watchExecMonitor({ ...f, launched, pollMs: POLL });
  t.after(() => w.stop());
  assert.equal(await within(w.gone, POLL * 6), 'pending');
  exit();
  assert.equal(await within(w.gone, 2000), null);
});

test('stop() ends the polling without settling', async (t) => {
  const f = await dir(t);
  const w = watchExecMonitor({ ...f, launched: new Promise(() => {}), pollMs: POLL });
  w.stop();
  await fsp.writeFile(f.exitFile, '1');
  assert.equal(await within(w.gone, POLL * 6), 'pending');
});
