import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLogBounds, logPathShown, mergeLogConfig, validateLogConfig } from './log-drivers.js';

const daemon = { type: 'json-file', opts: { 'max-size': '1k', 'cache-disabled': 'true' } };

test('mergeLogConfig: the daemon driver when none is named; its options only into its own driver; cache options always', () => {
  assert.deepEqual(mergeLogConfig(undefined, daemon), { Type: 'json-file', Config: { 'max-size': '1k', 'cache-disabled': 'true' } });
  assert.deepEqual(mergeLogConfig({ Type: 'json-file', Config: { 'max-size': '5k' } }, daemon), { Type: 'json-file', Config: { 'max-size': '5k', 'cache-disabled': 'true' } });
  assert.deepEqual(mergeLogConfig({ Type: 'local' }, daemon), { Type: 'local', Config: { 'cache-disabled': 'true' } });
});

test('validateLogConfig: each driver\'s options in Docker\'s words; none takes anything', () => {
  assert.throws(() => validateLogConfig('gelf', {}), /error looking up logging plugin gelf: plugin "gelf" not found/);
  assert.throws(() => validateLogConfig('json-file', { foo: '1' }), { message: "unknown log opt 'foo' for json-file log driver" });
  assert.throws(() => validateLogConfig('local', { labels: 'a' }), { message: "unknown log opt 'labels' for log driver local" });
  assert.throws(() => validateLogConfig('json-file', { 'cache-disabled': 'maybe' }), /invalid value for option cache-disabled: maybe/);
  validateLogConfig('none', { anything: 'goes' });
  validateLogConfig('json-file', { 'max-size': '1m', 'labels-regex': 'x', mode: 'non-blocking', 'max-buffer-size': '4m' });
});

test('LogPath shown for json-file and k8s-file; local keeps Docker\'s defaults', () => {
  assert.deepEqual(['json-file', 'k8s-file', 'local', 'none'].map(logPathShown), [true, true, false, false]);
  assert.deepEqual(defaultLogBounds('local'), { maxSize: 20 * 1024 * 1024, maxFile: 5 });
});
