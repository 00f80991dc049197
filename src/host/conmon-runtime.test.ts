// Integration tests of ConmonRuntime with the real runc and conmon (root only): create/start/attach/
// wait, exit codes, TTYs and resize, stdin, kill, survival of the starting process, cgroup limits, exec.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConmonRuntime, RuntimeStartError } from './conmon-runtime.js';
import { canRunContainers, makeBusyboxRootfs, newId, specInput, tempDir, writeBundle } from './test-support.js';
import { buildRuntimeSpec } from '../lib/oci/runtime-spec.js';
import { cgroupsPathFor, readMemoryLimit, readPidsLimit, readCpuQuota, removeCgroup, cgroupDirs } from './cgroups.js';
import { silentLogger } from '../daemon/logger.js';
import { processesMentioning } from '../../test/harness/leftovers.js';
import type { SpecInput, ExitInfo, ExecOptions } from '../engine/containers/runtime-contract.js';

const skip = canRunContainers();
let dir = '';
let rootfs = '';

before(async () => {
  if (skip) return;
  dir = await tempDir('berth-conmon-');
  rootfs = path.join(dir, 'rootfs');
  await makeBusyboxRootfs(rootfs);
});

after(async () => {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

/** One runtime with its own exec root; every container it made is force-deleted at the end. */
async function harness(t: { after(fn: () => Promise<void> | void): void }) {
  const execRoot = await fsp.mkdtemp(path.join(dir, 'x'));
  const rt = new ConmonRuntime({ execRoot, log: silentLogger });
  const ids: string[] = [];
  t.after(async () => {
    for (const id of ids) {
      await rt.delete(id, true).catch(() => {});
      await removeCgroup(cgroupsPathFor(id)).catch(() => {});
    }
    rt.close();
    await fsp.rm(execRoot, { recursive: true, force: true });
  });
  const create = async (over: Partial<SpecInput>, o: { tty?: boolean; openStdin?: boolean; stdinOnce?: boolean } = {}) => {
    const id = newId();
    ids.push(id);
    const bundle = path.join(execRoot, 'bundles', id);
    await writeBundle(bundle, specInput(rootfs, { cgroupsPath: cgroupsPathFor(id), tty: !!o.tty, ...over }));
    const logPath = path.join(execRoot, 'logs', `${id}.log`);
    const created = await rt.create({
      id,
      bundleDir: bundle,
      logPath,
      logSizeMax: -1,
      tty: !!o.tty,
      openStdin: !!o.openStdin,
      stdinOnce: !!o.stdinOnce,
    });
    return { id, bundle, logPath, ...created };
  };
  return { rt, execRoot, create, ids };
}

/** An exec as root in /, no stdin, the default capabilities: what the kill-mid-run tests start. */
function rootExec(containerId: string, execDir: string, args: string[], tty: boolean, onOutput: ReturnType<typeof collector>['onOutput']): ExecOptions {
  return {
    containerId,
    execId: newId(),
    execDir,
    args,
    env: ['PATH=/usr/bin:/bin'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    tty,
    openStdin: false,
    privileged: false,
    capAdd: [],
    capDrop: [],
    streams: { onOutput },
  };
}

function collector() {
  const out: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  return {
    out,
    onOutput: (stream: 'stdout' | 'stderr', data: Buffer) => out.push({ stream, text: data.toString() }),
    text: (s?: 'stdout' | 'stderr') => out.filter((o) => !s || o.stream === s).map((o) => o.text).join(''),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
  ]);
}

test('create, attach, start, wait: stdout and stderr apart, exit code 3, log file written', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
  assert.ok(c.pid > 0 && c.conmonPid > 0);
  assert.equal((await h.rt.state(c.id))?.status, 'created');
  const col = collector();
  const a = await h.rt.attach(c.id, c.bundle, col);
  await h.rt.start(c.id);
  const exit = await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
  await withTimeout(a.done, 5000, 'attach done');
  assert.equal(exit.exitCode, 3);
  assert.equal(exit.oomKilled, false);
  assert.equal(col.text('stdout'), 'out\n');
  assert.equal(col.text('stderr'), 'err\n');
  const log = await fsp.readFile(c.logPath, 'utf8');
  assert.match(log, /stdout F out\n/);
  assert.match(log, /stderr F err\n/);
  assert.equal((await h.rt.state(c.id))?.status, 'stopped');
  await h.rt.delete(c.id);
  assert.equal(await h.rt.state(c.id), null);
  // The exit record outlives runc's state until forget().
  assert.equal((await h.rt.readExit(c.id))?.exitCode, 3);
  await h.rt.forget(c.id);
  assert.equal(await h.rt.readExit(c.id), null);
});

/** The PPid and state letter of a process from /proc/PID/status, or null once it is gone (reaped). */
function procStatus(pid: number): { ppid: number; state: string } | null {
  try {
    const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { ppid: Number(/^PPid:\s+(\d+)/m.exec(st)?.[1]), state: /^State:\s+(\S)/m.exec(st)?.[1] ?? '?' };
  } catch {
    return null;
  }
}

test('the monitor is the process the runtime started (conmon --sync): its child while the container runs, in conmon.pid, reaped at the exit', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sh', '-c', 'exit 4'] });
  const st = procStatus(c.conmonPid);
  assert.ok(st, 'the monitor runs');
  assert.equal(st.ppid, process.pid, 'conmon did not fork itself away');
  assert.match(fs.readFileSync(`/proc/${c.conmonPid}/cmdline`, 'utf8'), /conmon\0.*--sync/s);
  assert.deepEqual(await h.rt.monitor(c.id), { pid: c.conmonPid, alive: true });
  await h.rt.start(c.id);
  assert.equal((await withTimeout(h.rt.waitExit(c.id), 10000, 'exit')).exitCode, 4);
  // Reaped on SIGCHLD (no zombie left behind, and no periodic check needed for it).
  const until = Date.now() + 5000;
  while (procStatus(c.conmonPid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.equal(procStatus(c.conmonPid), null, `conmon ${c.conmonPid} left as ${procStatus(c.conmonPid)?.state}`);
  assert.equal((await h.rt.monitor(c.id)).alive, false);
});

test('a missing executable fails create with runc\'s message and Docker\'s 127', { skip }, async (t) => {
  const h = await harness(t);
  await assert.rejects(h.create({ args: ['no-such-binary'] }), (e: unknown) => {
    assert.ok(e instanceof RuntimeStartError, String(e));
    assert.match(e.runtimeMessage, /exec: "no-such-binary": executable file not found in \$PATH/);
    assert.equal(e.exitCode, 127);
    return true;
  });
  await fsp.writeFile(path.join(rootfs, 'not-exec'), 'x', { mode: 0o644 });
  await assert.rejects(h.create({ args: ['/not-exec'] }), (e: unknown) => {
    assert.ok(e instanceof RuntimeStartError, String(e));
    assert.match(e.runtimeMessage, /permission denied/);
    assert.equal(e.exitCode, 126);
    return true;
  });
});

test('a create held for its bundle: conmon waits without running runc, then creates; a failed bundle kills it first', { skip }, async (t) => {
  const h = await harness(t);
  const opts = (id: string) => ({ id, bundleDir: path.join(h.execRoot, 'bundles', id), logPath: path.join(h.execRoot, 'logs', `${id}.log`), logSizeMax: -1, tty: false, openStdin: false, stdinOnce: false });

  const id = newId();
  h.ids.push(id);
  await fsp.mkdir(opts(id).bundleDir, { recursive: true });
  let letGo!: () => void;
  const ready = new Promise<void>((r) => (letGo = r));
  const creating = h.rt.create(opts(id), ready);
  await new Promise((r) => setTimeout(r, 300));
  const waiting = processesMentioning(id);
  assert.ok(waiting.length >= 1, 'conmon is up while the bundle is being made');
  for (const pid of waiting) assert.doesNotMatch(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /\bcreate\b/, 'runc has not been run');
  assert.equal(fs.existsSync(path.join(h.rt.runc.root, id)), false, 'runc knows nothing of it yet');
  await writeBundle(opts(id).bundleDir, specInput(rootfs, { cgroupsPath: cgroupsPathFor(id), args: ['true'] }));
  letGo();
  const made = await withTimeout(creating, 20000, 'held create');
  assert.ok(made.pid > 0 && made.conmonPid > 0, JSON.stringify(made));
  assert.equal((await h.rt.state(id))?.status, 'created');

  const failed = newId();
  h.ids.push(failed);
  await fsp.mkdir(opts(failed).bundleDir, { recursive: true });
  let holdBack!: (e: Error) => void;
  const bad = new Promise<void>((_, reject) => (holdBack = reject));
  const failing = h.rt.create(opts(failed), bad);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(processesMentioning(failed).length >= 1, 'its conmon was started');
  holdBack(new Error('the rootfs could not be mounted'));
  await assert.rejects(failing, /the rootfs could not be mounted/);
  assert.deepEqual(processesMentioning(failed), [], 'nothing of it runs');
  assert.equal(await h.rt.state(failed), null);
});

test('a runtime started ahead: conmon and runc wait for the config, which the create hands over when let go; one at a time; dropped, nothing is left', { skip }, async (t) => {
  const h = await harness(t);
  const opts = (id: string) => ({ id, bundleDir: path.join(h.execRoot, 'bundles', id), logPath: path.join(h.execRoot, 'logs', `${id}.log`), logSizeMax: -1, tty: false, openStdin: false, stdinOnce: false });
  await fsp.mkdir(path.join(h.execRoot, 'logs'), { recursive: true });
  const id = newId();
  h.ids.push(id);
  assert.equal(await h.rt.startAhead(opts(id)), true);
  assert.equal(await h.rt.startAhead(opts(newId())), false, 'one waits at a time');
  // Both run before any container exists: the monitor, and runc waiting on its config.
  const until = Date.now() + 10_000;
  while (!processesMentioning(id).some((pid) => /\bcreate\b/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '))) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.equal(processesMentioning(id).length >= 2, true, 'conmon and runc create are up');
  assert.equal(await h.rt.state(id), null, 'runc has made nothing yet');
  assert.equal(fs.statSync(path.join(opts(id).bundleDir, 'config.json')).isFIFO(), true);
  // The create takes it; the config goes through the pipe only once `ready` resolves.
  let letGo!: () => void;
  const ready = new Promise<void>((r) => (letGo = r));
  const creating = h.rt.create(opts(id), ready);
  h.rt.writeConfig(id, opts(id).bundleDir, JSON.stringify(buildRuntimeSpec(specInput(rootfs, { cgroupsPath: cgroupsPathFor(id), args: ['sh', '-c', 'echo from-ahead; exit 5'] }))));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await h.rt.state(id), null, 'held until let go');
  letGo();
  const c = await withTimeout(creating, 20_000, 'create');
  assert.ok(c.pid > 0 && c.conmonPid > 0);
  assert.equal((await h.rt.state(id))?.status, 'created');
  // Created, the bundle holds a plain config.json again (a FIFO read without a writer would block).
  assert.equal(fs.statSync(path.join(opts(id).bundleDir, 'config.json')).isFile(), true);
  assert.match(fs.readFileSync(path.join(opts(id).bundleDir, 'config.json'), 'utf8'), /from-ahead/);
  const col = collector();
  const a = await h.rt.attach(id, opts(id).bundleDir, col);
  await h.rt.start(id);
  assert.equal((await withTimeout(h.rt.waitExit(id), 10_000, 'exit')).exitCode, 5);
  await withTimeout(a.done, 5000, 'attach done');
  assert.equal(col.text('stdout'), 'from-ahead\n');
  // Another, dropped: its processes go, and so does what conmon made for it outside the bundle.
  const id2 = newId();
  h.ids.push(id2);
  assert.equal(await h.rt.startAhead(opts(id2)), true);
  assert.equal(await h.rt.dropAhead('not-this-one'), null);
  assert.equal(await h.rt.dropAhead(), id2);
  const gone = Date.now() + 5000;
  while (processesMentioning(id2).length && Date.now() < gone) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(processesMentioning(id2), []);
  assert.equal(fs.existsSync(path.join(h.execRoot, 'conmon', id2)), false);
});

test('a create that does not match the runtime started ahead (other flags) gets a fresh monitor, and the one ahead goes', { skip }, async (t) => {
  const h = await harness(t);
  await fsp.mkdir(path.join(h.execRoot, 'logs'), { recursive: true });
  const id = newId();
  h.ids.push(id);
  const bundle = path.join(h.execRoot, 'bundles', id);
  const base = { id, bundleDir: bundle, logPath: path.join(h.execRoot, 'logs', `${id}.log`), logSizeMax: -1, tty: false, openStdin: false, stdinOnce: false };
  assert.equal(await h.rt.startAhead(base), true);
  const ahead = processesMentioning(id);
  // The same ID with a TTY: not what the waiting conmon was started for.
  h.rt.writeConfig(id, bundle, JSON.stringify(buildRuntimeSpec(specInput(rootfs, { cgroupsPath: cgroupsPathFor(id), tty: true, args: ['sh', '-c', 'exit 2'] }))));
  assert.equal(fs.statSync(path.join(bundle, 'config.json')).isFile(), true, 'a plain file: no runtime took it');
  const c = await withTimeout(h.rt.create({ ...base, tty: true }), 20_000, 'create');
  assert.ok(c.pid > 0);
  for (const pid of ahead) assert.equal(fs.existsSync(`/proc/${pid}/cmdline`) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').length > 0, false, `the runtime ahead (${pid}) is gone`);
  await h.rt.start(id);
  assert.equal((await withTimeout(h.rt.waitExit(id), 10_000, 'exit')).exitCode, 2);
});

test('tty: the process sees /dev/pts/N and the window size follows resize', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sh', '-c', 'tty; sleep 0.5; stty size'] }, { tty: true });
  const col = collector();
  const a = await h.rt.attach(c.id, c.bundle, col);
  await h.rt.start(c.id);
  await h.rt.resize(c.bundle, 33, 111);
  const exit = await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
  await withTimeout(a.done, 5000, 'attach done');
  assert.equal(exit.exitCode, 0);
  assert.match(col.text(), /^\/dev\/pts\/\d+\r\n/);
  assert.match(col.text(), /33 111\r\n/);
  assert.equal(col.text('stderr'), '');
});

test('stdin: `echo hi | cat` prints hi and cat exits when stdin ends (stdinOnce)', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['cat'] }, { openStdin: true, stdinOnce: true });
  const col = collector();
  const a = await h.rt.attach(c.id, c.bundle, { stdin: Readable.from([Buffer.from('hi\n')]), onOutput: col.onOutput });
  await h.rt.start(c.id);
  const exit = await withTimeout(h.rt.waitExit(c.id), 10000, 'cat exit');
  await withTimeout(a.done, 5000, 'attach done');
  assert.equal(exit.exitCode, 0);
  assert.equal(col.text('stdout'), 'hi\n');
});

