import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBind, parseMountSpec, planMounts } from './mount-plan.js';

test('-v host bind with ro', () => {
  assert.deepEqual(parseBind('/srv/data:/data:ro'), { kind: 'bind', source: '/srv/data', destination: '/data', readonly: true, mode: 'ro', propagation: 'rprivate', createSource: true });
});

test('-v named volume and anonymous volume', () => {
  const n = parseBind('cache:/var/cache');
  assert.equal(n.kind, 'volume');
  assert.equal(n.kind === 'volume' && n.name, 'cache');
  const a = parseBind('/scratch');
  assert.equal(a.kind === 'volume' && a.name, null);
});

test('bad -v specs say why', () => {
  assert.throws(() => parseBind('/a:rel'), /mount path must be absolute/);
  assert.throws(() => parseBind('/a:/'), /destination can't be '\/'/);
  assert.throws(() => parseBind('bad name:/x'), /includes invalid characters for a local volume name/);
  assert.throws(() => parseBind('/a:/b:bogus'), /invalid mode: bogus/);
  assert.throws(() => parseBind('/a:/b:ro:x'), /invalid volume specification/);
});

test('--mount types', () => {
  const b = parseMountSpec({ Type: 'bind', Source: '/h', Target: '/c', ReadOnly: true });
  assert.equal(b.kind === 'bind' && b.createSource, false);
  const t = parseMountSpec({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } });
  assert.deepEqual(t.kind === 'tmpfs' && t.options, ['size=1024', 'mode=1777']);
  assert.throws(() => parseMountSpec({ Type: 'npipe', Target: '/x' }), /mount type unknown/);
});

test('duplicates refused; image volumes fill the gaps; parents first', () => {
  assert.throws(() => planMounts({ binds: ['/a:/x', 'vol:/x'] }), /Duplicate mount point: \/x/);
  const plan = planMounts({ binds: ['/h:/data/sub'], volumes: { '/data': {}, '/data/sub': {} }, tmpfs: { '/run': 'size=1m' } });
  assert.deepEqual(plan.map((p) => [p.kind, p.destination]), [['tmpfs', '/run'], ['volume', '/data'], ['bind', '/data/sub']]);
});
