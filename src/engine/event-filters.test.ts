import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesEventFilters, parseEventTime } from './event-filters.js';
import { EventBus } from './events.js';

test('event filters: AND across keys, OR within a key', () => {
  const bus = new EventBus(4);
  const e = bus.publish({ type: 'container', action: 'start', id: 'abc123', attributes: { name: 'web', image: 'busybox', 'com.x': 'y' } });
  assert.equal(matchesEventFilters(e, {}), true);
  assert.equal(matchesEventFilters(e, { type: ['container'], event: ['die', 'start'] }), true);
  assert.equal(matchesEventFilters(e, { type: ['image'] }), false);
  assert.equal(matchesEventFilters(e, { container: ['web'] }), true);
  assert.equal(matchesEventFilters(e, { container: ['abc'] }), true);
  assert.equal(matchesEventFilters(e, { container: ['other'] }), false);
  assert.equal(matchesEventFilters(e, { image: ['busybox'] }), true);
  assert.equal(matchesEventFilters(e, { label: ['com.x=y'] }), true);
  assert.equal(matchesEventFilters(e, { label: ['com.x=z'] }), false);
  assert.equal(matchesEventFilters(e, { label: ['com.x'] }), true);
  assert.throws(() => matchesEventFilters(e, { bogus: ['1'] }), /invalid filter 'bogus'/);
  const ex = bus.publish({ type: 'container', action: 'exec_start: sh -c true', id: 'abc123' });
  assert.equal(matchesEventFilters(ex, { event: ['exec_start'] }), true);
});

test('event bus keeps a bounded history and sets the legacy fields', () => {
  const bus = new EventBus(2);
  const seen: string[] = [];
  const off = bus.subscribe((m) => seen.push(m.Action));
  bus.publish({ type: 'image', action: 'tag', id: 'sha256:1' });
  bus.publish({ type: 'container', action: 'create', id: 'c1', attributes: { image: 'busybox' } });
  off();
  const last = bus.publish({ type: 'container', action: 'start', id: 'c1', attributes: { image: 'busybox' } });
  assert.deepEqual(seen, ['tag', 'create']);
  assert.equal(bus.history(0).length, 2);
  assert.equal(last.status, 'start');
  assert.equal(last.from, 'busybox');
  assert.ok(last.timeNano >= last.time * 1e9);
});

test('event times: unix seconds with fraction, RFC 3339, relative', () => {
  assert.equal(parseEventTime('1700000000', 0), 1700000000e9);
  assert.equal(parseEventTime('1700000000.5', 0), 1700000000e9 + 5e8);
  assert.equal(parseEventTime('2023-11-14T22:13:20Z', 0), 1700000000e9);
  assert.equal(parseEventTime('10s', 20_000), 10_000e6);
  assert.equal(parseEventTime(null, 0), null);
  assert.throws(() => parseEventTime('yesterday', 0), /failed to parse/);
});
