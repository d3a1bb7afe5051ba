/** Patches of a lab's state: what the server sends after a change instead of the whole lab (pure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTopologyPatch, TopologyDiffer } from '../../server/model/topology-patch';
import type { Topology } from '../../server/model/topology';
import { linearTopology } from '../bench/linear-topology';

const clone = (t: Topology): Topology => structuredClone(t);

test('the first state goes whole; then only the nodes that changed, and the patch makes the new state', () => {
  const d = new TopologyDiffer();
  const { topology: a, names } = linearTopology('p', 10);
  assert.equal(d.next(a), undefined);
  const b = clone(a);
  b.nodes[names[3]].interfaces.left.addresses = ['10.9.9.9/24'];
  const patch = d.next(b)!;
  assert.deepEqual(Object.keys(patch.nodes), [names[3]]);
  assert.equal(patch.rest, undefined);
  assert.equal(patch.order, undefined);
  assert.ok(JSON.stringify(patch).length < JSON.stringify(b).length / 5, 'a patch is much shorter than the state');
  assert.deepEqual(applyTopologyPatch(a, patch), b);
  assert.deepEqual(d.last(), b);
});

test('a node moved in place (the same object) is still seen to change', () => {
  const d = new TopologyDiffer();
  const { topology, names } = linearTopology('p', 4);
  d.next(topology);
  const before = clone(topology);
  topology.nodes[names[0]].position = { x: 5, y: 6 };
  const patch = d.next(topology)!;
  assert.deepEqual(Object.keys(patch.nodes), [names[0]]);
  assert.deepEqual(applyTopologyPatch(before, patch), topology);
});

test('nodes that come and go carry the order; the rest (cables, name, dangling ends) goes when it changes', () => {
  const d = new TopologyDiffer();
  const { topology: a, names } = linearTopology('p', 6);
  d.next(a);
  const b = clone(a);
  delete b.nodes[names[5]];
  b.links = b.links.filter((l) => l.endpoints.every((e) => e.node !== names[5]));
  delete b.nodes[names[4]].interfaces.right;
  b.nodes = { [`${names[0]}x`]: { kind: 'netns', interfaces: {}, routes: [] }, ...b.nodes };
  b.name = 'renamed';
  const patch = d.next(b)!;
  assert.equal(patch.nodes[names[5]], null);
  assert.deepEqual(patch.order, Object.keys(b.nodes));
  assert.deepEqual(patch.rest, { name: 'renamed', links: b.links });
  const c = clone(b);
  c.dangling = [{ endpoint: { node: names[0], iface: 'stray0' }, peer: 'elsewhere' }] as Topology['dangling'];
  const dangling = d.next(c)!;
  assert.deepEqual(dangling.nodes, {});
  assert.deepEqual(applyTopologyPatch(b, dangling), c, 'a dangling end alone is a change too');
  const made = applyTopologyPatch(a, patch);
  assert.deepEqual(made, b);
  assert.deepEqual(Object.keys(made.nodes), Object.keys(b.nodes), 'in the server\'s order');
});

test('when most nodes changed, the whole state goes instead', () => {
  const d = new TopologyDiffer();
  const { topology: a, names } = linearTopology('p', 6);
  d.next(a);
  const b = clone(a);
  for (const n of names.slice(0, 4)) b.nodes[n].routes = [{ to: '10.77.0.0/16', dev: 'lo' }];
  assert.equal(d.next(b), undefined);
  assert.deepEqual(d.last(), b);
});

test('a run of edits: the patches, applied in turn, give every state', () => {
  const d = new TopologyDiffer();
  let shown = clone(linearTopology('p', 8).topology);
  let server = clone(shown);
  d.next(server);
  for (let i = 0; i < 30; i++) {
    server = clone(server);
    const names = Object.keys(server.nodes);
    const node = server.nodes[names[(i * 5) % names.length]];
    if (i % 3 === 0) node.position = { x: i, y: i * 2 };
    else if (i % 3 === 1) node.forwarding = i % 2 === 0;
    else server.nodes[`extra${i}`] = { kind: 'netns', interfaces: {}, routes: [] };
    const patch = d.next(server);
    shown = patch ? applyTopologyPatch(shown, patch) : clone(server);
    assert.deepEqual(shown, server, `after edit ${i}`);
  }
});

test('a node built again from the same frozen parts is unchanged; one with new parts is compared by its text', () => {
  const d = new TopologyDiffer();
  const parts = Object.freeze({ lo: Object.freeze({ addresses: Object.freeze([]) as unknown as string[], up: true }) });
  const routes = Object.freeze([]) as unknown as [];
  const build = (position: { x: number; y: number }, interfaces: Topology['nodes'][string]['interfaces'] = parts): Topology => ({
    name: 'l',
    nodes: { a: { kind: 'netns', interfaces, routes, position }, b: { kind: 'netns', interfaces: { lo: { addresses: [], up: true } }, routes: [] } },
    links: [],
  });
  d.next(build({ x: 1, y: 1 }));
  assert.deepEqual(d.next(build({ x: 1, y: 1 }))!.nodes, {}, 'nothing changed');
  assert.deepEqual(Object.keys(d.next(build({ x: 2, y: 1 }))!.nodes), ['a'], 'a new position in a rebuilt node');
  assert.deepEqual(d.next(build({ x: 2, y: 1 }, { lo: { addresses: [], up: true } }))!.nodes, {}, 'equal new parts');
  assert.deepEqual(Object.keys(d.next(build({ x: 2, y: 1 }, { lo: { addresses: [], up: false } }))!.nodes), ['a'], 'changed new parts');
});

test('a node sent, then changed in place without being sent, then built again with that change, still goes out', () => {
  const d = new TopologyDiffer();
  const interfaces = Object.freeze({ lo: Object.freeze({ addresses: Object.freeze([]) as unknown as string[], up: true }) });
  const routes = Object.freeze([]) as unknown as [];
  const other = { kind: 'netns' as const, interfaces: { lo: { addresses: [], up: true } }, routes: [] };
  const first: Topology = { name: 'l', nodes: { a: { kind: 'netns', interfaces, routes, position: { x: 1, y: 1 } }, b: other, c: structuredClone(other) }, links: [] };
  d.next(first);
  first.nodes.a.position = { x: 9, y: 9 }; // changed in place, not sent
  const again: Topology = { name: 'l', nodes: { a: { kind: 'netns', interfaces, routes, position: { x: 9, y: 9 } }, b: other, c: structuredClone(other) }, links: [] };
  assert.deepEqual(d.next(again)!.nodes, { a: again.nodes.a });
});