test('stdin: large input arrives whole, in order', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sh', '-c', 'wc -c; md5sum -'] }, { openStdin: true, stdinOnce: true });
  // Not `wc -c | md5sum`: both read stdin; the first consumes it all, so expect the count then the empty md5.
  const big = Buffer.alloc(300 * 1024, 'abcdefghij');
  const stdin = new PassThrough();
  const col = collector();
  const a = await h.rt.attach(c.id, c.bundle, { stdin, onOutput: col.onOutput });
  await h.rt.start(c.id);
  stdin.end(big);
  const exit = await withTimeout(h.rt.waitExit(c.id), 20000, 'wc exit');
  await a.done;
  assert.equal(exit.exitCode, 0);
  assert.match(col.text('stdout'), new RegExp(`^${big.length}\\n`));
});

test('stdin left open (not stdinOnce): the container keeps its stdin after the client leaves', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sh', '-c', 'read a; echo got $a; read b; echo got $b'] }, { openStdin: true, stdinOnce: false });
  const col1 = collector();
  const a1 = await h.rt.attach(c.id, c.bundle, { stdin: Readable.from([Buffer.from('one\n')]), onOutput: col1.onOutput });
  await h.rt.start(c.id);
  await new Promise((r) => setTimeout(r, 300));
  a1.close();
  assert.equal((await h.rt.state(c.id))?.status, 'running');
  const col2 = collector();
  const stdin2 = new PassThrough();
  const a2 = await h.rt.attach(c.id, c.bundle, { stdin: stdin2, onOutput: col2.onOutput });
  stdin2.write('two\n');
  const exit = await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
  await a2.done;
  assert.equal(exit.exitCode, 0);
  assert.equal(col1.text(), 'got one\n');
  assert.equal(col2.text(), 'got two\n');
});

