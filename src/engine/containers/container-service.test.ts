// Service tests with a fake runtime, image provider, volume service and host: the lifecycle rules
// (names, merging, start failures, stop escalation, waits, attach-before-start, reconcile) without
// runc. The real runtime is exercised by the integration suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ContainerService } from './container-service.js';
import type { AttachHandle, AttachStreams, ContainerRuntime, ExecHandle, ExitInfo, RuntimeCreateOptions, RuntimeState, SpecInput } from './runtime-contract.js';
import type { ContainerHostOps } from './container-host.js';
import type { ImageProvider, ResolvedImage } from '../images/image-service-contract.js';
import { EventBus } from '../events.js';
import { silentLogger } from '../../daemon/logger.js';
import { defaultConfig } from '../../daemon/config.js';

interface FakeCtr {
  status: RuntimeState['status'];
  pid: number;
  args: string[];
  exit: ExitInfo | null;
  waiters: ((e: ExitInfo) => void)[];
  attached: AttachStreams[];
}

class FakeRuntime implements ContainerRuntime {
  ctrs = new Map<string, FakeCtr>();
  calls: string[] = [];
  ignoreTerm = false;
  nextPid = 1000;

  async create(o: RuntimeCreateOptions, ready?: Promise<void>) {
    await ready;
    const spec = JSON.parse(await fs.readFile(path.join(o.bundleDir, 'config.json'), 'utf8')) as SpecInput;
    this.calls.push(`create ${o.id.slice(0, 4)}`);
    if (spec.args[0] === 'nope') throw new Error('runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH');
    const pid = this.nextPid++;
    this.ctrs.set(o.id, { status: 'created', pid, args: spec.args, exit: null, waiters: [], attached: [] });
    return { pid, conmonPid: pid + 1 };
  }
  async start(id: string) {
    this.calls.push(`start ${id.slice(0, 4)}`);
    const c = this.ctrs.get(id)!;
    c.status = 'running';
    for (const a of c.attached) a.onOutput('stdout', Buffer.from('first bytes\n'));
    if (c.args[0] === 'true') this.exit(id, 0);
  }
  exit(id: string, code: number) {
    const c = this.ctrs.get(id)!;
    c.status = 'stopped';
    c.exit = { exitCode: code, finishedAt: new Date(), oomKilled: false };
    for (const w of c.waiters.splice(0)) w(c.exit);
  }
  async kill(id: string, signal: string | number) {
    this.calls.push(`kill ${signal}`);
    const c = this.ctrs.get(id);
    if (!c || c.status !== 'running') throw new Error('container not running');
    if (signal === 15 && this.ignoreTerm) return;
    setTimeout(() => this.exit(id, 128 + Number(signal)), 5);
  }
  async delete(id: string) {
    this.ctrs.delete(id);
  }
  async state(id: string) {
    const c = this.ctrs.get(id);
    return c ? { status: c.status, pid: c.pid } : null;
  }
  async pids(id: string) {
    return [this.ctrs.get(id)!.pid];
  }
  async pause() {}
  async resume() {}
  async attach(id: string, _b: string, streams: AttachStreams): Promise<AttachHandle> {
    this.calls.push(`attach ${id.slice(0, 4)}`);
    const c = this.ctrs.get(id)!;
    c.attached.push(streams);
    const done = new Promise<void>((r) => (c.exit ? r() : c.waiters.push(() => r())));
    return { done, close() {} };
  }
  async resize() {}
  async reopenLog() {}
  async readExit(id: string) {
    return this.ctrs.get(id)?.exit ?? null;
  }
  waitExit(id: string, signal?: AbortSignal): Promise<ExitInfo> {
    const c = this.ctrs.get(id)!;
    if (c.exit) return Promise.resolve(c.exit);
    return new Promise((resolve, reject) => {
      c.waiters.push(resolve);
      signal?.addEventListener('abort', () => reject(new Error('aborted')));
    });
  }
  async exec(): Promise<ExecHandle> {
    throw new Error('exec: "nope": executable file not found in $PATH');
  }
}

