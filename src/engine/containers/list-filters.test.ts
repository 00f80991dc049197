import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesListFilters, validateListFilters } from './list-filters.js';
import { ZERO_TIME, type ContainerRecord } from './container-model.js';

const c = {
  id: 'abcdef0123',
  name: 'web_1',
  image: 'sha256:1111',
  imageRef: 'busybox',
  config: { Labels: { app: 'web', tier: 'front' } },
  hostConfig: { NetworkMode: 'default' },
  mounts: [],
  state: { status: 'exited', exitCode: 3, pid: 0, conmonPid: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
} as unknown as ContainerRecord;

test('each key must match, values of a key are alternatives', () => {
  assert.equal(matchesListFilters(c, { id: ['abc'], name: ['web'] }, null, false), true);
  assert.equal(matchesListFilters(c, { name: ['^/web_1$'] }, null, false), true);
  assert.equal(matchesListFilters(c, { name: ['db'] }, null, false), false);
  assert.equal(matchesListFilters(c, { status: ['running', 'exited'] }, null, false), true);
  assert.equal(matchesListFilters(c, { status: ['exited'] }, null, true), false);
  assert.equal(matchesListFilters(c, { exited: ['3'] }, null, false), true);
  assert.equal(matchesListFilters(c, { exited: ['0'] }, null, false), false);
  assert.equal(matchesListFilters(c, { label: ['app=web', 'tier'] }, null, false), true);
  assert.equal(matchesListFilters(c, { label: ['app=web', 'tier=back'] }, null, false), false);
  assert.equal(matchesListFilters(c, {}, new Set(['busybox']), false), true);
  assert.equal(matchesListFilters(c, {}, new Set(['alpine']), false), false);
});

test('bad filters are 400s', () => {
  assert.throws(() => validateListFilters({ colour: ['x'] }), /invalid filter 'colour'/);
  assert.throws(() => validateListFilters({ status: ['sleeping'] }), /invalid filter 'status=sleeping'/);
});
