// A daemon killed with SIGKILL in the middle of work leaves a store that the next daemon opens
// consistently: an image load cut off half-way (while uploading, and after the upload while it is
// being unpacked) leaves no half image and no corrupt blob; a container start cut off at various
// moments leaves a container that is either created or running, and that rm -f removes completely.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { startDaemon, run, sleep, waitFor, processesMentioning, mountsUnder, BUSYBOX_TAR } from './harness/index.js';
import { writeDockerArchive, progressStream } from './harness/archives.js';

const d = await startDaemon({ after });
// The reference dockerd (BERTH_TEST_ENGINE=dockerd) does not come back here after a SIGKILL: the
// containerd it started must be found and killed by hand, and its restart then times out. berth only.
const skip = d.engine === 'dockerd' ? 'dockerd 20.10 does not restart after SIGKILL in this harness' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-crash-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const BIG = 256 * 1024 * 1024;
const bigArchive = path.join(tmp, 'big.tar');
const big = await writeDockerArchive(bigArchive, {
  repoTags: ['crash/big:v1'],
  layers: [{ tarFile: BUSYBOX_TAR }, { entries: [{ name: 'big/', type: 'directory', mode: 0o755 }, { name: 'big/blob', size: BIG, mode: 0o644 }] }],
  cmd: ['sh', '-c', 'wc -c < /big/blob'],
});

/**
 * POSTs the archive to /images/load and SIGKILLs the daemon when `killAt` of its bytes have been sent
 * (1 = after the whole body, while the daemon is still storing and unpacking it).
 */
async function loadAndKill(killAt: number): Promise<void> {
  let killed = false;
  const kill = () => {
    if (!killed) {
      killed = true;
      void d.kill();
    }
  };
  const req = http.request({
    socketPath: d.socket,
    method: 'POST',
    path: '/images/load?quiet=1',
    headers: { 'Content-Type': 'application/x-tar', 'Content-Length': String(big.size) },
  });
  const answered = new Promise<string>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(`answered ${res.statusCode}: ${body}`));
      res.on('error', () => resolve('cut off'));
    });
    req.on('error', () => resolve('cut off'));
  });
  const body = progressStream(bigArchive, (sent) => {
    if (killAt < 1 && sent >= big.size * killAt) kill();
  });
  body.on('end', () => {
    // Give the daemon a moment into storing/unpacking the layers before the kill.
    if (killAt >= 1) setTimeout(kill, 150);
  });
  await pipeline(body, req).catch(() => undefined);
  const outcome = await answered;
  if (!killed) kill();
  await d.stop('SIGKILL');
  assert.ok(killed, `daemon killed (${outcome})`);
}

/** Every blob in the content store hashes to its name: nothing half-written became visible. */
async function assertBlobsIntact(): Promise<void> {
  const dirs: string[] = [];
  const find = (dir: string, depth: number) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (p.endsWith(`${path.sep}blobs${path.sep}sha256`)) dirs.push(p);
      else if (depth > 0 && !p.includes(`${path.sep}containers${path.sep}`)) find(p, depth - 1);
    }
  };
  find(d.dataRoot, 5);
  assert.ok(dirs.length > 0, `a blobs/sha256 directory under ${d.dataRoot}`);
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (!fs.statSync(file).isFile()) continue;
      assert.match(name, /^[0-9a-f]{64}$/, `only digest-named files in ${dir} (found ${name})`);
      const h = createHash('sha256');
      await pipeline(fs.createReadStream(file), h);
      assert.equal(h.digest('hex'), name, `blob ${file} hashes to its name`);
    }
  }
}