function fakeHost(): ContainerHostOps & { mounted: Set<string> } {
  const mounted = new Set<string>();
  return {
    mounted,
    async mountOverlay(m) {
      mounted.add(m.target);
      // Give the "rootfs" an /etc/passwd as the image would.
      await fs.mkdir(path.join(m.target, 'etc'), { recursive: true });
      await fs.writeFile(path.join(m.target, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n');
      await fs.writeFile(path.join(m.target, 'etc/group'), 'root:x:0:\nwww:x:33:\n');
    },
    async unmountOverlay(t) {
      mounted.delete(t);
      await fs.rm(path.join(t, 'etc'), { recursive: true, force: true });
    },
    async isMounted(t) {
      return mounted.has(t);
    },
    buildSpec: (i) => i,
    hostHardLimits: () => ({ RLIMIT_NOFILE: 20000 }),
    async removeCgroup() {},
    async ps() {
      return 'UID PID PPID C STIME TTY TIME CMD\nroot 1000 1 0 10:00 ? 00:00:00 sleep 100\nroot 5 1 0 10:00 ? 00:00:00 other\n';
    },
    initBinary: () => '/usr/bin/catatonit',
    cgroupStats: async () => null,
    systemCpu: async () => ({ totalNs: 0, onlineCpus: 2 }),
    hostname: () => 'thehost',
    readHostFile: async (p) => (p === '/etc/hosts' ? '127.0.0.1 localhost\n' : 'nameserver 127.0.0.53\nnameserver 10.0.0.2\n'),
  };
}

const image: ResolvedImage = {
  id: `sha256:${'a'.repeat(64)}`,
  displayRef: 'busybox:latest',
  config: { Cmd: ['sh'], Env: ['PATH=/usr/bin:/bin'], Volumes: { '/data': {} } },
  layerDirs: ['/layers/1'],
};
const images: ImageProvider = {
  async resolve(ref) {
    if (ref === 'busybox' || ref === image.id) return image;
    throw Object.assign(new (await import('../../errors.js')).NotFoundError(`No such image: ${ref}`));
  },
  isAvailable: (id) => id === image.id,
};

async function setup(t: import('node:test').TestContext, o: { startAheadMs?: number } = {}) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-svc-'));
  const runtime = new FakeRuntime();
  const host = fakeHost();
  const events = new EventBus();
  const removedVolumes: string[] = [];
  let n = 0;
  const volumes = {
    async create(o: { name?: string }) {
      const name = o.name ?? `anon${n++}`;
      const mountpoint = path.join(root, 'vols', name);
      await fs.mkdir(mountpoint, { recursive: true });
      return { name, mountpoint };
    },
    async remove(name: string) {
      removedVolumes.push(name);
    },
  };
  const config = defaultConfig({ dataRoot: path.join(root, 'data'), execRoot: path.join(root, 'exec') });
  const svc = new ContainerService({ config, runtime, images, volumes, events, log: silentLogger, host, ...o });
  await svc.init();
  // Shutdown first: it lets background jobs (staging ahead, clean-ups) end before the files go.
  t.after(async () => {
    await svc.shutdown();
    await fs.rm(root, { recursive: true, force: true });
  });
  const actions = () => events.history(0).map((e) => e.Action);
  return { svc, runtime, host, root, events, actions, removedVolumes, config, volumes };
}

test('create merges the image config, names the container and writes its files', async (t) => {
  const { svc, actions } = await setup(t);
  const { id } = await svc.create({ name: 'web', config: { Image: 'busybox', Env: ['A=1'] }, hostConfig: {} });
  const v = await svc.inspect('web');
  assert.equal(v.record.id, id);
  assert.equal(v.record.path, 'sh');
  assert.deepEqual(v.record.config.Env, ['A=1', 'PATH=/usr/bin:/bin']);
  assert.equal(v.record.config.Hostname, id.slice(0, 12));
  assert.equal(v.record.state.status, 'created');
  assert.deepEqual(v.record.mounts.map((m) => [m.type, m.destination, m.anonymous]), [['volume', '/data', true]]);
  assert.match(await fs.readFile(v.paths.hostsFile, 'utf8'), new RegExp(`127\\.0\\.0\\.1\\t${id.slice(0, 12)}\\n$`));
  assert.equal(await fs.readFile(v.paths.resolvConfFile, 'utf8'), 'nameserver 10.0.0.2\n');
  assert.deepEqual(actions(), ['create']);
  // Lookup by prefix and by name with a slash.
  assert.equal(svc.get(id.slice(0, 5)).name, 'web');
  assert.equal(svc.get('/web').id, id);
});

test('name conflicts, missing images and -p are refused with Docker\'s words', async (t) => {
  const { svc } = await setup(t);
  const { id } = await svc.create({ name: 'x1', config: { Image: 'busybox' }, hostConfig: {} });
  await assert.rejects(svc.create({ name: 'x1', config: { Image: 'busybox' }, hostConfig: {} }), {
    message: `Conflict. The container name "/x1" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  });
  await assert.rejects(svc.create({ config: { Image: 'nosuch' }, hostConfig: {} }), { message: 'No such image: nosuch' });
  await assert.rejects(svc.create({ config: { Image: 'busybox' }, hostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } } }), /port publishing/);
  await assert.rejects(svc.create({ config: { Image: 'busybox' }, hostConfig: { NetworkMode: 'mynet' } }), { message: 'network mynet not found' });
  await assert.rejects(svc.create({ config: { Image: 'busybox' }, hostConfig: { PidMode: 'bogus' } }), { message: 'invalid --pid: bogus' });
  await assert.rejects(svc.create({ config: { Image: 'busybox' }, hostConfig: { UTSMode: 'container:x' } }), { message: 'invalid UTS mode: container:x' });
  await assert.rejects(svc.create({ config: { Image: 'busybox' }, hostConfig: { Runtime: 'kata' } }), { message: 'Unknown runtime specified kata' });
  await assert.rejects(svc.create({ config: { Image: 'busybox' }, hostConfig: { CapAdd: ['net_admin', 'FOO'] } }), { message: 'invalid CapAdd: unknown capability: "CAP_FOO"' });
  await assert.rejects(svc.create({ name: 'bad name', config: { Image: 'busybox' }, hostConfig: {} }), /Invalid container name/);
});

test('a pending attach is connected between runtime create and start; exit is recorded', async (t) => {
  const { svc, runtime, host, actions } = await setup(t);
  const { id } = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'] }, hostConfig: {} });
  const out: string[] = [];
  const session = await svc.attach(id, { stdout: true, stderr: true, stream: true, logs: false, onOutput: (_s, d) => out.push(d.toString()) });
  const waited = svc.wait(id, 'next-exit');
  await svc.start(id);
  assert.deepEqual(runtime.calls.slice(-3), [`create ${id.slice(0, 4)}`, `attach ${id.slice(0, 4)}`, `start ${id.slice(0, 4)}`]);
  assert.deepEqual(out, ['first bytes\n']);
  assert.equal(svc.get(id).state.status, 'running');
  await assert.rejects(svc.start(id), { name: 'NotModifiedError' });
  await assert.rejects(svc.remove(id), { message: `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove` });
  const top = await svc.top(id);
  assert.deepEqual(top.processes.map((p) => p[1]), ['1000']);
  await svc.stop(id, { timeout: 1 });
  assert.deepEqual(await waited, { statusCode: 143, error: null });
  await session.done;
  const c = svc.get(id);
  assert.equal(c.state.status, 'exited');
  assert.equal(c.state.exitCode, 143);
  assert.equal(host.mounted.size, 0, 'rootfs unmounted after exit');
  assert.deepEqual(actions(), ['create', 'attach', 'start', 'kill', 'die', 'stop']);
  assert.match((await svc.inspect(id)).statusText, /^Exited \(143\) /);
  await assert.rejects(svc.stop(id), { name: 'NotModifiedError' });
  await assert.rejects(svc.kill(id), { message: `Container ${id} is not running` });
});

test('stop escalates to SIGKILL after the timeout', async (t) => {
  const { svc, runtime } = await setup(t);
  runtime.ignoreTerm = true;
  const { id } = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'], StopTimeout: 0 }, hostConfig: {} });
  await svc.start(id);
  await svc.stop(id);
  assert.deepEqual(runtime.calls.filter((c) => c.startsWith('kill')), ['kill 15', 'kill 9']);
  assert.equal(svc.get(id).state.exitCode, 137);
});

test('a missing command fails the start with 127, leaves nothing mounted, and keeps the container created', async (t) => {
  const { svc, host } = await setup(t);
  const { id } = await svc.create({ config: { Image: 'busybox', Cmd: ['nope'] }, hostConfig: {} });
  await assert.rejects(svc.start(id), (e: Error & { kind?: string }) => {
    assert.equal(e.kind, 'invalid-parameter');
    assert.match(e.message, /OCI runtime create failed: .*exec: "nope": executable file not found in \$PATH: unknown/);
    return true;
  });
  const c = svc.get(id);
  assert.equal(c.state.status, 'created');
  assert.equal(c.state.exitCode, 127);
  assert.match(c.state.error, /executable file not found/);
  assert.equal(host.mounted.size, 0);
  assert.equal((await svc.inspect(id)).statusText, 'Created');
});

test('unknown users fail at start as Docker says', async (t) => {
  const { svc } = await setup(t);
  const { id } = await svc.create({ config: { Image: 'busybox', User: 'ghost' }, hostConfig: {} });
  await assert.rejects(svc.start(id), { message: 'unable to find user ghost: no matching entries in passwd file' });
  const { id: id2 } = await svc.create({ config: { Image: 'busybox', User: 'www', Cmd: ['true'] }, hostConfig: {} });
  const exited = svc.wait(id2, 'next-exit');
  await svc.start(id2);
  assert.equal((await exited).statusCode, 0);
});

test('AutoRemove removes the container and its anonymous volumes; wait removed reports the code', async (t) => {
  const { svc, removedVolumes, actions, config } = await setup(t);
  const { id } = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '1'] }, hostConfig: { AutoRemove: true } });
  const removed = svc.wait(id, 'removed');
  await svc.start(id);
  await svc.kill(id, 'SIGINT');
  assert.deepEqual(await removed, { statusCode: 130, error: null });
  assert.equal(svc.store.tryFind(id), undefined);
  assert.deepEqual(removedVolumes, ['anon0']);
  assert.deepEqual(actions().slice(-3), ['kill', 'die', 'destroy']);
  // The record went before the answer; the files follow in the background.
  await svc.settled();
  await assert.rejects(fs.stat(path.join(config.dataRoot, 'containers', id)));
  await assert.rejects(fs.stat(path.join(config.dataRoot, 'overlay', id)));
});

test('list: running only by default, filters, newest first, status text', async (t) => {
  // Names that are not hex: after the rename, get() of the old name must not find an ID prefix instead.
  const { svc } = await setup(t);
  const a = await svc.create({ name: 'xa', config: { Image: 'busybox', Labels: { tier: 'db' } }, hostConfig: {} });
  await new Promise((r) => setTimeout(r, 5));
  const b = await svc.create({ name: 'bb', config: { Image: 'busybox', Cmd: ['sleep', '9'] }, hostConfig: {} });
  await svc.start(b.id);
  assert.deepEqual((await svc.list()).map((v) => v.record.name), ['bb']);
  assert.deepEqual((await svc.list({ all: true })).map((v) => v.record.name), ['bb', 'xa']);
  assert.deepEqual((await svc.list({ filters: { status: ['created'] } })).map((v) => v.record.name), ['xa']);
  assert.deepEqual((await svc.list({ all: true, filters: { label: ['tier=db'] } })).map((v) => v.record.id), [a.id]);
  assert.deepEqual((await svc.list({ all: true, filters: { before: ['bb'] } })).map((v) => v.record.name), ['xa']);
  assert.deepEqual((await svc.list({ all: true, filters: { ancestor: ['busybox'] } })).length, 2);
  assert.match((await svc.list())[0]!.statusText, /^Up (Less than a second|1 second)$/);
  assert.deepEqual(svc.counts(), { total: 2, running: 1, paused: 0, stopped: 1 });
  assert.deepEqual(svc.containersUsing(image.id).sort(), [a.id, b.id].sort());
  await svc.rename('xa', 'a2');
  assert.equal(svc.get('a2').id, a.id);
  assert.throws(() => svc.get('xa'), { message: 'No such container: xa' });
  await assert.rejects(svc.rename('a2', 'bb'), /is already in use/);
  await svc.remove('bb', { force: true });
  assert.deepEqual((await svc.list({ all: true })).map((v) => v.record.name), ['a2']);
});

test('reconcile: a running container is adopted, one that exited while we were away is recorded', async (t) => {
  const { svc, runtime, config, host, volumes } = await setup(t);
  const keep = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'] }, hostConfig: {} });
  const gone = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'] }, hostConfig: {} });
  await svc.start(keep.id);
  await svc.start(gone.id);
  await svc.shutdown();
  runtime.exit(gone.id, 3);
  // A half-made container directory (daemon killed mid-create) is cleaned.
  await fs.mkdir(path.join(config.dataRoot, 'containers', 'f'.repeat(64)), { recursive: true });
  const svc2 = new ContainerService({ config, runtime, images, volumes, events: new EventBus(), log: silentLogger, host });
  await svc2.init();
  t.after(() => svc2.shutdown());
  assert.equal(svc2.get(keep.id).state.status, 'running');
  const g = svc2.get(gone.id);
  assert.equal(g.state.status, 'exited');
  assert.equal(g.state.exitCode, 3);
  await assert.rejects(fs.stat(path.join(config.dataRoot, 'containers', 'f'.repeat(64))));
  // A container runc runs although the record still says created (killed between start and save)
  // is adopted; one runc only created is deleted.
  const half = await svc2.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'] }, hostConfig: {} });
  await svc2.shutdown();
  runtime.ctrs.set(half.id, { status: 'running', pid: 4242, args: ['sleep'], exit: null, waiters: [], attached: [] });
  const svc3 = new ContainerService({ config, runtime, images, volumes, events: new EventBus(), log: silentLogger, host });
  await svc3.init();
  t.after(() => svc3.shutdown());
  assert.equal(svc3.get(half.id).state.status, 'running');
  assert.equal(svc3.get(half.id).state.pid, 4242);
  // The re-armed watcher still sees the adopted container's exit.
  const w = svc3.wait(keep.id, 'not-running');
  runtime.exit(keep.id, 0);
  assert.equal((await w).statusCode, 0);
});

test('exec of a missing binary records 127', async (t) => {
  const { svc } = await setup(t);
  const { id } = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '9'] }, hostConfig: {} });
  assert.throws(
    () => svc.createExec(id, { cmd: ['ls'], env: [], user: '', workingDir: '', tty: false, attachStdin: false, attachStdout: true, attachStderr: true, privileged: false, detachKeys: '' }),
    { message: `Container ${id} is not running` },
  );
  await svc.start(id);
  const ex = svc.createExec(id, { cmd: ['nope'], env: [], user: '', workingDir: '', tty: false, attachStdin: false, attachStdout: true, attachStderr: true, privileged: false, detachKeys: '' });
  await assert.rejects(svc.startExec(ex, { detach: false }), /OCI runtime exec failed: exec: "nope": executable file not found/);
  assert.equal(svc.inspectExec(ex).exitCode, 127);
});

test('a created container is staged ahead: the start only lets it run; unstarted ones are taken back', async (t) => {
  const { svc, runtime, host } = await setup(t, { startAheadMs: 50 });
  // Staged right after create, started without a second runtime create.
  const a = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'] }, hostConfig: {} });
  await svc.settled();
  assert.deepEqual(runtime.calls, [`create ${a.id.slice(0, 4)}`]);
  assert.equal(svc.get(a.id).state.status, 'created', 'staging is invisible');
  assert.equal(svc.get(a.id).state.pid, 0);
  await svc.start(a.id);
  assert.deepEqual(runtime.calls, [`create ${a.id.slice(0, 4)}`, `start ${a.id.slice(0, 4)}`]);
  assert.equal(svc.get(a.id).state.status, 'running');

  // Not started in time: the runtime container and the mount go; a later start stages again.
  const b = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'] }, hostConfig: {} });
  await svc.settled();
  assert.ok(runtime.ctrs.has(b.id));
  await new Promise((r) => setTimeout(r, 120));
  await svc.settled();
  assert.equal(runtime.ctrs.has(b.id), false, 'taken back after the wait');
  assert.equal(host.mounted.has(svc.store.paths(b.id).mergedDir), false);
  await svc.start(b.id);
  assert.equal(runtime.calls.filter((c) => c === `create ${b.id.slice(0, 4)}`).length, 2);

  // Removed before its start: nothing of the staged run stays.
  const c = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'] }, hostConfig: {} });
  await svc.settled();
  assert.ok(runtime.ctrs.has(c.id));
  await svc.remove(c.id);
  assert.equal(runtime.ctrs.has(c.id), false);
  assert.equal(host.mounted.has(svc.store.paths(c.id).mergedDir), false);
});

test('a staged run that fails (command not found) is dropped quietly and the start reports it', async (t) => {
  const { svc, runtime } = await setup(t);
  const { id } = await svc.create({ config: { Image: 'busybox', Cmd: ['nope'] }, hostConfig: {} });
  await svc.settled();
  assert.equal(svc.get(id).state.error, '', 'the failed staging left no error');
  await assert.rejects(svc.start(id), /executable file not found/);
  assert.equal(runtime.calls.filter((c) => c.startsWith('create')).length, 2);
  assert.equal(svc.get(id).state.exitCode, 127);
});

test('staging ahead can be turned off', async (t) => {
  const { svc, runtime, config } = await setup(t);
  config.startAhead = false;
  const { id } = await svc.create({ config: { Image: 'busybox', Cmd: ['sleep', '100'] }, hostConfig: {} });
  await svc.settled();
  assert.deepEqual(runtime.calls, []);
  await svc.start(id);
  assert.deepEqual(runtime.calls, [`create ${id.slice(0, 4)}`, `start ${id.slice(0, 4)}`]);
});
