import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVolumeFlags, parseMountFlag, parseTmpfsFlags } from './mount-spec.js';

test('-v: binds, named volumes, anonymous volumes, relative sources', () => {
  assert.deepEqual(parseVolumeFlags(['/host:/ctr:ro', 'data:/data', '/anon', './rel:/r'], '/work'), {
    binds: ['/host:/ctr:ro', 'data:/data', '/work/rel:/r'],
    volumes: { '/anon': {} },
  });
  assert.throws(() => parseVolumeFlags(['a:b:c:d'], '/'), /too many colons/);
});

test('--mount CSV fields', () => {
  assert.deepEqual(parseMountFlag('type=bind,source=/a,target=/b,readonly', '/'), { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true });
  assert.deepEqual(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770', '/'), {
    Type: 'tmpfs',
    Target: '/t',
    TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 },
  });
  assert.deepEqual(parseMountFlag('src=vol,dst=/v,volume-label=a=b', '/'), { Type: 'volume', Source: 'vol', Target: '/v', VolumeOptions: { Labels: { a: 'b' } } });
  assert.throws(() => parseMountFlag('type=bind,source=/a', '/'), /target is required/);
  assert.throws(() => parseMountFlag('type=bind,target=/a,volume-nocopy', '/'), /cannot mix 'volume-\*' options with mount type 'bind'/);
  assert.throws(() => parseMountFlag('target=/a,bogus=1', '/'), /unexpected key 'bogus'/);
});

test('--tmpfs', () => {
  assert.deepEqual(parseTmpfsFlags(['/run:rw,size=64m', '/tmp']), { '/run': 'rw,size=64m', '/tmp': '' });
});
