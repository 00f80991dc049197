import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTimestamp, parseGoDuration } from './timestamp.js';

test('Go durations', () => {
  assert.equal(parseGoDuration('42m'), 42 * 60e9);
  assert.equal(parseGoDuration('1h30m'), 5400e9);
  assert.equal(parseGoDuration('1.5s'), 1.5e9);
  assert.equal(parseGoDuration('300ms'), 300e6);
  assert.equal(parseGoDuration('abc'), null);
  assert.equal(parseGoDuration('2013-01-02'), null);
});

test('relative, absolute and unix timestamps', () => {
  const now = Date.parse('2024-01-01T00:10:00Z');
  assert.equal(getTimestamp('10m', now), String(Date.parse('2024-01-01T00:00:00Z') / 1000));
  assert.equal(getTimestamp('2013-01-02T13:23:37Z', now), '1357133017.000000000');
  assert.equal(getTimestamp('2013-01-02T13:23:37.5Z', now), '1357133017.500000000');
  assert.equal(getTimestamp('1357133017', now), '1357133017');
  assert.equal(getTimestamp('1357133017.123', now), '1357133017.123');
  assert.throws(() => getTimestamp('yesterday', now), /failed to parse value as time or duration/);
});
