/** Parsing /proc/PID/net/dev (pure, no root). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetDev } from '../../server/kernel/proc-net-dev';

const SAMPLE = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     336       4    0    0    0     0          0         0      336       4    0    0    0     0       0          0
 veth0: 18446744073709 12345    0    0    0     0          0         0     1096      14    0    0    0     0       0          0
longname-15byte:123 2 0 0 0 0 0 0 456 3 0 0 0 0 0 0
`;

test('each interface with its bytes and packets each way; a long name touches its colon', () => {
  assert.deepEqual(parseNetDev(SAMPLE), [
    { ifname: 'lo', rxBytes: 336, rxPackets: 4, txBytes: 336, txPackets: 4 },
    { ifname: 'veth0', rxBytes: 18446744073709, rxPackets: 12345, txBytes: 1096, txPackets: 14 },
    { ifname: 'longname-15byte', rxBytes: 123, rxPackets: 2, txBytes: 456, txPackets: 3 },
  ]);
});

test('headers, blank and broken lines are skipped', () => {
  assert.deepEqual(parseNetDev(''), []);
  assert.deepEqual(parseNetDev('Inter-|   Receive\n face |bytes\n  eth0: 1 2 3\n  x: a b c d e f g h i j k\n'), []);
});