for (const killAt of [0.5, 1]) {
  test(`SIGKILL during docker load (${killAt < 1 ? 'half-way through the upload' : 'after the upload, while storing'}) leaves no half image`, { skip }, async () => {
    await loadAndKill(killAt);
    await d.start();
    const images = await d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(images.code, 0, images.stderr);
    assert.ok(images.stdout.includes('busybox:latest'), 'earlier images are intact');
    const inspect = await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'crash/big:v1']);
    if (inspect.code === 0) {
      // The load may have completed before the kill landed; then the image must be whole and usable.
      assert.equal(inspect.stdout.trim(), big.imageId);
      const r = await d.docker(['run', '--rm', 'crash/big:v1']);
      assert.equal(r.stdout.trim(), String(BIG), `a listed image runs whole: ${r.stderr}`);
      assert.equal((await d.docker(['rmi', 'crash/big:v1'])).code, 0);
    } else {
      assert.match(inspect.stderr, /No such image/);
      assert.ok(!images.stdout.includes('crash/big'), `no half image listed:\n${images.stdout}`);
    }
    await assertBlobsIntact();
    // The store is not wedged: the same archive loads whole now, and runs.
    const load = await d.docker(['load', '-i', bigArchive], { timeout: 180_000 });
    assert.equal(load.code, 0, load.stderr);
    assert.match(load.stdout, /Loaded image: crash\/big:v1/);
    assert.equal((await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'crash/big:v1'])).stdout.trim(), big.imageId);
    const r = await d.docker(['run', '--rm', 'crash/big:v1']);
    assert.equal(r.stdout.trim(), String(BIG), r.stderr);
    assert.equal((await d.docker(['rmi', 'crash/big:v1'])).code, 0);
  });
}

test('SIGKILL during container starts: each container is created or running, and rm -f removes it all', { skip }, async () => {
  const ids: string[] = [];
  for (const delay of [0, 5, 20, 60, 150]) {
    const c = await d.api('POST', '/containers/create', { body: { Image: 'busybox', Cmd: ['sleep', '300'] } });
    assert.equal(c.status, 201, c.text);
    const id = c.json().Id as string;
    ids.push(id);
    const start = d.api('POST', `/containers/${id}/start`).catch(() => undefined);
    await sleep(delay);
    await d.kill();
    await start;
    await d.start();
    const state = await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', id]);
    assert.equal(state.code, 0, `container ${id} still known after the crash: ${state.stderr}`);
    const [status, pid] = state.stdout.trim().split(' ');
    assert.ok(status === 'created' || status === 'running', `killed ${delay} ms into start: state ${status}`);
    if (status === 'running') assert.ok(fs.existsSync(`/proc/${pid}`), `a running container has a live PID (${pid})`);
    // Whatever the state, the container can be started (or already runs) and used.
    if (status === 'created') assert.equal((await d.docker(['start', id])).code, 0);
    const exec = await d.docker(['exec', id, 'echo', 'alive']);
    assert.equal(exec.stdout, 'alive\n', exec.stderr);
  }
  const list = await d.docker(['ps', '-a', '-q', '--no-trunc']);
  assert.equal(list.code, 0, list.stderr);
  for (const id of ids) assert.ok(list.stdout.includes(id));
  const rm = await d.docker(['rm', '-f', ...ids]);
  assert.equal(rm.code, 0, rm.stderr);
  // Nothing left: no container record, no runc state, no monitor process.
  assert.equal((await d.docker(['ps', '-a', '-q'])).stdout.trim(), '');
  const runcRoot = path.join(d.execRoot, 'runc');
  if (fs.existsSync(runcRoot)) {
    const runcList = await run('runc', ['--root', runcRoot, 'list', '-q']);
    for (const id of ids) assert.ok(!runcList.stdout.includes(id), `runc still knows ${id}`);
  }
  for (const id of ids) assert.deepEqual(processesMentioning(id), [], `no process left naming ${id}`);
});

test('SIGKILL during container creates: the container is whole or absent, and its name is not lost', { skip }, async () => {
  for (const delay of [0, 3, 10, 30]) {
    const name = `crash-create-${delay}`;
    const create = d.api('POST', `/containers/create?name=${name}`, { body: { Image: 'busybox', Cmd: ['sleep', '300'] } }).catch(() => undefined);
    await sleep(delay);
    await d.kill();
    await create;
    await d.start();
    const state = await d.docker(['inspect', '-f', '{{.State.Status}}', name]);
    if (state.code === 0) {
      assert.equal(state.stdout.trim(), 'created', `killed ${delay} ms into create`);
      assert.equal((await d.docker(['start', name])).code, 0, 'a surviving create can be started');
    } else {
      assert.match(state.stderr, /No such object|No such container/);
      // The name was not left reserved by a half-made container.
      const again = await d.docker(['run', '-d', '--name', name, 'busybox', 'sleep', '300']);
      assert.equal(again.code, 0, `the name is free again: ${again.stderr}`);
    }
    assert.equal((await d.docker(['exec', name, 'true'])).code, 0);
    assert.equal((await d.docker(['rm', '-f', name])).code, 0);
  }
});

