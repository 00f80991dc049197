import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCreateBody } from './create-body.js';

test('wrong types are 400s in the Go decoder words; strings become one-element Cmd', () => {
  assert.throws(() => checkCreateBody({ Image: 5 }), /^InvalidParameterError: json: cannot unmarshal number into Go struct field ContainerConfigWrapper\.Image of type string$/);
  assert.throws(() => checkCreateBody({ Image: 'x', HostConfig: { Memory: '64m' } }), /HostConfig\.Memory of type int64/);
  assert.throws(() => checkCreateBody({ Env: [1] }), /Env of type string$/); // Go names the element's type
  assert.throws(() => checkCreateBody([]), /cannot unmarshal array/);
  assert.deepEqual(checkCreateBody({ Image: 'x', Cmd: 'sh', Unknown: 1 }).Cmd, ['sh']);
});
