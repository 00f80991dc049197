import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolFilter, labelMatches, untilTime } from './filter-values.js';

test('until: Unix seconds, RFC 3339, Go durations back from now; junk is null', () => {
  const now = Date.parse('2026-12-04T10:00:00Z');
  assert.equal(untilTime('1700000000', now), 1_700_000_000_000);
  assert.equal(untilTime('1700000000.5', now), 1_700_000_000_500);
  assert.equal(untilTime('2026-12-01T00:00:00Z', now), Date.parse('2026-12-01T00:00:00Z'));
  assert.equal(untilTime('10m', now), now - 600_000);
  assert.equal(untilTime('24h', now), now - 86_400_000);
  assert.equal(untilTime('1.5h', now), now - 5_400_000);
  assert.equal(untilTime('30s', now), now - 30_000);
  assert.equal(untilTime('yesterday', now), null);
  assert.equal(untilTime('10d', now), null, 'days are not a Go duration unit');
});

test('label filters: presence, exact value, an empty value', () => {
  const labels = { tier: 'web', empty: '' };
  assert.equal(labelMatches(labels, 'tier'), true);
  assert.equal(labelMatches(labels, 'tier=web'), true);
  assert.equal(labelMatches(labels, 'tier=db'), false);
  assert.equal(labelMatches(labels, 'empty='), true);
  assert.equal(labelMatches(labels, 'missing'), false);
  assert.equal(labelMatches(labels, 'a=b=c'), false);
  assert.equal(labelMatches({ a: 'b=c' }, 'a=b=c'), true, 'the value may hold =');
});

test('boolean filters: the last value counts, anything but true/1/false/0 refused in Docker\'s words', () => {
  assert.equal(boolFilter('dangling', ['false', 'true']), true);
  assert.equal(boolFilter('dangling', ['1']), true);
  assert.equal(boolFilter('dangling', ['0']), false);
  assert.equal(boolFilter('dangling', ['FALSE']), false);
  assert.throws(() => boolFilter('dangling', ['yes']), /^Error: Invalid filter 'dangling=yes'$|Invalid filter 'dangling=yes'/);
});
