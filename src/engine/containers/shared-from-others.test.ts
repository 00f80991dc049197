import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountsFrom, sharedNamespaces } from './shared-from-others.js';
import type { ContainerRecord, MountRecord } from './container-model.js';

const vol = (dest: string, rw = true): MountRecord => ({ type: 'volume', name: `v${dest}`, source: `/vols${dest}`, destination: dest, driver: 'local', mode: '', rw, propagation: '', anonymous: true, copyImageContent: true });

test('mountsFrom: the other\'s volumes and binds, ro/rw as asked, own destinations win, not owned', () => {
  const other = { mounts: [vol('/data'), vol('/logs', false), { type: 'tmpfs', source: '', destination: '/t', mode: '', rw: true, propagation: '' } as MountRecord] } as ContainerRecord;
  const find = (n: string) => {
    if (n !== 'src') throw new Error(`No such container: ${n}`);
    return other;
  };
  const got = mountsFrom(['src'], [vol('/logs')], find);
  assert.deepEqual(got.map((m) => [m.destination, m.rw, m.anonymous]), [['/data', true, false]]);
  assert.deepEqual(mountsFrom(['src:ro'], [], find).map((m) => [m.destination, m.rw]), [['/data', false], ['/logs', false]]);
  assert.deepEqual(mountsFrom(['src:rw'], [], find).map((m) => m.rw), [true, true]);
  assert.throws(() => mountsFrom(['nope'], [], find), /No such container: nope/);
});

test('sharedNamespaces: host shares, container: joins a running one by /proc path, a stopped one is refused', () => {
  const find = (n: string) => (n === 'up' ? { id: 'up-id', pid: 42 } : { id: 'down-id', pid: 0 });
  assert.equal(sharedNamespaces({}, find), undefined);
  assert.deepEqual(sharedNamespaces({ PidMode: 'host', UTSMode: 'host' }, find), { pid: { mode: 'host' }, uts: 'host' });
  assert.deepEqual(sharedNamespaces({ IpcMode: 'container:up', PidMode: 'container:up' }, find), { pid: { mode: 'path', path: '/proc/42/ns/pid' }, ipc: { mode: 'path', path: '/proc/42/ns/ipc' } });
  assert.equal(sharedNamespaces({ IpcMode: 'shareable' }, find), undefined);
  assert.throws(() => sharedNamespaces({ PidMode: 'container:down' }, find), /cannot join PID of a non running container: down-id/);
});