test('kill: SIGKILL a `sleep 100` gives 137; SIGTERM by name works too', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sleep', '100'] });
  await h.rt.start(c.id);
  assert.equal((await h.rt.state(c.id))?.status, 'running');
  assert.deepEqual(await h.rt.pids(c.id), [c.pid]);
  await h.rt.kill(c.id, 'SIGKILL');
  const exit = await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
  assert.equal(exit.exitCode, 137);
  const c2 = await h.create({ args: ['sh', '-c', 'trap "exit 7" TERM; while true; do sleep 0.1; done'] });
  await h.rt.start(c2.id);
  await new Promise((r) => setTimeout(r, 200));
  await h.rt.kill(c2.id, 'TERM');
  assert.equal((await withTimeout(h.rt.waitExit(c2.id), 10000, 'exit2')).exitCode, 7);
});

test('pause and resume', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sleep', '100'] });
  await h.rt.start(c.id);
  await h.rt.pause(c.id);
  assert.equal((await h.rt.state(c.id))?.status, 'paused');
  await h.rt.resume(c.id);
  assert.equal((await h.rt.state(c.id))?.status, 'running');
  await h.rt.kill(c.id, 9);
  await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
});

test('waitExit honours its abort signal', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sleep', '100'] });
  await h.rt.start(c.id);
  const ac = new AbortController();
  const p = h.rt.waitExit(c.id, ac.signal);
  ac.abort(new Error('client went away'));
  await assert.rejects(p, /client went away/);
  await h.rt.kill(c.id, 'KILL');
});

