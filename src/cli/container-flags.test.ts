import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCreateRequest, FlagValueError, type FlagEnv } from './container-flags.js';

const files: Record<string, string> = { '/e.env': '# c\nFROM_FILE=1\nA=file\nHOME\n' };
const env: FlagEnv = {
  lookupEnv: (k) => ({ HOME: '/root', USER: 'me' })[k],
  readFile: (p) => {
    const t = files[p];
    if (t === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return t;
  },
  cwd: '/here',
};

test('plain run attaches stdout and stderr, passes the command', () => {
  const r = buildCreateRequest({}, 'busybox', ['ls', '-l'], env);
  assert.equal(r.Image, 'busybox');
  assert.deepEqual(r.Cmd, ['ls', '-l']);
  assert.equal(r.AttachStdin, false);
  assert.equal(r.AttachStdout, true);
  assert.equal(r.AttachStderr, true);
  assert.equal(r.OpenStdin, false);
  assert.equal(r.Entrypoint, null);
  assert.deepEqual(r.HostConfig, {});
});

test('-it opens and attaches stdin with StdinOnce; -d detaches everything', () => {
  const r = buildCreateRequest({ interactive: true, tty: true }, 'b', [], env);
  assert.equal(r.AttachStdin && r.OpenStdin && r.StdinOnce && r.Tty, true);
  assert.equal(r.Cmd, null);
  const d = buildCreateRequest({ interactive: true, tty: true, detach: true }, 'b', [], env);
  assert.equal(d.AttachStdin || d.AttachStdout || d.AttachStderr || d.StdinOnce, false);
  assert.equal(d.OpenStdin, true);
});

test('env files come before -e, bare names take local values', () => {
  const r = buildCreateRequest({ envFile: ['/e.env'], env: ['A=flag', 'USER', 'NOPE'] }, 'b', [], env);
  assert.deepEqual(r.Env, ['FROM_FILE=1', 'A=file', 'HOME=/root', 'A=flag', 'USER=me', 'NOPE']);
  assert.throws(() => buildCreateRequest({ envFile: ['/missing'] }, 'b', [], env), /open \/missing: no such file or directory/);
});

test('resources: memory, cpus, pids, ulimits, shm', () => {
  const r = buildCreateRequest({ memory: '512m', cpus: '1.5', pidsLimit: '100', ulimit: ['nproc=10', 'nofile=1024:2048', 'nproc=20'], shmSize: '64m' }, 'b', [], env);
  assert.equal(r.HostConfig!.Memory, 512 * 1024 * 1024);
  assert.equal(r.HostConfig!.NanoCpus, 1_500_000_000);
  assert.equal(r.HostConfig!.PidsLimit, 100);
  assert.deepEqual(r.HostConfig!.Ulimits, [
    { Name: 'nofile', Soft: 1024, Hard: 2048 },
    { Name: 'nproc', Soft: 20, Hard: 20 },
  ]);
  assert.equal(r.HostConfig!.ShmSize, 64 * 1024 * 1024);
  assert.throws(() => buildCreateRequest({ memory: '5x' }, 'b', [], env), (e: unknown) => e instanceof FlagValueError && /invalid argument "5x" for "-m, --memory" flag: invalid suffix: 'x'/.test((e as Error).message));
});

test('restart, log options, labels, entrypoint reset, stop settings', () => {
  const r = buildCreateRequest(
    { restart: 'on-failure:3', logOpt: ['max-size=10m', 'max-file=3'], label: ['a=b', 'c'], entrypoint: '', stopSignal: 'SIGINT', stopTimeout: '5', init: true, readOnly: true, capAdd: ['NET_ADMIN'], capDrop: ['ALL'] },
    'b',
    [],
    env,
  );
  assert.deepEqual(r.HostConfig!.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(r.HostConfig!.LogConfig, { Type: '', Config: { 'max-size': '10m', 'max-file': '3' } });
  assert.deepEqual(r.Labels, { a: 'b', c: '' });
  assert.deepEqual(r.Entrypoint, ['']);
  assert.equal(r.StopSignal, 'SIGINT');
  assert.equal(r.StopTimeout, 5);
  assert.equal(r.HostConfig!.Init, true);
  assert.equal(r.HostConfig!.ReadonlyRootfs, true);
  assert.deepEqual(r.HostConfig!.CapAdd, ['NET_ADMIN']);
  assert.deepEqual(r.HostConfig!.CapDrop, ['ALL']);
  assert.throws(() => buildCreateRequest({ rm: true, restart: 'always' }, 'b', [], env), /cannot specify both --restart and --rm/);
});

test('volumes, tmpfs, network and published ports are sent', () => {
  const r = buildCreateRequest({ volume: ['/h:/c:ro', '/anon'], tmpfs: ['/run:size=1m'], network: 'host', publish: ['8080:80'] }, 'b', [], env);
  assert.deepEqual(r.HostConfig!.Binds, ['/h:/c:ro']);
  assert.deepEqual(r.Volumes, { '/anon': {} });
  assert.deepEqual(r.HostConfig!.Tmpfs, { '/run': 'size=1m' });
  assert.equal(r.HostConfig!.NetworkMode, 'host');
  assert.deepEqual(r.HostConfig!.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(r.ExposedPorts, { '80/tcp': {} });
  assert.equal(buildCreateRequest({ net: 'none' }, 'b', [], env).HostConfig!.NetworkMode, 'none');
});

test('-a selects streams and conflicts with -d', () => {
  const r = buildCreateRequest({ attach: ['STDOUT'] }, 'b', [], env);
  assert.equal(r.AttachStdout, true);
  assert.equal(r.AttachStderr, false);
  assert.throws(() => buildCreateRequest({ attach: ['bogus'] }, 'b', [], env), /valid streams are STDIN, STDOUT and STDERR/);
  assert.throws(() => buildCreateRequest({ attach: ['stdout'], detach: true }, 'b', [], env), /cannot specify both --attach and --detach/);
});
