import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetDev } from './net-dev.js';

test('net/dev counters per interface, loopback and malformed lines left out', () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    1296      16    1    2    0     0          0         0      936      12    3    4    0     0       0          0
  bad: x y
`;
  assert.deepEqual(parseNetDev(text), { eth0: { rx_bytes: 1296, rx_packets: 16, rx_errors: 1, rx_dropped: 2, tx_bytes: 936, tx_packets: 12, tx_errors: 3, tx_dropped: 4 } });
});
