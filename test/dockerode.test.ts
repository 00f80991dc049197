// dockerode (npm) as a second, independent Engine API client against a real berthd: its request
// shapes, its stream demultiplexing and its hijacked attach/exec must all work unchanged.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { startDaemon } from './harness/index.js';

const d = await startDaemon({ after });
const docker = new Docker({ socketPath: d.socket });

/** Collects a demultiplexed stdout/stderr pair until the source stream ends. */
function demux(stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (b: Buffer) => o.push(b));
  err.on('data', (b: Buffer) => e.push(b));
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.on('end', () => resolve({ stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() }));
    stream.on('close', () => resolve({ stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() }));
  });
}

/** Splits a multiplexed logs buffer (8-byte headers: stream, 0, 0, 0, big-endian length). */
function splitFrames(buf: Buffer): { stdout: string; stderr: string } {
  const parts = { stdout: '', stderr: '' };
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    const len = buf.readUInt32BE(i + 4);
    const data = buf.subarray(i + 8, i + 8 + len).toString();
    if (kind === 1) parts.stdout += data;
    else if (kind === 2) parts.stderr += data;
    else assert.fail(`unexpected stream byte ${kind} at offset ${i}`);
    i += 8 + len;
  }
  assert.equal(i, buf.length, 'logs end on a frame boundary');
  return parts;
}

test('ping and version through dockerode', async () => {
  assert.equal(String(await docker.ping()), 'OK');
  const v = await docker.version();
  assert.equal(v.ApiVersion, d.apiVersion);
  assert.equal(v.Os, 'linux');
});

test('create, start, wait, logs, remove', async () => {
  const c = await docker.createContainer({
    Image: 'busybox',
    Cmd: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 3'],
    name: 'dockerode-lifecycle',
    Labels: { via: 'dockerode' },
  });
  assert.match(c.id, /^[0-9a-f]{64}$/);
  const created = await c.inspect();
  assert.equal(created.State.Status, 'created');
  assert.equal(created.Name, '/dockerode-lifecycle');
  assert.equal(created.Config.Labels.via, 'dockerode');
  await c.start();
  const waited = await c.wait();
  assert.equal(waited.StatusCode, 3);
  const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  assert.deepEqual(splitFrames(Buffer.from(logs)), { stdout: 'to-stdout\n', stderr: 'to-stderr\n' });
  const listed = await docker.listContainers({ all: true, filters: { label: ['via=dockerode'] } });
  assert.equal(listed.length, 1);
  assert.equal(listed[0]!.Id, c.id);
  assert.match(listed[0]!.Status, /^Exited \(3\) /);
  await c.remove();
  await assert.rejects(c.inspect(), (e: any) => e.statusCode === 404 && /No such container/.test(e.message));
});

test('attach with stdin, demultiplexed stdout and stderr', async () => {
  const c = await docker.createContainer({
    Image: 'busybox',
    Cmd: ['sh', '-c', 'while read line; do echo "out:$line"; echo "err:$line" >&2; done; echo bye'],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  try {
    const stream = (await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    const collected = demux(stream);
    await c.start();
    stream.write('alpha\nbeta\n');
    stream.end();
    const { stdout, stderr } = await collected;
    assert.equal(stdout, 'out:alpha\nout:beta\nbye\n');
    assert.equal(stderr, 'err:alpha\nerr:beta\n');
    assert.equal((await c.wait()).StatusCode, 0);
  } finally {
    await c.remove({ force: true });
  }
});

test('exec: demultiplexed output and exit code in exec inspect', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
  try {
    await c.start();
    const exec = await c.exec({ Cmd: ['sh', '-c', 'echo exec-out; echo exec-err >&2; exit 4'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const { stdout, stderr } = await demux(stream);
    assert.equal(stdout, 'exec-out\n');
    assert.equal(stderr, 'exec-err\n');
    const info = await exec.inspect();
    assert.equal(info.ExitCode, 4);
    assert.equal(info.Running, false);
    // exec with stdin
    const cat = await c.exec({ Cmd: ['cat'], AttachStdin: true, AttachStdout: true });
    const s2 = await cat.start({ hijack: true, stdin: true });
    const r2 = demux(s2);
    s2.write('piped through exec\n');
    s2.end();
    assert.equal((await r2).stdout, 'piped through exec\n');
  } finally {
    await c.remove({ force: true });
  }
});

test('listImages and getImage().inspect()', async () => {
  const images = await docker.listImages();
  const bb = images.find((i) => (i.RepoTags ?? []).includes('busybox:latest'));
  assert.ok(bb, `busybox:latest listed: ${JSON.stringify(images)}`);
  assert.match(bb.Id, /^sha256:[0-9a-f]{64}$/);
  const info = await docker.getImage('busybox').inspect();
  assert.equal(info.Id, bb.Id);
  assert.deepEqual(info.Config.Cmd, ['sh']);
  assert.equal(info.Os, 'linux');
  assert.equal(info.RootFS.Type, 'layers');
  assert.equal(info.RootFS.Layers?.length, 1);
  await assert.rejects(docker.getImage('no-such-image').inspect(), (e: any) => e.statusCode === 404);
});

test('docker.run() (attach, start, wait in one call) and the events stream', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (b: Buffer) => chunks.push(b));
  err.on('data', (b: Buffer) => errChunks.push(b));
  // Two streams: dockerode demultiplexes into them.
  const [result, container] = (await docker.run('busybox', ['sh', '-c', 'echo via-run; echo on-err >&2; exit 2'], [out, err], { Tty: false })) as [{ StatusCode: number }, Docker.Container];
  assert.equal(result.StatusCode, 2);
  assert.equal(Buffer.concat(chunks).toString(), 'via-run\n');
  assert.equal(Buffer.concat(errChunks).toString(), 'on-err\n');
  await container.remove();
  const until = Math.floor(Date.now() / 1000) + 1;
  const stream = (await docker.getEvents({ since, until, filters: { type: ['container'], container: [container.id] } })) as NodeJS.ReadableStream;
  let text = '';
  for await (const c of stream) text += c.toString();
  const actions = text.trim().split('\n').map((l) => JSON.parse(l).Action as string);
  for (const a of ['create', 'attach', 'start', 'die', 'destroy']) assert.ok(actions.includes(a), `events: ${actions.join(' ')}`);
});

test('volumes and prune through dockerode', async () => {
  const v = await docker.createVolume({ Name: 'dockerode-vol', Labels: { via: 'dockerode' } });
  const info = await v.inspect();
  assert.equal(info.Name, 'dockerode-vol');
  assert.equal(info.Driver, 'local');
  const list = await docker.listVolumes({ filters: { label: ['via=dockerode'] } });
  assert.deepEqual(list.Volumes.map((x) => x.Name), ['dockerode-vol']);
  await docker.getVolume('dockerode-vol').remove();
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['true'], Labels: { prune: 'dockerode' } });
  const pruned = await docker.pruneContainers({ filters: { label: ['prune=dockerode'] } });
  assert.deepEqual(pruned.ContainersDeleted, [c.id]);
});
