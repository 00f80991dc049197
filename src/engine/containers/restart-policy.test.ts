import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKOFF_MAX_MS, nextBackoff, restartsAtDaemonStart, shouldRestart, validateRestartPolicy } from './restart-policy.js';

test('policies are checked as Docker checks them', () => {
  for (const ok of [undefined, { Name: '' }, { Name: 'no' }, { Name: 'always' }, { Name: 'unless-stopped' }, { Name: 'on-failure' }, { Name: 'on-failure', MaximumRetryCount: 10 }]) validateRestartPolicy(ok, false);
  assert.throws(() => validateRestartPolicy({ Name: 'sometimes' }, false), /invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'/);
  assert.throws(() => validateRestartPolicy({ Name: 'on-failure', MaximumRetryCount: -1 }, false), /maximum retry count cannot be negative/);
  assert.throws(() => validateRestartPolicy({ Name: 'always', MaximumRetryCount: 3 }, false), /can only be used with 'on-failure'/);
  assert.throws(() => validateRestartPolicy({ Name: 'always' }, true), /can't create 'AutoRemove' container with restart policy/);
  validateRestartPolicy({ Name: 'no' }, true);
});

test('which exits restart: always and unless-stopped any, on-failure failures with retries left, none after a manual stop', () => {
  const f = (exitCode: number, restartCount = 0, manuallyStopped = false) => ({ exitCode, restartCount, manuallyStopped });
  assert.equal(shouldRestart({ Name: 'always' }, f(0)), true);
  assert.equal(shouldRestart({ Name: 'unless-stopped' }, f(0)), true);
  assert.equal(shouldRestart({ Name: 'always' }, f(0, 0, true)), false);
  assert.equal(shouldRestart({ Name: 'on-failure' }, f(0)), false);
  assert.equal(shouldRestart({ Name: 'on-failure' }, f(1, 500)), true, 'no maximum: for ever');
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 10 }, f(1, 9)), true);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 10 }, f(1, 10)), false);
  assert.equal(shouldRestart({ Name: 'no' }, f(1)), false);
  assert.equal(shouldRestart(undefined, f(1)), false);
});

test('at a daemon start: always even after a manual stop, unless-stopped only if not stopped by hand, never a container that never ran', () => {
  const f = (manuallyStopped: boolean, everStarted = true) => ({ exitCode: 0, restartCount: 0, manuallyStopped, everStarted });
  assert.equal(restartsAtDaemonStart({ Name: 'always' }, f(true)), true);
  assert.equal(restartsAtDaemonStart({ Name: 'unless-stopped' }, f(true)), false);
  assert.equal(restartsAtDaemonStart({ Name: 'unless-stopped' }, f(false)), true);
  assert.equal(restartsAtDaemonStart({ Name: 'always' }, f(false, false)), false);
  assert.equal(restartsAtDaemonStart({ Name: 'on-failure' }, { ...f(false), exitCode: 2 }), true);
});

test('the back-off starts at 100 ms, doubles to one minute, and resets after a run of 10 s', () => {
  let d = nextBackoff(undefined, 5);
  const seen = [d];
  for (let i = 0; i < 12; i++) seen.push((d = nextBackoff(d, 5)));
  assert.deepEqual(seen.slice(0, 5), [100, 200, 400, 800, 1600]);
  assert.equal(seen.at(-1), BACKOFF_MAX_MS);
  assert.equal(nextBackoff(BACKOFF_MAX_MS, 10_000), 100);
});
