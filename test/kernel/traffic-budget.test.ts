/** The traffic meters' shared read budget (pure, no root). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METER_READS_PER_SECOND, roundIntervalMs } from '../../server/kernel/traffic-meter';

test('meters keep the base interval under the budget and space out past it', () => {
  assert.equal(roundIntervalMs(1000, 6), 1000, 'one small lab: every second');
  assert.equal(roundIntervalMs(1000, METER_READS_PER_SECOND), 1000);
  assert.equal(roundIntervalMs(1000, 240), 2400, '40 labs of 6 namespaces: every 2.4 s');
  assert.equal(roundIntervalMs(1000, 240, 240), 1000);
});
