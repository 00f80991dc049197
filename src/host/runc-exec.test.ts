// runcError: how a direct exec tells runc's own failure (its JSON log) from the process's exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runcError } from './runc-exec.js';

test('runcError: the last error entry of runc\'s JSON log is the failure', () => {
  const log = [
    '{"level":"warning","msg":"something harmless","time":"2026-12-04T07:33:55Z"}',
    '{"level":"error","msg":"exec failed: unable to start container process: exec: \\"nonexist\\": executable file not found in $PATH","time":"2026-12-04T07:33:55Z"}',
    '',
  ].join('\n');
  assert.equal(runcError(log), 'exec failed: unable to start container process: exec: "nonexist": executable file not found in $PATH');
});

test('runcError: no error entry (warnings only, nothing, or garbage) is no failure', () => {
  assert.equal(runcError(''), null);
  assert.equal(runcError('{"level":"warning","msg":"w"}\n'), null);
  assert.equal(runcError('not json\n{"level":"info","msg":"i"}'), null);
});
