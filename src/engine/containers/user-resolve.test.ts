import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveUser } from './user-resolve.js';

const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n';
const group = 'root:x:0:\nwheel:x:10:app,root\nnogroup:x:65534:\napp:x:1000:\naudio:x:29:app\n';

test('empty user is root with root supplementary groups', () => {
  assert.deepEqual(resolveUser('', passwd, group), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
});

test('name resolves uid, gid and supplementary groups', () => {
  assert.deepEqual(resolveUser('app', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' });
});

test('numeric forms need no entry', () => {
  assert.deepEqual(resolveUser('4242', passwd, group), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
  assert.deepEqual(resolveUser('4242:77', null, null), { uid: 4242, gid: 77, additionalGids: [], home: '/' });
  assert.equal(resolveUser('65534', passwd, group).gid, 65534);
});

test('name:group and uid:group', () => {
  assert.deepEqual(resolveUser('app:audio', passwd, group), { uid: 1000, gid: 29, additionalGids: [], home: '/home/app' });
  assert.equal(resolveUser('5:wheel', passwd, group).gid, 10);
});

test('unknown names fail as Docker says', () => {
  assert.throws(() => resolveUser('ghost', passwd, group), /^InvalidParameterError: unable to find user ghost: no matching entries in passwd file$/);
  assert.throws(() => resolveUser('app:ghosts', passwd, group), /unable to find group ghosts: no matching entries in group file/);
  assert.throws(() => resolveUser('app', null, null), /unable to find user app/);
});

test('group-add by name and number', () => {
  assert.deepEqual(resolveUser('4242', passwd, group, ['audio', '500']).additionalGids, [29, 500]);
});
