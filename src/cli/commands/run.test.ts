import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFailure } from './run.js';
import { ApiError } from '../../client/api-error.js';

test('docker maps start failures to 127 (not found), 126 (cannot execute), else 125', () => {
  const nf = runFailure(new ApiError(400, 'failed to create task: exec: "nope": executable file not found in $PATH: unknown'));
  assert.equal(nf.status, 127);
  assert.equal(nf.message, `berth: Error response from daemon: failed to create task: exec: "nope": executable file not found in $PATH: unknown\n\nRun 'berth run --help' for more information`);
  assert.equal(runFailure(new ApiError(400, 'exec: "/etc/passwd": permission denied: unknown')).status, 126);
  assert.equal(runFailure(new ApiError(409, 'Conflict. The container name "/x" is already in use')).status, 125);
  assert.equal(runFailure(new ApiError(404, 'No such image: nope:v9')).status, 125);
});
