import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EscapeScanner, parseDetachKeys, DetachKeysError } from './detach-keys.js';

test('parseDetachKeys: ctrl- letters and punctuation, single characters, Docker\'s errors', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(parseDetachKeys('ctrl-a'), [1]);
  assert.deepEqual(parseDetachKeys('ctrl-Z'), [26]);
  assert.deepEqual(parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_'), [0, 27, 28, 29, 30, 31]);
  assert.deepEqual(parseDetachKeys('a,ctrl-b,c'), [97, 2, 99]);
  assert.throws(() => parseDetachKeys('ctrl-1'), DetachKeysError);
  assert.throws(() => parseDetachKeys('abc'), /Unknown character: 'abc'/);
  assert.throws(() => parseDetachKeys('ctrl-'), DetachKeysError);
});

test('EscapeScanner: passes input through, detects the sequence, across chunks', () => {
  const s = new EscapeScanner([16, 17]);
  assert.deepEqual(s.push(Buffer.from('ls\n')), { forward: Buffer.from('ls\n'), detached: false });
  const a = s.push(Buffer.from([104, 16]));
  assert.deepEqual(a, { forward: Buffer.from([104]), detached: false });
  const b = s.push(Buffer.from([17, 120]));
  assert.deepEqual(b, { forward: Buffer.alloc(0), detached: true });
});

test('EscapeScanner: a prefix that is not the sequence is passed on', () => {
  const s = new EscapeScanner([16, 17]);
  assert.deepEqual(s.push(Buffer.from([16, 65])).forward, Buffer.from([16, 65]));
  assert.deepEqual(s.push(Buffer.from([16])).forward, Buffer.alloc(0));
  assert.deepEqual(s.push(Buffer.from([16, 17])), { forward: Buffer.from([16]), detached: true });
});
