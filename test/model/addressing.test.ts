/** One-click addressing of a cable: what a student would pick. Pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdit } from '../../server/model/edits';
import { parseTopologyYaml } from '../../server/model/topology-file';
import type { Topology } from '../../server/model/topology';

function lab(text: string): Topology {
  const r = parseTopologyYaml(text, 't.yml');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.topology;
}

const address = (t: Topology, a: string, b: string) =>
  applyEdit(t, { op: 'address-link', a: { node: a.split(':')[0], iface: a.split(':')[1] }, b: { node: b.split(':')[0], iface: b.split(':')[1] } });

test('two namespaces get the first free /24; two routers a /30', () => {
  const t = lab('name: x\nnodes: {a: {interfaces: {veth9: {addresses: [10.0.1.1/24]}}}, z: {}, b: {}, r1: {kind: router}, r2: {kind: router}}\nlinks: [{endpoints: [a:veth9, z:veth8]}, {endpoints: [a:veth0, b:veth1]}, {endpoints: [r1:veth2, r2:veth3]}]\n');
  const one = address(t, 'a:veth0', 'b:veth1');
  assert.ok(one.ok, !one.ok ? one.error : '');
  assert.deepEqual(one.topology.nodes.a.interfaces.veth0.addresses, ['10.0.2.1/24'], '10.0.1.0/24 is taken');
  assert.deepEqual(one.topology.nodes.b.interfaces.veth1.addresses, ['10.0.2.2/24']);
  const two = address(one.topology, 'r1:veth2', 'r2:veth3');
  assert.ok(two.ok);
  assert.deepEqual([two.topology.nodes.r1.interfaces.veth2.addresses, two.topology.nodes.r2.interfaces.veth3.addresses], [['10.0.3.1/30'], ['10.0.3.2/30']]);
  const half = address(t, 'a:veth9', 'z:veth8');
  assert.ok(half.ok);
  assert.deepEqual(half.topology.nodes.z.interfaces.veth8.addresses, ['10.0.1.2/24'], 'an end joins the subnet of its addressed peer');
  const full = address(half.topology, 'a:veth9', 'z:veth8');
  assert.ok(!full.ok);
  assert.match(full.error, /both ends already have IPv4 addresses/);
});

test('a cable to a switch gives the namespace the next address of the LAN', () => {
  const t = lab('name: x\nnodes: {br0: {kind: bridge}, a: {interfaces: {e0: {addresses: [10.0.7.1/24]}}}, b: {}, c: {}}\nlinks: [{endpoints: [a:e0, br0:p0]}, {endpoints: [b:e1, br0:p1]}, {endpoints: [br0:p2, c:e2]}]\n');
  const r = address(t, 'b:e1', 'br0:p1');
  assert.ok(r.ok);
  assert.deepEqual(r.topology.nodes.b.interfaces.e1.addresses, ['10.0.7.2/24']);
  assert.deepEqual(r.topology.nodes.br0.interfaces.p1.addresses, [], 'the port stays without an address');
  const r2 = address(r.topology, 'br0:p2', 'c:e2');
  assert.ok(r2.ok);
  assert.deepEqual(r2.topology.nodes.c.interfaces.e2.addresses, ['10.0.7.3/24']);
});