test('SIGKILL during rm -f of a running container: gone, or still there and removable; no mount left', { skip }, async () => {
  for (const delay of [0, 5, 20, 50]) {
    const r = await d.docker(['run', '-d', 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const rm = d.api('DELETE', `/containers/${id}?force=1`).catch(() => undefined);
    await sleep(delay);
    await d.kill();
    await rm;
    await d.start();
    const state = await d.docker(['inspect', '-f', '{{.State.Status}}', id]);
    if (state.code === 0) {
      assert.ok(['running', 'exited', 'created', 'removing', 'dead'].includes(state.stdout.trim()), `state after a cut-off rm: ${state.stdout}`);
      const again = await d.docker(['rm', '-f', id]);
      assert.equal(again.code, 0, again.stderr);
    } else {
      assert.match(state.stderr, /No such object|No such container/);
    }
    assert.deepEqual(mountsUnder(d.dataRoot).filter((m) => m.includes(id)), [], `no mount of ${id} left`);
    assert.deepEqual(processesMentioning(id), [], `no process of ${id} left`);
  }
});

/** The containers runc knows under this daemon's root, with their runc status. */
async function runcContainers(): Promise<Map<string, string>> {
  const r = await run('runc', ['--root', path.join(d.execRoot, 'runc'), 'list', '--format', 'json']);
  const list = (r.stdout.trim() && r.stdout.trim() !== 'null' ? JSON.parse(r.stdout) : []) as { id: string; status: string }[];
  return new Map(list.map((c) => [c.id, c.status]));
}

test('SIGKILL while a created container is staged ahead of its start: the next daemon takes the staging back', { skip }, async () => {
  // berthd stages a new container's run right after the create (runc create under conmon, the init
  // waiting). A daemon killed then leaves that runtime container behind for the next one to find.
  const c = await d.api('POST', '/containers/create?name=crash-staged', { body: { Image: 'busybox', Cmd: ['sh', '-c', 'echo ran'] } });
  assert.equal(c.status, 201, c.text);
  const id = c.json().Id as string;
  await waitFor('the run staged ahead (runc says created)', async () => (await runcContainers()).get(id) === 'created');
  await d.kill();
  await d.start();
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', id])).stdout.trim(), 'created 0');
  assert.equal((await runcContainers()).has(id), false, 'the staged runtime container was deleted at start-up');
  assert.deepEqual(mountsUnder(d.dataRoot).filter((m) => m.includes(id)), [], 'and its rootfs unmounted');
  const start = await d.docker(['start', '-a', id]);
  assert.equal(start.stdout, 'ran\n', start.stderr);
  assert.equal((await d.docker(['rm', id])).code, 0);
  assert.deepEqual(processesMentioning(id), []);
});

/** Container directories holding a runtime started ahead of the next create (runtime-ahead.ts). */
function aheadDirs(): string[] {
  const root = path.join(d.dataRoot, 'containers');
  return fs.readdirSync(root).filter((x) => fs.existsSync(path.join(root, x, 'ahead')));
}

test('SIGKILL while a runtime waits ahead of the next create: the next daemon kills it and removes its directory', { skip }, async () => {
  // After a create, berthd starts conmon and `runc create` for the next container (an ID of its own,
  // config.json a FIFO it holds). A daemon killed then leaves them waiting; the next one must clean.
  const r = await d.docker(['run', '--rm', 'busybox', 'true']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor('a runtime started ahead', () => aheadDirs().length === 1);
  const [id] = aheadDirs();
  await waitFor('its monitor and runc', () => processesMentioning(id!).length >= 2);
  await d.kill();
  await d.start();
  await waitFor('its processes gone', () => processesMentioning(id!).length === 0);
  assert.equal(fs.existsSync(path.join(d.dataRoot, 'containers', id!)), false, 'its directory removed');
  assert.equal((await runcContainers()).has(id!), false);
  // And the next run still works (and may take a new one).
  const again = await d.docker(['run', '--rm', 'busybox', 'echo', 'ok']);
  assert.equal(again.stdout, 'ok\n', again.stderr);
});

test('SIGKILL right after a --rm container is answered: the clean-up left to the background is finished at start-up', { skip }, async () => {
  // With --rm the client is answered once the record is gone; runc delete, the unmount and the
  // files follow. Killing the daemon at once leaves some of them for the next start-up.
  const cidfile = path.join(tmp, 'rm.cid');
  fs.rmSync(cidfile, { force: true });
  const r = await d.docker(['run', '--rm', '--cidfile', cidfile, 'busybox', 'true']);
  await d.kill();
  assert.equal(r.code, 0, r.stderr);
  const id = fs.readFileSync(cidfile, 'utf8').trim();
  await d.start();
  const gone = await d.docker(['inspect', id]);
  assert.notEqual(gone.code, 0, 'the removed container stays removed');
  assert.equal((await runcContainers()).has(id), false, 'no runc state left');
  assert.deepEqual(mountsUnder(d.dataRoot).filter((m) => m.includes(id)), [], 'no mount left');
  assert.equal(fs.existsSync(path.join(d.dataRoot, 'containers', id)), false, 'no container directory left');
  assert.equal(fs.existsSync(path.join(d.dataRoot, 'overlay', id)), false, 'no rootfs directory left');
});

test('--rm containers run side by side leave nothing behind once their background clean-up has run', { skip }, async () => {
  const before = new Set(fs.readdirSync(path.join(d.dataRoot, 'containers')));
  const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => d.docker(['run', '--rm', 'busybox', 'sh', '-c', `echo ${i}`])));
  runs.forEach((r, i) => assert.equal(r.stdout, `${i}\n`, r.stderr));
  // The one directory of a runtime started ahead for the next create is not these runs' (at most one).
  await waitFor('the clean-ups', async () => {
    const ahead = aheadDirs();
    const left = fs.readdirSync(path.join(d.dataRoot, 'containers')).filter((x) => !before.has(x) && !ahead.includes(x));
    return ahead.length <= 1 && left.length === 0 && mountsUnder(path.join(d.dataRoot, 'overlay')).length === 0;
  });
  assert.deepEqual([...(await runcContainers()).keys()].filter((x) => !before.has(x)), []);
  assert.deepEqual(fs.readdirSync(path.join(d.dataRoot, 'overlay')).filter((x) => !before.has(x)), []);
});

test('SIGKILL during an import: the tag is absent or the image whole', { skip }, async () => {
  const size = fs.statSync(BUSYBOX_TAR).size;
  let killed = false;
  const req = http.request({ socketPath: d.socket, method: 'POST', path: '/images/create?fromSrc=-&repo=crash/import&tag=v1', headers: { 'Content-Type': 'application/x-tar', 'Content-Length': String(size) } });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  const body = progressStream(BUSYBOX_TAR, (sent) => {
    if (!killed && sent >= size / 2) {
      killed = true;
      void d.kill();
    }
  });
  await pipeline(body, req).catch(() => undefined);
  await d.stop('SIGKILL');
  await d.start();
  const inspect = await d.docker(['image', 'inspect', 'crash/import:v1']);
  if (inspect.code === 0) {
    const r = await d.docker(['run', '--rm', 'crash/import:v1', 'true']);
    assert.equal(r.code, 0, `a listed image is whole: ${r.stderr}`);
  } else {
    assert.match(inspect.stderr, /No such image/);
  }
  await assertBlobsIntact();
  const again = await d.docker(['import', BUSYBOX_TAR, 'crash/import:v1']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await d.docker(['rmi', 'crash/import:v1'])).code, 0);
});
