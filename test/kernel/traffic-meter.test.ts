/** Traffic rates: the arithmetic (pure), then a real meter over a ping between the test's own namespaces (root). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rates, worthSending, TrafficMeter, type CounterSample } from '../../server/kernel/traffic-meter';
import { NamespaceReaders } from '../../server/kernel/namespace-readers';
import type { TrafficRate } from '../../server/protocol';
import { ping, randomSuffix, removeAll } from '../support/kernel';
import { until } from '../support/wait';

function sample(node: string, iface: string, t: number, rxPackets: number, txPackets: number, rxBytes: number, txBytes: number): [string, CounterSample] {
  return [`${node}:${iface}`, { node, iface, t, rxPackets, txPackets, rxBytes, txBytes }];
}

const rateCases: { name: string; prev: [string, CounterSample][]; now: [string, CounterSample][]; expect: TrafficRate[] }[] = [
  {
    name: 'one second apart: the differences',
    prev: [sample('a', 'x', 1000, 10, 20, 1000, 2000)],
    now: [sample('a', 'x', 2000, 15, 30, 1500, 4000)],
    expect: [{ node: 'a', iface: 'x', rxPps: 5, txPps: 10, rxBps: 500, txBps: 2000, rxPackets: 15, txPackets: 30 }],
  },
  {
    name: 'half a second apart: doubled to per second',
    prev: [sample('a', 'x', 0, 0, 0, 0, 0)],
    now: [sample('a', 'x', 500, 1, 2, 100, 200)],
    expect: [{ node: 'a', iface: 'x', rxPps: 2, txPps: 4, rxBps: 200, txBps: 400, rxPackets: 1, txPackets: 2 }],
  },
  {
    name: 'no traffic: zeros',
    prev: [sample('a', 'x', 0, 7, 7, 700, 700)],
    now: [sample('a', 'x', 1000, 7, 7, 700, 700)],
    expect: [{ node: 'a', iface: 'x', rxPps: 0, txPps: 0, rxBps: 0, txBps: 0, rxPackets: 7, txPackets: 7 }],
  },
  {
    name: 'a counter went backwards (interface re-created): skipped',
    prev: [sample('a', 'x', 0, 100, 100, 10000, 10000)],
    now: [sample('a', 'x', 1000, 3, 150, 300, 15000)],
    expect: [],
  },
  {
    name: 'new and vanished interfaces have no rate yet / any more',
    prev: [sample('a', 'gone', 0, 1, 1, 1, 1)],
    now: [sample('a', 'new', 1000, 5, 5, 5, 5)],
    expect: [],
  },
  {
    name: 'no time passed: skipped rather than divided by zero',
    prev: [sample('a', 'x', 1000, 1, 1, 1, 1)],
    now: [sample('a', 'x', 1000, 2, 2, 2, 2)],
    expect: [],
  },
  {
    name: 'sorted by node and interface',
    prev: [sample('b', 'y', 0, 0, 0, 0, 0), sample('a', 'z', 0, 0, 0, 0, 0), sample('a', 'x', 0, 0, 0, 0, 0)],
    now: [sample('b', 'y', 1000, 1, 0, 0, 0), sample('a', 'z', 1000, 0, 1, 0, 0), sample('a', 'x', 1000, 0, 0, 1, 0)],
    expect: [
      { node: 'a', iface: 'x', rxPps: 0, txPps: 0, rxBps: 1, txBps: 0, rxPackets: 0, txPackets: 0 },
      { node: 'a', iface: 'z', rxPps: 0, txPps: 1, rxBps: 0, txBps: 0, rxPackets: 0, txPackets: 1 },
      { node: 'b', iface: 'y', rxPps: 1, txPps: 0, rxBps: 0, txBps: 0, rxPackets: 1, txPackets: 0 },
    ],
  },
];

for (const c of rateCases) {
  test(`rates: ${c.name}`, () => {
    assert.deepEqual(rates(new Map(c.prev), new Map(c.now)), c.expect);
  });
}

test('worthSending: busy ones, and ones that just went idle, once', () => {
  const r = (iface: string, pps: number): TrafficRate => ({ node: 'a', iface, rxPps: pps, txPps: 0, rxBps: pps * 100, txBps: 0 });
  const first = worthSending([r('busy', 3), r('idle', 0), r('stopping', 2)], new Set());
  assert.deepEqual(first.send.map((x) => x.iface), ['busy', 'stopping']);
  const second = worthSending([r('busy', 3), r('idle', 0), r('stopping', 0)], first.busy);
  assert.deepEqual(second.send.map((x) => x.iface), ['busy', 'stopping']);
  assert.equal(second.send[1].rxPps, 0, 'the zero that clears the edge');
  const third = worthSending([r('busy', 0), r('idle', 0), r('stopping', 0)], second.busy);
  assert.deepEqual(third.send.map((x) => x.iface), ['busy']);
  assert.deepEqual(worthSending([r('busy', 0)], third.busy).send, [], 'an idle lab sends nothing');
});

describe('TrafficMeter (root)', () => {
  const id = randomSuffix();
  const a = `vlt${id}a`;
  const b = `vlt${id}b`;
  const readers = new NamespaceReaders();
  const meter = new TrafficMeter(readers, 250);

  before(() => {
    for (const n of [a, b]) execFileSync('ip', ['netns', 'add', n]);
    execFileSync('ip', ['link', 'add', 'name', 'ta', 'netns', a, 'type', 'veth', 'peer', 'name', 'tb', 'netns', b]);
    execFileSync('ip', ['-n', a, '-batch', '-'], { input: 'addr add 10.235.0.1/24 dev ta\nlink set ta up\n' });
    execFileSync('ip', ['-n', b, '-batch', '-'], { input: 'addr add 10.235.0.2/24 dev tb\nlink set tb up\n' });
  });

  after(async () => {
    await meter.stop();
    await readers.closeAll();
    removeAll([a, b]);
  });

  test('a ping between two namespaces shows on both ends, then stops showing', async () => {
    const seen: TrafficRate[][] = [];
    meter.on('rates', (r) => seen.push(r));
    meter.start(() => [a, b, `vlt${id}missing`]);
    await ping(a, '10.235.0.2', 5);
    const ours = () => seen.flat().filter((r) => r.node === a || r.node === b);
    const last = (node: string) => ours().filter((r) => r.node === node).at(-1);
    const idle = (r?: TrafficRate) => r !== undefined && r.rxPps + r.txPps === 0;
    // Neighbour discovery may go on a moment after the ping; wait for the zero that ends it.
    await until('the zero rates that end the ping on both ends', () => idle(last(a)) && idle(last(b)), { timeoutMs: 5000, everyMs: 50 });
    await meter.stop();
    const all = ours();
    const busy = (node: string, iface: string) => all.some((r) => r.node === node && r.iface === iface && r.txPps > 0 && r.rxPps > 0 && r.txBps > 0 && r.rxBps > 0);
    assert.ok(busy(a, 'ta'), `a:ta busy in ${JSON.stringify(all)}`);
    assert.ok(busy(b, 'tb'), `b:tb busy in ${JSON.stringify(all)}`);
    assert.ok(idle(last(a)) && idle(last(b)), 'ended with a zero once the traffic stopped');
    assert.ok(!all.some((r) => r.iface === 'lo'), 'loopback is not metered');
    // Each ping sends 84-byte IP packets (98 on the wire); the rates stay in that range.
    for (const r of all) if (r.txPps > 0) assert.ok(r.txBps / r.txPps > 40 && r.txBps / r.txPps < 200, JSON.stringify(r));
  });
});
