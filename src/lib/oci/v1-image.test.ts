import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromV1, goCompact, goTime, historyFromV1, rawMembers } from './v1-image.js';

test('goCompact keeps numbers and escapes as written, drops whitespace, escapes <, >, & and U+2028 as Go', () => {
  assert.equal(goCompact(' { "a" : [ 1.50 , 1e3 , "x\\/y" ] ,\n "b":"<&>\u2028" } '), '{"a":[1.50,1e3,"x\\/y"],"b":"\\u003c\\u0026\\u003e\\u2028"}');
  assert.equal(goCompact('"a b"'), '"a b"', 'spaces inside strings stay');
  assert.throws(() => goCompact('{"a":'));
});

test('goTime formats as Go marshals a parsed RFC 3339 time', () => {
  assert.equal(goTime('2015-10-31T22:22:54.690851953Z'), '2015-10-31T22:22:54.690851953Z');
  assert.equal(goTime('2015-06-01T00:00:00.000000000Z'), '2015-06-01T00:00:00Z');
  assert.equal(goTime('2015-06-02T10:20:30.50+02:00'), '2015-06-02T10:20:30.5+02:00');
  assert.equal(goTime('2015-06-02T10:20:30+00:00'), '2015-06-02T10:20:30Z');
  assert.throws(() => goTime('yesterday'), /RFC 3339/);
});

test('rawMembers keeps raw values and the last of a repeated key', () => {
  const m = rawMembers('{"a": {"x": [1, "}"]}, "b": 2.0, "a": null, "c": "s"}');
  assert.deepEqual([...m.entries()], [['b', '2.0'], ['a', 'null'], ['c', '"s"']]);
  assert.throws(() => rawMembers('[1]'), /not an object/);
});

test('historyFromV1: created, author, the joined build command, comment', () => {
  assert.deepEqual(historyFromV1('{"created":"2015-06-01T00:00:00.0Z","author":"me","comment":"c","container_config":{"Cmd":["/bin/sh","-c","true"]}}'), {
    created: '2015-06-01T00:00:00Z',
    author: 'me',
    created_by: '/bin/sh -c true',
    comment: 'c',
  });
  assert.deepEqual(historyFromV1('{}'), { created: '0001-01-01T00:00:00Z' });
});

test('configFromV1 drops the v1 keys, adds rootfs and history, sorts the keys as Go', () => {
  const v1 = '{"id":"aa","parent":"bb","Size":5,"os":"linux","config":{"Cmd":["a && b"]},"architecture":"amd64","created":"2015-06-01T00:00:00Z"}';
  const h = historyFromV1(v1);
  assert.equal(
    configFromV1(v1, ['sha256:' + 'a'.repeat(64)], [h]),
    `{"architecture":"amd64","config":{"Cmd":["a \\u0026\\u0026 b"]},"created":"2015-06-01T00:00:00Z","history":[{"created":"2015-06-01T00:00:00Z"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:${'a'.repeat(64)}"]}}`,
  );
});
