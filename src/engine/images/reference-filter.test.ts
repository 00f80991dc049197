import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, matchesFamiliar } from './reference-filter.js';

test("Go path.Match globs: * and ? stop at '/', classes, escapes", () => {
  assert.ok(globToRegExp('busy*').test('busybox'));
  assert.ok(!globToRegExp('*').test('a/b'));
  assert.ok(globToRegExp('*/*').test('a/b'));
  assert.ok(globToRegExp('b?sybox').test('busybox'));
  assert.ok(globToRegExp('[a-c]usybox').test('busybox'));
  assert.ok(!globToRegExp('[^b]usybox').test('busybox'));
  assert.ok(globToRegExp('a.b').test('a.b'));
  assert.ok(!globToRegExp('a.b').test('axb'));
});

test('reference filter matches the familiar reference or its name', () => {
  assert.ok(matchesFamiliar('busybox', 'busybox:latest'));
  assert.ok(matchesFamiliar('busybox:latest', 'busybox:latest'));
  assert.ok(matchesFamiliar('busybox:l*', 'busybox:latest'));
  assert.ok(!matchesFamiliar('busybox:v1', 'busybox:latest'));
  assert.ok(matchesFamiliar('localhost:5000/*/*', 'localhost:5000/a/b:v1'));
  assert.ok(!matchesFamiliar('busy', 'busybox:latest'));
});