test('a container outlives the process that started it; a new runtime finds its state and exit', { skip }, async (t) => {
  const h = await harness(t);
  const id = newId();
  h.ids.push(id);
  const bundle = path.join(h.execRoot, 'bundles', id);
  await writeBundle(bundle, specInput(rootfs, { cgroupsPath: cgroupsPathFor(id), args: ['sh', '-c', 'echo started; sleep 100'] }));
  const logPath = path.join(h.execRoot, 'logs', `${id}.log`);
  const here = path.dirname(fileURLToPath(import.meta.url));
  // A separate node process creates and starts the container, then exits.
  const script = `
    import { ConmonRuntime } from ${JSON.stringify(path.join(here, 'conmon-runtime.js'))};
    import { silentLogger } from ${JSON.stringify(path.join(here, '../daemon/logger.js'))};
    const rt = new ConmonRuntime({ execRoot: ${JSON.stringify(h.execRoot)}, log: silentLogger });
    const r = await rt.create({ id: ${JSON.stringify(id)}, bundleDir: ${JSON.stringify(bundle)}, logPath: ${JSON.stringify(logPath)}, logSizeMax: -1, tty: false, openStdin: false, stdinOnce: false });
    await rt.start(${JSON.stringify(id)});
    process.stdout.write(JSON.stringify(r));
    rt.close();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0);
  const { pid } = JSON.parse(out) as { pid: number };
  const st = await h.rt.state(id);
  assert.deepEqual(st, { status: 'running', pid });
  assert.equal((await h.rt.monitor(id)).alive, true);
  assert.equal(await h.rt.readExit(id), null);
  const waiting = h.rt.waitExit(id);
  await h.rt.kill(id, 'KILL');
  const exit: ExitInfo = await withTimeout(waiting, 10000, 'exit');
  assert.equal(exit.exitCode, 137);
  assert.match(await fsp.readFile(logPath, 'utf8'), /stdout F started/);
});

test('memory, pids and cpu limits are visible in the container cgroup', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({
    args: ['sleep', '100'],
    resources: { memory: 64 * 1024 * 1024, pidsLimit: 42, nanoCpus: 0.5e9 },
  });
  const cg = cgroupsPathFor(c.id);
  assert.equal(await readMemoryLimit(cg), 64 * 1024 * 1024);
  assert.equal(await readPidsLimit(cg), 42);
  assert.deepEqual(await readCpuQuota(cg), { quota: 50000, period: 100000 });
  await h.rt.start(c.id);
  await h.rt.kill(c.id, 'KILL');
  await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
  await h.rt.delete(c.id);
  await removeCgroup(cg);
  for (const d of cgroupDirs(cg)) await assert.rejects(fsp.stat(d), /ENOENT/);
});

test('the pids limit is enforced: forking past it fails', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({
    args: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; wait; echo done'],
    resources: { pidsLimit: 4 },
  });
  const col = collector();
  const a = await h.rt.attach(c.id, c.bundle, col);
  await h.rt.start(c.id);
  await withTimeout(h.rt.waitExit(c.id), 15000, 'exit');
  await a.done;
  assert.match(col.text('stderr'), /can't fork|Resource temporarily unavailable/i);
});

test('exec: output and exit code come back, with and without a tty; a missing binary gives 127', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sleep', '100'] });
  await h.rt.start(c.id);
  const base = {
    containerId: c.id,
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    openStdin: false,
    privileged: false,
    capAdd: [],
    capDrop: [],
  };
  // docker exec ctr sh -c '...': stdout and stderr apart, exit code 5.
  const col = collector();
  const e1 = await h.rt.exec({
    ...base,
    execId: newId(),
    execDir: path.join(h.execRoot, 'exec1'),
    args: ['sh', '-c', 'echo hi; echo oops >&2; exit 5'],
    tty: false,
    streams: col,
  });
  assert.ok(e1.pid > 0);
  assert.equal(await withTimeout(e1.exited, 10000, 'exec exit'), 5);
  assert.equal(col.text('stdout'), 'hi\n');
  assert.equal(col.text('stderr'), 'oops\n');

  // docker exec -t ctr tty: a pty of its own.
  const col2 = collector();
  const e2 = await h.rt.exec({
    ...base,
    execId: newId(),
    // Deep enough that <execDir>/attach exceeds sun_path: reached through /proc/self/fd.
    execDir: path.join(h.execRoot, 'd'.repeat(80), 'exec2'),
    args: ['sh', '-c', 'tty; stty size'],
    tty: true,
    consoleSize: { height: 20, width: 70 },
    streams: col2,
  });
  assert.equal(await withTimeout(e2.exited, 10000, 'exec2 exit'), 0);
  assert.match(col2.text(), /^\/dev\/pts\/\d+\r\n20 70\r\n/);

  // docker exec -i ctr cat, stdin from the client.
  const col3 = collector();
  const e3 = await h.rt.exec({
    ...base,
    execId: newId(),
    execDir: path.join(h.execRoot, 'exec3'),
    args: ['cat'],
    tty: false,
    openStdin: true,
    streams: { stdin: Readable.from([Buffer.from('piped\n')]), onOutput: col3.onOutput },
  });
  assert.equal(await withTimeout(e3.exited, 10000, 'exec3 exit'), 0);
  assert.equal(col3.text('stdout'), 'piped\n');

  // Detached: no streams, the exit code still comes back.
  const e4 = await h.rt.exec({ ...base, execId: newId(), execDir: path.join(h.execRoot, 'exec4'), args: ['sh', '-c', 'exit 9'], tty: false });
  assert.equal(await withTimeout(e4.exited, 10000, 'exec4 exit'), 9);

  await assert.rejects(
    h.rt.exec({ ...base, execId: newId(), execDir: path.join(h.execRoot, 'exec5'), args: ['nope'], tty: false, streams: collector() }),
    (e: unknown) => {
      assert.ok(e instanceof RuntimeStartError, String(e));
      assert.match(e.runtimeMessage, /executable file not found/);
      assert.equal(e.exitCode, 127);
      return true;
    },
  );
  await h.rt.kill(c.id, 'KILL');
  await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
});

for (const via of ['berth-nsexec', 'runc'] as const) {
  test(`exec without a tty runs under ${via} directly (no conmon); when ${via} is killed mid-run, exited settles (255)`, { skip }, async (t) => {
    // berth-nsexec is found when the runtime is made; BERTH_NO_NSEXEC=1 leaves runc exec.
    const before = process.env.BERTH_NO_NSEXEC;
    if (via === 'runc') process.env.BERTH_NO_NSEXEC = '1';
    let h;
    try {
      h = await harness(t);
    } finally {
      if (before === undefined) delete process.env.BERTH_NO_NSEXEC;
      else process.env.BERTH_NO_NSEXEC = before;
    }
    const c = await h.create({ args: ['sleep', '100'] });
    await h.rt.start(c.id);
    const execDir = path.join(h.execRoot, 'direct');
    const col = collector();
    let ended = false;
    const e = await h.rt.exec(rootExec(c.id, execDir, ['sh', '-c', 'echo started; echo to-stderr >&2; sleep 100'], false, col.onOutput));
    void e.exited.then(() => (ended = true));
    assert.ok(e.pid > 0);
    // No monitor and no files of the exec's own: its process's parent is the helper or runc, whose parent is us.
    assert.equal(fs.existsSync(execDir), false);
    const ppid = Number(fs.readFileSync(`/proc/${e.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    if (via === 'runc') assert.match(fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8'), /runc.*exec/);
    else assert.match(fs.readlinkSync(`/proc/${ppid}/exe`), /memfd:berth-nsexec/);
    for (let i = 0; i < 50 && !(col.text('stdout') && col.text('stderr')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(col.text('stdout'), 'started\n');
    assert.equal(col.text('stderr'), 'to-stderr\n');
    assert.equal(ended, false, 'the exec is still running');
    process.kill(ppid, 'SIGKILL');
    assert.equal(await withTimeout(e.exited, 10000, `exec exit after ${via} died`), 255);
    process.kill(e.pid, 'SIGKILL');
    await h.rt.kill(c.id, 'KILL');
    await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
  });
}

test('exec with a tty: when its conmon is killed mid-run, exited still settles (255) and the attach ends', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sleep', '100'] });
  await h.rt.start(c.id);
  const execDir = path.join(h.execRoot, 'killed');
  const col = collector();
  let ended = false;
  const e = await h.rt.exec(rootExec(c.id, execDir, ['sh', '-c', 'echo started; sleep 100'], true, col.onOutput));
  void e.exited.then(() => (ended = true));
  const monitorPid = Number((await fsp.readFile(path.join(execDir, 'conmon.pid'), 'utf8')).trim());
  assert.ok(monitorPid > 0);
  for (let i = 0; i < 50 && !col.text('stdout'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(col.text('stdout'), 'started\r\n');
  assert.equal(ended, false, 'the exec is still running');
  process.kill(monitorPid, 'SIGKILL');
  // conmon never wrote an exit code: Docker-like "unknown" rather than a wait without end.
  assert.equal(await withTimeout(e.exited, 10000, 'exec exit after its monitor died'), 255);
  await h.rt.kill(c.id, 'KILL');
  await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
});

test('reopenLog: conmon writes to a new file after the old one was moved away', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sh', '-c', 'echo first; sleep 1; echo second'] });
  await h.rt.start(c.id);
  await new Promise((r) => setTimeout(r, 400));
  await fsp.rename(c.logPath, c.logPath + '.1');
  await h.rt.reopenLog(c.bundle);
  await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
  assert.match(await fsp.readFile(c.logPath + '.1', 'utf8'), /first/);
  const now = await fsp.readFile(c.logPath, 'utf8');
  assert.match(now, /second/);
  assert.doesNotMatch(now, /first/);
});

test('a container killed by the memory limit reports oomKilled and 137', { skip }, async (t) => {
  const h = await harness(t);
  const mem = 16 * 1024 * 1024;
  const c = await h.create({
    args: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo ${#x}'],
    resources: { memory: mem, memorySwap: mem },
  });
  await h.rt.start(c.id);
  const exit = await withTimeout(h.rt.waitExit(c.id), 30000, 'exit');
  assert.equal(exit.oomKilled, true);
  // The shell holding the string is the biggest process: the OOM killer's SIGKILL gives 128+9.
  assert.equal(exit.exitCode, 137);
});

test('interactive tty (docker run -it sh / docker exec -it sh): typed commands run, exit code returns', { skip }, async (t) => {
  const h = await harness(t);
  const c = await h.create({ args: ['sh'] }, { tty: true, openStdin: true, stdinOnce: true });
  const stdin = new PassThrough();
  const col = collector();
  const a = await h.rt.attach(c.id, c.bundle, { stdin, onOutput: col.onOutput });
  await h.rt.start(c.id);
  stdin.write('echo hel""lo-run\n');
  stdin.write('exit 5\n');
  const exit = await withTimeout(h.rt.waitExit(c.id), 10000, 'exit');
  await a.done;
  assert.equal(exit.exitCode, 5);
  assert.match(col.text(), /hello-run\r\n/);

  const s = await h.create({ args: ['sleep', '100'] });
  await h.rt.start(s.id);
  const stdin2 = new PassThrough();
  const col2 = collector();
  const e = await h.rt.exec({
    containerId: s.id,
    execId: newId(),
    execDir: path.join(h.execRoot, 'exec-it'),
    args: ['sh'],
    env: ['PATH=/bin:/usr/bin', 'TERM=xterm'],
    cwd: '/tmp',
    user: { uid: 0, gid: 0, additionalGids: [] },
    tty: true,
    openStdin: true,
    privileged: false,
    capAdd: [],
    capDrop: [],
    streams: { stdin: stdin2, onOutput: col2.onOutput },
  });
  stdin2.write('echo in-$(pwd)-""ok\n');
  await e.resize(44, 99);
  await new Promise((r) => setTimeout(r, 100));
  stdin2.write('stty size\n');
  stdin2.write('exit 6\n');
  assert.equal(await withTimeout(e.exited, 10000, 'exec exit'), 6);
  assert.match(col2.text(), /in-\/tmp-ok\r\n/);
  assert.match(col2.text(), /\r\n44 99\r\n/);
  await h.rt.kill(s.id, 'KILL');
  await withTimeout(h.rt.waitExit(s.id), 10000, 'exit');
});

/** Runs a container to completion and returns its exit code and output. */
async function runToEnd(h: Awaited<ReturnType<typeof harness>>, over: Partial<SpecInput>) {
  const c = await h.create(over);
  const col = collector();
  const a = await h.rt.attach(c.id, c.bundle, col);
  await h.rt.start(c.id);
  const exit = await withTimeout(h.rt.waitExit(c.id), 15000, 'exit');
  await a.done;
  return { code: exit.exitCode, out: col.text('stdout'), err: col.text('stderr') };
}

test('spec options hold for real: host network, read-only rootfs, user, bind mount, ulimit, sysctl, caps, masks', { skip }, async (t) => {
  const h = await harness(t);
  const hostNet = await runToEnd(h, { network: { mode: 'host' }, args: ['sh', '-c', 'ls /sys/class/net | grep -c .; hostname'], hostname: 'hn1' });
  assert.equal(hostNet.code, 0, hostNet.err);
  assert.ok(Number(hostNet.out.split('\n')[0]) >= 1);
  assert.match(hostNet.out, /\nhn1\n$/);

  const ro = await runToEnd(h, { readonlyRootfs: true, args: ['sh', '-c', 'touch /x 2>&1; echo rc=$?; touch /dev/shm/ok && echo shm-ok'] });
  assert.match(ro.out, /Read-only file system/);
  assert.match(ro.out, /shm-ok/);

  const user = await runToEnd(h, { user: { uid: 65534, gid: 65534, additionalGids: [5] }, args: ['id'] });
  assert.match(user.out, /uid=65534.*gid=65534.*groups=.*5/);

  const src = await fsp.mkdtemp(path.join(dir, 'bind-'));
  await fsp.writeFile(path.join(src, 'f'), 'from host');
  const bind = await runToEnd(h, {
    mounts: [{ destination: '/mnt/data', source: src, type: 'bind', options: ['rprivate', 'ro'] }],
    args: ['sh', '-c', 'cat /mnt/data/f; echo; touch /mnt/data/g 2>/dev/null || echo ro-ok'],
  });
  assert.equal(bind.out, 'from host\nro-ok\n');

  const lim = await runToEnd(h, {
    ulimits: [{ name: 'nofile', soft: 512, hard: 1024 }],
    sysctls: { 'net.ipv4.ip_unprivileged_port_start': '80' },
    args: ['sh', '-c', 'ulimit -n; ulimit -Hn; cat /proc/sys/net/ipv4/ip_unprivileged_port_start'],
  });
  assert.equal(lim.out, '512\n1024\n80\n');

  // Default rlimit: NOFILE clamped to the host's hard limit (20000 here) rather than failing.
  const dflt = await runToEnd(h, { args: ['sh', '-c', 'ulimit -Hn'] });
  assert.equal(dflt.code, 0, dflt.err);

  const caps = await runToEnd(h, { capDrop: ['chown'], args: ['sh', '-c', 'grep CapBnd /proc/self/status; wc -c < /proc/timer_list; echo 1 > /proc/sys/kernel/domainname 2>&1 || echo sys-ro'] });
  // Docker's defaults without CAP_CHOWN (bit 0): 0xa80425fa.
  assert.match(caps.out, /CapBnd:\s+00000000a80425fa\n/);
  assert.match(caps.out, /^0$/m); // /proc/timer_list masked by /dev/null
  assert.match(caps.out, /sys-ro/);
});

test('privileged gets every capability the host has and no masks; --init runs the command under an init', { skip }, async (t) => {
  const h = await harness(t);
  const priv = await runToEnd(h, { privileged: true, args: ['sh', '-c', 'grep CapEff /proc/self/status; test $(wc -c < /proc/timer_list) -gt 0 && echo unmasked'] });
  assert.equal(priv.code, 0, priv.err);
  const own = /^CapEff:\s*([0-9a-f]+)$/m.exec(await fsp.readFile('/proc/self/status', 'utf8'))![1];
  assert.match(priv.out, new RegExp(`CapEff:\\s+${own}\\n`));
  assert.match(priv.out, /unmasked/);

  const init = ['/usr/bin/catatonit', '/usr/bin/tini'].find((p) => fs.existsSync(p));
  if (!init) return;
  const r = await runToEnd(h, { init: { hostPath: init, containerPath: '/sbin/docker-init' }, args: ['sh', '-c', 'echo pid1=$(cat /proc/1/comm); exit 4'] });
  assert.equal(r.code, 4);
  assert.match(r.out, /pid1=(catatonit|tini|docker-init)/);
});

test('waitExit: a container whose conmon was killed still ends its wait (255) once it stops; another waited at once is not held up', { skip }, async (t) => {
  const h = await harness(t);
  const a = await h.create({ args: ['sleep', '100'] });
  const b = await h.create({ args: ['sh', '-c', 'sleep 1.5; exit 7'] });
  await h.rt.start(a.id);
  await h.rt.start(b.id);
  // Both waits share the runtime's one poll timer.
  const waitA = h.rt.waitExit(a.id);
  const waitB = h.rt.waitExit(b.id);
  const monitor = await h.rt.monitor(a.id);
  assert.ok(monitor.pid > 0 && monitor.alive);
  process.kill(monitor.pid, 'SIGKILL');
  // b's monitor writes its exit code as usual.
  assert.equal((await withTimeout(waitB, 10000, 'exit of b')).exitCode, 7);
  // a's process outlives its monitor: no exit yet.
  const early = await Promise.race([waitA.then(() => 'ended'), new Promise((r) => setTimeout(() => r('waiting'), 1500))]);
  assert.equal(early, 'waiting', 'the container still runs without its monitor');
  await h.rt.kill(a.id, 'KILL');
  // Nobody recorded a's exit code: Docker's "unknown" rather than a wait without end.
  assert.equal((await withTimeout(waitA, 10000, 'exit of a after its monitor died')).exitCode, 255);
});
