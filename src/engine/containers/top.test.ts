import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePsOutput } from './top.js';

const ps = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root        4242    4200  0 10:01 ?        00:00:00 sleep 1000
root        4243    4242  0 10:01 pts/0    00:00:00 sh -c echo hi there
`;

test('keeps the container rows and the CMD column whole', () => {
  const r = parsePsOutput(ps, [4242, 4243]);
  assert.deepEqual(r.titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(r.processes, [
    ['root', '4242', '4200', '0', '10:01', '?', '00:00:00', 'sleep 1000'],
    ['root', '4243', '4242', '0', '10:01', 'pts/0', '00:00:00', 'sh -c echo hi there'],
  ]);
});

test('ps output without a PID column is refused', () => {
  assert.throws(() => parsePsOutput('USER COMMAND\nroot sh\n', [1]), /Couldn't find PID field in ps output/);
});
