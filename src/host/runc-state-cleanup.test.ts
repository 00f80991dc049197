// Unit tests of deleting an exited runc container without runc: what runc's record must say for it
// to happen here, and what is removed. Plain directories stand in for the cgroup directories (rmdir
// works the same on both); the "init" is a process that has exited, or this test's own process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deleteExitedContainer } from './runc-state-cleanup.js';
import { processStartTime } from './process-state.js';

function layout(t: { after(fn: () => void): void }, init: { pid: number; start: number }, hooks?: object) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-runc-state-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, 'runc');
  const cg = (n: string) => path.join(base, 'cgroup', n, 'berth', 'c1');
  for (const n of ['memory', 'pids']) fs.mkdirSync(path.join(cg(n), 'nested'), { recursive: true });
  fs.mkdirSync(path.join(root, 'c1'), { recursive: true });
  fs.writeFileSync(path.join(root, 'c1', 'exec.fifo'), '');
  const state = {
    init_process_pid: init.pid,
    init_process_start: init.start,
    cgroup_paths: { memory: cg('memory'), pids: cg('pids'), cpu: cg('memory') },
    config: { ...(hooks ? { Hooks: hooks } : {}) },
  };
  fs.writeFileSync(path.join(root, 'c1', 'state.json'), JSON.stringify(state));
  return { root, cg };
}

/** A PID and start time of a process that has exited (and been reaped). */
function exitedProcess(): { pid: number; start: number } {
  const r = spawnSync('sh', ['-c', 'echo $$ $(cut -d" " -f22 /proc/$$/stat)']);
  const [pid, start] = r.stdout.toString().trim().split(' ').map(Number);
  return { pid: pid!, start: start! };
}

test('an exited init: the cgroups (nested ones first) and the state directory go, without runc', async (t) => {
  const { root, cg } = layout(t, exitedProcess());
  assert.equal(await deleteExitedContainer(root, 'c1'), true);
  assert.equal(fs.existsSync(path.join(root, 'c1')), false);
  assert.equal(fs.existsSync(cg('memory')), false);
  assert.equal(fs.existsSync(cg('pids')), false);
});

test('a live init, hooks to run, a cgroup that will not go, or no record: left to runc', async (t) => {
  const me = { pid: process.pid, start: processStartTime(process.pid)! };
  const live = layout(t, me);
  assert.equal(await deleteExitedContainer(live.root, 'c1'), false);
  assert.ok(fs.existsSync(path.join(live.root, 'c1', 'state.json')));
  assert.ok(fs.existsSync(live.cg('memory')));

  const hooked = layout(t, exitedProcess(), { poststop: [{ path: '/bin/true' }] });
  assert.equal(await deleteExitedContainer(hooked.root, 'c1'), false);
  assert.ok(fs.existsSync(path.join(hooked.root, 'c1', 'state.json')));

  // A cgroup with something in it (here a file; for a real cgroup, a process) cannot be removed.
  const busy = layout(t, exitedProcess());
  fs.writeFileSync(path.join(busy.cg('pids'), 'nested', 'task'), '');
  assert.equal(await deleteExitedContainer(busy.root, 'c1'), false);
  assert.ok(fs.existsSync(path.join(busy.root, 'c1', 'state.json')), 'runc still finds its record');

  assert.equal(await deleteExitedContainer(busy.root, 'no-such-container'), false);
});
