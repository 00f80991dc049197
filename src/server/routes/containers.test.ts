import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toInspect, toSummary } from './containers.js';
import { ZERO_TIME, type ContainerRecord } from '../../engine/containers/container-model.js';
import type { ContainerView } from '../../engine/containers/container-service.js';

function view(over: Partial<ContainerRecord> = {}): ContainerView {
  const record: ContainerRecord = {
    id: 'c'.repeat(64),
    name: 'web',
    created: '2024-01-01T00:00:00.000Z',
    path: 'sh',
    args: ['-c', 'echo hi there'],
    image: `sha256:${'a'.repeat(64)}`,
    imageRef: 'busybox',
    layerDirs: ['/l/1', '/l/2'],
    config: { Image: 'busybox', Labels: { a: 'b' } },
    hostConfig: { NetworkMode: 'default', Memory: 1024 },
    state: { status: 'paused', pid: 42, conmonPid: 41, exitCode: 0, error: '', oomKilled: false, startedAt: '2024-01-01T00:00:01Z', finishedAt: ZERO_TIME },
    mounts: [
      { type: 'volume', name: 'v', source: '/vols/v/_data', destination: '/data', driver: 'local', mode: 'z', rw: true, propagation: '' },
      { type: 'tmpfs', source: '', destination: '/run', mode: '', rw: true, propagation: '', hidden: true },
    ],
    restartCount: 0,
    logMaxSize: 1,
    logMaxFile: 1,
    ...over,
  };
  const paths = { dir: '/d', configFile: '/d/config.json', bundleDir: '/d/bundle', hostnameFile: '/d/hostname', hostsFile: '/d/hosts', resolvConfFile: '/d/resolv.conf', logFile: '/d/ctr.log', execDir: '/d/exec', overlayDir: '/o', upperDir: '/o/upper', workDir: '/o/work', mergedDir: '/o/merged' };
  return { record, paths, logPath: '/d/ctr.log', execIds: [], statusText: 'Up 1 second (Paused)' };
}

test('inspect: Docker shape, name with slash, paused is running, overlay2 dirs top-most first, HostConfig defaults under the given', () => {
  const i = toInspect(view());
  assert.equal(i.Name, '/web');
  assert.deepEqual([i.State.Status, i.State.Running, i.State.Paused, i.State.Pid], ['paused', true, true, 42]);
  assert.deepEqual(i.GraphDriver, { Name: 'overlay2', Data: { LowerDir: '/l/2:/l/1', MergedDir: '/o/merged', UpperDir: '/o/upper', WorkDir: '/o/work' } });
  assert.equal(i.HostConfig.Memory, 1024);
  assert.deepEqual(i.HostConfig.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(i.Mounts.map((m) => m.Destination), ['/data'], '--tmpfs mounts are not listed');
  assert.equal(i.ExecIDs, null);
  assert.deepEqual(Object.keys(i.NetworkSettings.Networks), ['bridge']);
  assert.equal(i.NetworkSettings.IPAddress, '');
  assert.equal(i.LogPath, '/d/ctr.log');
});

test('summary: quoted arguments in Command, seconds in Created, status text', () => {
  const s = toSummary(view());
  assert.equal(s.Command, "sh -c 'echo hi there'");
  assert.equal(s.Created, 1704067200);
  assert.deepEqual(s.Names, ['/web']);
  assert.equal(s.Status, 'Up 1 second (Paused)');
  assert.deepEqual(s.Labels, { a: 'b' });
});

test('endpoints reported by networking fill NetworkSettings', () => {
  const i = toInspect(view({ network: { sandboxKey: '/run/netns/x', endpoints: [{ network: 'bridge', networkId: 'n1', endpointId: 'e1', ipAddress: '10.0.0.2', ipPrefixLen: 24, gateway: '10.0.0.1', macAddress: '02:42:0a:00:00:02', aliases: [] }] } }));
  assert.equal(i.NetworkSettings.IPAddress, '10.0.0.2');
  assert.equal(i.NetworkSettings.Networks['bridge']!.Gateway, '10.0.0.1');
  assert.equal(i.NetworkSettings.SandboxKey, '/run/netns/x');
});
