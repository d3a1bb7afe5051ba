/** The traffic meters' shared read budget (pure, no root). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METER_READS_PER_SECOND, roundIntervalMs } from '../../server/kernel/traffic-meter';
import { until } from '../support/wait';

test('meters keep the base interval under the budget and space out past it', () => {
  assert.equal(roundIntervalMs(1000, 6), 1000, 'one small lab: every second');
  assert.equal(roundIntervalMs(1000, METER_READS_PER_SECOND), 1000);
  assert.equal(roundIntervalMs(1000, 240), 2400, '40 labs of 6 namespaces: every 2.4 s');
  assert.equal(roundIntervalMs(1000, 240, 240), 1000);
});

test('a quiet namespace is read every other round; one that starts carrying packets every round', async () => {
  const { TrafficMeter, QUIET_EVERY } = await import('../../server/kernel/traffic-meter');
  const perRound: number[] = [];
  let busy = false;
  let packets = 0;
  const fake = {
    counters: () => undefined,
    read: async () => {
      perRound[perRound.length - 1]++;
      if (busy) packets += 50; // 50 packets a round: far above the quiet line
      return [[{ ifindex: 2, ifname: 'veth0', flags: ['UP'], link_type: 'ether', stats64: { rx: { packets, bytes: packets * 100 }, tx: { packets, bytes: packets * 100 } } }]];
    },
  };
  const names = ['a', 'b', 'c', 'd'];
  assert.equal(names.length % QUIET_EVERY, 0, 'the same number of quiet reads every round');
  let round = 0;
  // Each call of the targets provider starts a round.
  const meter = new TrafficMeter(fake as never, 5);
  meter.start(() => {
    round++;
    perRound.push(0);
    return names;
  });
  const rounds = (n: number) => until(`${n} rounds`, () => round >= n, { everyMs: 5 });
  try {
    await rounds(8);
    const quiet = perRound.slice(2, 7);
    assert.ok(quiet.every((n) => n === Math.ceil(names.length / QUIET_EVERY)), `quiet reads per round: ${JSON.stringify(perRound)}`);
    busy = true;
    const from = round;
    await rounds(from + 8);
    const busyRounds = perRound.slice(from + 3, from + 7);
    assert.ok(busyRounds.every((n) => n === names.length), `busy reads per round: ${JSON.stringify(perRound.slice(from))}`);
  } finally {
    await meter.stop();
  }
});

test('a namespace whose reader runs is metered from /proc: no ip command', async () => {
  const { TrafficMeter } = await import('../../server/kernel/traffic-meter');
  let reads = 0;
  let counted = 0;
  const fake = {
    counters: () => [
      { ifname: 'lo', rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 },
      { ifname: 'veth0', rxBytes: (counted += 1000), rxPackets: counted / 100, txBytes: 0, txPackets: 0 },
    ],
    read: async () => {
      reads++;
      return [[]];
    },
  };
  const meter = new TrafficMeter(fake as never, 5);
  const seen: { node: string; iface: string; rxPps: number }[] = [];
  meter.on('rates', (r) => seen.push(...r));
  meter.start(() => ['a']);
  try {
    await until('a rate of veth0', () => seen.length > 0, { everyMs: 5 });
    assert.deepEqual(seen.map((r) => [r.node, r.iface]).slice(0, 1), [['a', 'veth0']], 'lo is left out');
    assert.equal(reads, 0);
  } finally {
    await meter.stop();
  }
});
