import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal } from './signals.js';

test('signal forms', () => {
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('term'), 15);
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal(2), 2);
  assert.equal(parseSignal('SIGRTMIN+3'), 37);
  assert.equal(parseSignal('SIGWINCH'), 28);
  assert.throws(() => parseSignal('SIGNOPE'), /^InvalidParameterError: Invalid signal: SIGNOPE$/);
  assert.throws(() => parseSignal('0'), /Invalid signal: 0/);
});
