/** Telling a real change of the lab from packets being counted (pure, no root). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameButCounters } from '../../server/engine/lab';
import type { Topology } from '../../server/model/topology';

function lab(): Topology {
  return {
    name: 'l',
    nodes: {
      a: { kind: 'netns', interfaces: { veth0: { addresses: ['10.0.1.1/24'], up: true, stats: { rxPackets: 1, txPackets: 1, rxBytes: 90, txBytes: 90 } } }, routes: [{ to: '10.9.0.0/24', via: '10.0.1.2' }], kernelRoutes: [{ to: '10.0.1.0/24', dev: 'veth0' }], position: { x: 1, y: 2 } },
      b: { kind: 'netns', interfaces: { veth1: { addresses: ['10.0.1.2/24'], up: true } }, routes: [] },
    },
    links: [{ endpoints: [{ node: 'a', iface: 'veth0' }, { node: 'b', iface: 'veth1' }] }],
  };
}

test('counters alone are no change; anything else is', () => {
  const counted = lab();
  counted.nodes.a.interfaces.veth0.stats!.rxPackets = 99;
  assert.equal(sameButCounters(lab(), counted), true);
  const changes: ((t: Topology) => void)[] = [
    (t) => (t.nodes.a.interfaces.veth0.up = false),
    (t) => t.nodes.a.routes.push({ to: '10.8.0.0/24', via: '10.0.1.2' }),
    (t) => (t.nodes.a.kernelRoutes = []),
    (t) => (t.nodes.a.position = { x: 5, y: 2 }),
    (t) => (t.nodes.a.forwarding = true),
    (t) => (t.links[0].endpoints[1].iface = 'veth9'),
    (t) => (t.dangling = [{ endpoint: { node: 'a', iface: 'stray0' }, peer: 'elsewhere' }]),
    (t) => delete t.nodes.b,
    (t) => (t.name = 'other'),
  ];
  for (const [i, change] of changes.entries()) {
    const t = lab();
    change(t);
    assert.equal(sameButCounters(lab(), t), false, `change ${i}`);
  }
});
