/** Pure parts of the capture path: what a scope taps, the ring's bounds, sampling, the direction of a frame. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveScope } from '../../server/capture/capture-scope';
import { PacketRing, ENTRY_OVERHEAD_BYTES } from '../../server/capture/packet-ring';
import { sample } from '../../server/capture/sampler';
import { directionOf } from '../../server/capture/packet-view';
import { checkCaptureFilter } from '../../server/capture/capture-filter';
import type { Topology } from '../../server/model/topology';
import { ethernet, arp } from './frames';

const iface = (mac?: string) => ({ addresses: [], up: true, ...(mac ? { mac } : {}) });
const topo: Topology = {
  name: 't',
  nodes: {
    ns1: { kind: 'netns', interfaces: { lo: iface(), veth0: iface('aa:00:00:00:00:01') }, routes: [] },
    r1: { kind: 'router', interfaces: { lo: iface(), veth1: iface(), veth2: iface() }, routes: [] },
    br0: { kind: 'bridge', interfaces: { br0: iface(), veth3: iface(), veth5: iface() }, routes: [] },
    br1: { kind: 'bridge', interfaces: { br1: iface(), veth6: iface() }, routes: [] },
    host: { kind: 'host', interfaces: { veth4: iface() }, routes: [] },
  },
  links: [
    { endpoints: [{ node: 'ns1', iface: 'veth0' }, { node: 'r1', iface: 'veth1' }] },
    { endpoints: [{ node: 'br0', iface: 'veth3' }, { node: 'r1', iface: 'veth2' }] },
    { endpoints: [{ node: 'br0', iface: 'veth5' }, { node: 'br1', iface: 'veth6' }] },
  ],
};

test('a cable is tapped once, at the end that is not a switch port; between two switches through the cooked device', () => {
  const [a] = resolveScope(topo, { link: 'ns1:veth0 <-> r1:veth1' });
  assert.deepEqual([a.key, a.namespace, a.mac, a.peer, a.cooked], ['ns1:veth0', 'ns1', 'aa:00:00:00:00:01', { node: 'r1', iface: 'veth1' }, false]);
  const [b] = resolveScope(topo, { link: 'br0:veth3 <-> r1:veth2' });
  assert.equal(b.key, 'r1:veth2', 'the router end, not the switch port');
  const [c] = resolveScope(topo, { link: 'br0:veth5 <-> br1:veth6' });
  assert.equal(c.cooked, true);
  assert.equal(c.namespace, undefined, 'switch ports are in the lab machine itself');
});

test("a node's scope is every cable it has (not lo, not a switch's own device), tapped where its cables are tapped", () => {
  assert.deepEqual(resolveScope(topo, { node: 'r1' }).map((t) => t.key), ['ns1:veth0', 'r1:veth2']);
  assert.deepEqual(resolveScope(topo, { node: 'br0' }).map((t) => t.key), ['r1:veth2', 'br0:veth5']);
  assert.deepEqual(resolveScope(topo, { node: 'ns1', iface: 'lo' }).map((t) => [t.key, t.link]), [['ns1:lo', undefined]]);
  assert.equal(resolveScope(topo, { node: 'host', iface: 'veth4' })[0].namespace, undefined);
  assert.deepEqual(resolveScope(topo, { node: 'gone' }), []);
  assert.deepEqual(resolveScope(topo, { node: 'constructor' }), []);
  assert.deepEqual(resolveScope(topo, { node: 'ns1', iface: 'nope' }), []);
  assert.deepEqual(resolveScope(topo, { link: 'ns1:veth0 <-> nowhere:x' }), []);
});

test('the direction of an Ethernet frame is told by its source: the tapped end sent what carries its own MAC', () => {
  const [tap] = resolveScope(topo, { link: 'ns1:veth0 <-> r1:veth1' });
  const out = ethernet('ff:ff:ff:ff:ff:ff', 'aa:00:00:00:00:01', 0x0806, arp(1, 'aa:00:00:00:00:01', '10.0.1.0', '00:00:00:00:00:00', '10.0.1.1'));
  const inn = ethernet('aa:00:00:00:00:01', 'aa:00:00:00:00:02', 0x0806, arp(2, 'aa:00:00:00:00:02', '10.0.1.1', 'aa:00:00:00:00:01', '10.0.1.0'));
  assert.equal(directionOf(tap, 1, out), 'out');
  assert.equal(directionOf(tap, 1, inn), 'in');
  const cooked = Buffer.alloc(20);
  cooked[10] = 4;
  assert.equal(directionOf(tap, 276, cooked), 'out');
  cooked[10] = 0;
  assert.equal(directionOf(tap, 276, cooked), 'in');
});

test('the ring keeps the newest within its count and bytes, and finds packets by id', () => {
  const entry = (id: number, bytes = 100) => ({ id, time: id, length: bytes, data: Buffer.alloc(bytes), direction: 'in' as const, linkType: 1 });
  const ring = new PacketRing(1000, 10 * (100 + ENTRY_OVERHEAD_BYTES));
  for (let id = 1; id <= 5000; id++) ring.push(entry(id));
  assert.equal(ring.size, 10);
  assert.equal(ring.usedBytes, 10 * (100 + ENTRY_OVERHEAD_BYTES));
  assert.equal(ring.get(4990), undefined);
  assert.equal(ring.get(4991)?.id, 4991);
  assert.equal(ring.get(5000)?.id, 5000);
  assert.deepEqual(ring.since(4998, 100).map((e) => e.id), [4998, 4999, 5000]);
  assert.deepEqual(ring.since(0, 2).map((e) => e.id), [4999, 5000]);
  const counted = new PacketRing(3, 1e9);
  for (let id = 1; id <= 10; id++) counted.push(entry(id));
  assert.deepEqual(counted.since(0, 10).map((e) => e.id), [8, 9, 10]);
});

test('sampling keeps everything under the budget and 1 in N, evenly, over it', () => {
  assert.deepEqual(sample([1, 2, 3], 10), { kept: [1, 2, 3], seen: 3, every: 1 });
  const s = sample(Array.from({ length: 1000 }, (_, i) => i), 10);
  assert.equal(s.every, 100);
  assert.equal(s.seen, 1000);
  assert.deepEqual(s.kept, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
});

test('a capture expression is checked by tcpdump before any capture uses it', async () => {
  assert.equal(await checkCaptureFilter('icmp or arp'), undefined);
  assert.equal(await checkCaptureFilter('host 10.0.1.1 and not port 22'), undefined);
  assert.equal(await checkCaptureFilter(''), undefined);
  assert.match((await checkCaptureFilter('icmp oor arp'))!, /not valid: can't parse filter expression: syntax error/);
  assert.match((await checkCaptureFilter('icmp`reboot`'))!, /character/);
  assert.match((await checkCaptureFilter('x'.repeat(300)))!, /at most 256/);
});
