import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goRfc3339, goRfc3339Nano9, goTimeString } from './go-time.js';

test('Go time strings in UTC', { skip: new Date().getTimezoneOffset() !== 0 }, () => {
  assert.equal(goTimeString(1357133017), '2013-01-02 13:23:37 +0000 UTC');
  assert.equal(goRfc3339(1357133017), '2013-01-02T13:23:37Z');
  assert.equal(goRfc3339Nano9(1357133017000000042n), '2013-01-02T13:23:37.000000042Z');
});
