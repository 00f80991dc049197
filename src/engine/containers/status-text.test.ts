import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, statusText } from './status-text.js';
import { ZERO_TIME, type ContainerStateRecord } from './container-model.js';

const base: ContainerStateRecord = { status: 'created', pid: 0, conmonPid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME };
const now = Date.parse('2024-01-01T12:00:00Z');

test('humanDuration words', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(5_000), '5 seconds');
  assert.equal(humanDuration(61_000), 'About a minute');
  assert.equal(humanDuration(5 * 60_000), '5 minutes');
  assert.equal(humanDuration(3_600_000), 'About an hour');
  assert.equal(humanDuration(5 * 3_600_000), '5 hours');
  assert.equal(humanDuration(3 * 86_400_000), '3 days');
  assert.equal(humanDuration(21 * 86_400_000), '3 weeks');
  assert.equal(humanDuration(90 * 86_400_000), '3 months');
  assert.equal(humanDuration(3 * 365 * 86_400_000), '3 years');
});

test('status texts', () => {
  assert.equal(statusText(base, now), 'Created');
  assert.equal(statusText({ ...base, status: 'running', startedAt: '2024-01-01T11:59:55Z' }, now), 'Up 5 seconds');
  assert.equal(statusText({ ...base, status: 'paused', startedAt: '2024-01-01T11:00:00Z' }, now), 'Up About an hour (Paused)');
  assert.equal(statusText({ ...base, status: 'exited', exitCode: 3, startedAt: '2024-01-01T11:00:00Z', finishedAt: '2024-01-01T11:59:57Z' }, now), 'Exited (3) 3 seconds ago');
  // A start that failed leaves StartedAt zero: still "Created", as Docker shows it.
  assert.equal(statusText({ ...base, status: 'created', exitCode: 127, finishedAt: '2024-01-01T11:59:57Z' }, now), 'Created');
  assert.equal(statusText({ ...base, status: 'dead' }, now), 'Dead');
});
