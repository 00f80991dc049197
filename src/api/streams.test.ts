import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frame, FrameDecoder, type StdStream } from './streams.js';
import { compareVersions, splitVersionPrefix } from './version.js';

test('frame + decoder round-trip across arbitrary chunk boundaries', () => {
  const wire = Buffer.concat([frame('stdout', Buffer.from('hello ')), frame('stderr', Buffer.from('oops')), frame('stdout', Buffer.alloc(0))]);
  for (let cut = 1; cut < wire.length; cut++) {
    const got: [StdStream, string][] = [];
    const d = new FrameDecoder((s, b) => got.push([s, b.toString()]));
    d.push(wire.subarray(0, cut));
    d.push(wire.subarray(cut));
    assert.deepEqual(got, [['stdout', 'hello '], ['stderr', 'oops'], ['stdout', '']]);
    assert.equal(d.leftover, 0);
  }
});

test('header layout is Docker\'s: stream byte, three zeros, big-endian size', () => {
  const f = frame('stderr', Buffer.from('abc'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 3]);
});

test('versions compare numerically and prefixes split', () => {
  assert.equal(compareVersions('1.9', '1.24'), -1);
  assert.equal(compareVersions('1.45', '1.45'), 0);
  assert.equal(compareVersions('1.50', '1.45'), 1);
  assert.deepEqual(splitVersionPrefix('/v1.41/containers/json'), { version: '1.41', rest: '/containers/json' });
  assert.deepEqual(splitVersionPrefix('/_ping'), { version: null, rest: '/_ping' });
  assert.deepEqual(splitVersionPrefix('/volumes'), { version: null, rest: '/volumes' });
});
