import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdit, desiredFromObserved, type EditContext, type EditResult } from '../../server/model/edits';
import { labEditSchema, type LabEdit } from '../../server/protocol';
import type { Topology } from '../../server/model/topology';

/**
 * What observe returns for a small lab: ns1 and ns2 cabled, the host cabled
 * to ns1, plus things the lab does not manage: a hand-made dummy in ns2, a
 * veth end whose peer is outside the lab, and a route through it.
 */
function observed(): Topology {
  const veth = (addresses: string[] = []) => ({ addresses, up: true, kind: 'veth', state: 'UP', mac: '02:00:00:00:00:01', stats: { rxPackets: 1, txPackets: 2, rxBytes: 3, txBytes: 4 } });
  return {
    name: 'lab',
    nodes: {
      ns1: {
        kind: 'netns',
        position: { x: 10, y: 20 },
        interfaces: { lo: { addresses: [], up: true, kind: 'loopback', state: 'UNKNOWN' }, eth0: veth(['10.0.1.1/24']), eth1: veth(['10.0.2.2/24']) },
        routes: [{ to: '10.0.9.0/24', via: '10.0.1.2', dev: 'eth0' }],
      },
      ns2: {
        kind: 'netns',
        interfaces: { lo: { addresses: [], up: true }, eth0: veth(['10.0.1.2/24']), dummy0: { addresses: ['10.9.0.1/24'], up: true, kind: 'dummy' }, stray: veth() },
        routes: [{ to: '10.8.0.0/24', dev: 'stray' }],
      },
      host: { kind: 'host', interfaces: { 'vl-ns1': veth(['10.0.2.1/24']) }, routes: [] },
    },
    links: [
      { endpoints: [{ node: 'host', iface: 'vl-ns1' }, { node: 'ns1', iface: 'eth1' }] },
      { endpoints: [{ node: 'ns1', iface: 'eth0' }, { node: 'ns2', iface: 'eth0' }] },
    ],
    dangling: [{ endpoint: { node: 'ns2', iface: 'stray' }, peer: 'unknown' }],
  };
}

const CTX: EditContext = { hostInterfaces: ['lo', 'eth0', 'vl-ns1', 'vl-ns2'], namespaces: ['ns1', 'ns2', 'ns3', 'other'] };

function edit(raw: unknown): LabEdit {
  return labEditSchema.parse(raw);
}

function ok(result: EditResult): Topology {
  if (!result.ok) assert.fail(`expected ok, got ${result.field}: ${result.error}`);
  return result.topology;
}

function links(t: Topology): string[] {
  return t.links.map((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`).sort().join(' <-> ')).sort();
}

test('the desired form of an observed topology drops what the lab does not manage', () => {
  const d = desiredFromObserved(observed());
  assert.deepEqual(Object.keys(d.nodes.ns2.interfaces).sort(), ['eth0', 'lo']);
  assert.deepEqual(d.nodes.ns2.routes, [], 'the route through the dropped interface goes with it');
  assert.deepEqual(d.nodes.ns1.interfaces.eth0, { addresses: ['10.0.1.1/24'], up: true });
  assert.equal(d.dangling, undefined);
  assert.deepEqual(d.nodes.ns1.position, { x: 10, y: 20 });
});

test('an edit that changes nothing validates the observed lab as it is', () => {
  const t = ok(applyEdit(observed(), edit({ op: 'move-nodes', positions: {} }), CTX));
  assert.deepEqual(links(t), ['host:vl-ns1 <-> ns1:eth1', 'ns1:eth0 <-> ns2:eth0']);
});

interface Case {
  name: string;
  edit: unknown;
  check: (t: Topology) => void;
  ctx?: EditContext;
}

const cases: Case[] = [
  {
    name: 'add-node picks the first name free in the lab and on the machine',
    edit: { op: 'add-node', kind: 'netns', position: { x: 1, y: 2 } },
    check: (t) => assert.deepEqual(t.nodes.ns4, { kind: 'netns', position: { x: 1, y: 2 }, interfaces: { lo: { addresses: [], up: true } }, routes: [] }),
  },
  {
    name: 'add-node keeps a given name',
    edit: { op: 'add-node', kind: 'netns', name: 'web' },
    check: (t) => assert.equal(t.nodes.web.kind, 'netns'),
  },
  {
    name: 'rename-node re-points the links and keeps interfaces, routes and position',
    edit: { op: 'rename-node', from: 'ns1', to: 'router' },
    check: (t) => {
      assert.equal(t.nodes.ns1, undefined);
      assert.deepEqual(t.nodes.router.position, { x: 10, y: 20 });
      assert.deepEqual(t.nodes.router.routes, [{ to: '10.0.9.0/24', via: '10.0.1.2', dev: 'eth0' }]);
      assert.deepEqual(links(t), ['host:vl-ns1 <-> router:eth1', 'ns2:eth0 <-> router:eth0']);
    },
  },
  {
    name: 'renaming the host changes only the diagram',
    edit: { op: 'rename-node', from: 'host', to: 'pc' },
    check: (t) => {
      assert.equal(t.nodes.pc.kind, 'host');
      assert.deepEqual(links(t), ['ns1:eth0 <-> ns2:eth0', 'ns1:eth1 <-> pc:vl-ns1']);
    },
  },
  {
    name: 'delete-node takes its links and the peer ends with it',
    edit: { op: 'delete-node', name: 'ns1' },
    check: (t) => {
      assert.deepEqual(Object.keys(t.nodes).sort(), ['host', 'ns2']);
      assert.deepEqual(t.links, []);
      assert.deepEqual(t.nodes.host.interfaces, {});
      assert.deepEqual(Object.keys(t.nodes.ns2.interfaces), ['lo']);
    },
  },
  {
    name: 'add-link names the ends veth0 and veth1, as the tutorials do',
    edit: { op: 'add-link', a: 'ns1', b: 'ns2' },
    check: (t) => {
      assert.ok(links(t).includes('ns1:veth0 <-> ns2:veth1'), links(t).join(', '));
      assert.deepEqual(t.nodes.ns1.interfaces.veth0, { addresses: [], up: true });
    },
  },
  {
    name: 'add-link between a namespace and itself gives two ends',
    edit: { op: 'add-link', a: 'ns2', b: 'ns2' },
    check: (t) => assert.ok(links(t).includes('ns2:veth0 <-> ns2:veth1'), links(t).join(', ')),
  },
  {
    name: "add-link takes the first vethN free in the whole lab, and on the machine for a host end",
    edit: { op: 'add-link', a: 'host', b: 'ns2' },
    ctx: { ...CTX, hostInterfaces: [...(CTX.hostInterfaces ?? []), 'veth0', 'veth2'] },
    check: (t) => assert.ok(links(t).includes('host:veth1 <-> ns2:veth3'), links(t).join(', ')),
  },
  {
    name: 'set-interface sets an MTU, and keeps the one there when it names none',
    edit: { op: 'set-interface', node: 'ns1', iface: 'eth0', addresses: ['10.0.1.1/24'], up: true, mtu: 1400 },
    check: (t) => {
      assert.equal(t.nodes.ns1.interfaces.eth0.mtu, 1400);
      const again = applyEdit(t, edit({ op: 'set-interface', node: 'ns1', iface: 'eth0', addresses: ['10.0.1.1/24'], up: false }), CTX);
      assert.equal(ok(again).nodes.ns1.interfaces.eth0.mtu, 1400);
    },
  },
  {
    name: 'delete-link removes both ends and the routes through them',
    edit: { op: 'delete-link', a: { node: 'ns2', iface: 'eth0' }, b: { node: 'ns1', iface: 'eth0' } },
    check: (t) => {
      assert.deepEqual(links(t), ['host:vl-ns1 <-> ns1:eth1']);
      assert.equal(t.nodes.ns1.interfaces.eth0, undefined);
      assert.deepEqual(t.nodes.ns1.routes, []);
    },
  },
  {
    name: 'set-interface sets addresses (normalized) and state',
    edit: { op: 'set-interface', node: 'ns1', iface: 'eth0', addresses: ['fd00::0001/64', '10.0.1.5/24'], up: false },
    check: (t) => assert.deepEqual(t.nodes.ns1.interfaces.eth0, { addresses: ['10.0.1.5/24', 'fd00::1/64'], up: false }),
  },
  {
    name: 'set-interface with rename re-points the link and the routes',
    edit: { op: 'set-interface', node: 'ns1', iface: 'eth0', rename: 'to-ns2', addresses: ['10.0.1.1/24'], up: true },
    check: (t) => {
      assert.equal(t.nodes.ns1.interfaces.eth0, undefined);
      assert.deepEqual(t.nodes.ns1.interfaces['to-ns2'], { addresses: ['10.0.1.1/24'], up: true });
      assert.deepEqual(t.nodes.ns1.routes, [{ to: '10.0.9.0/24', via: '10.0.1.2', dev: 'to-ns2' }]);
      assert.ok(links(t).includes('ns1:to-ns2 <-> ns2:eth0'));
    },
  },
  {
    name: 'set-routes replaces the routes, normalized',
    edit: { op: 'set-routes', node: 'ns2', routes: [{ to: '0.0.0.0/0', via: '10.0.1.1' }] },
    check: (t) => assert.deepEqual(t.nodes.ns2.routes, [{ to: 'default', via: '10.0.1.1' }]),
  },
  {
    name: 'load replaces the whole lab',
    edit: { op: 'load', yaml: 'name: two\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: [a:x, b:y]\n' },
    check: (t) => {
      assert.equal(t.name, 'two');
      assert.deepEqual(Object.keys(t.nodes).sort(), ['a', 'b']);
      assert.deepEqual(links(t), ['a:x <-> b:y']);
    },
  },
  {
    name: 'destroy wants nothing',
    edit: { op: 'destroy' },
    check: (t) => assert.deepEqual(t, { name: 'lab', nodes: {}, links: [] }),
  },
];

for (const c of cases) {
  test(`edit: ${c.name}`, () => {
    const before = JSON.stringify(observed());
    const input = observed();
    c.check(ok(applyEdit(input, edit(c.edit), c.ctx ?? CTX)));
    assert.equal(JSON.stringify(input), before, 'the observed topology is not changed');
  });
}

test('add-node for the host names it host, once', () => {
  const noHost = observed();
  delete noHost.nodes.host;
  noHost.links = noHost.links.filter((l) => l.endpoints.every((e) => e.node !== 'host'));
  delete noHost.nodes.ns1.interfaces.eth1;
  const t = ok(applyEdit(noHost, edit({ op: 'add-node', kind: 'host' }), CTX));
  assert.deepEqual(t.nodes.host, { kind: 'host', interfaces: {}, routes: [] });
  const again = applyEdit(observed(), edit({ op: 'add-node', kind: 'host' }), CTX);
  assert.equal(again.ok, false);
  assert.equal(!again.ok && again.field, 'kind');
});

interface BadCase {
  name: string;
  edit: unknown;
  field: string;
  mentions: string;
}

const bad: BadCase[] = [
  { name: 'a name already in the lab', edit: { op: 'add-node', kind: 'netns', name: 'ns1' }, field: 'name', mentions: '"ns1"' },
  { name: 'a namespace of the machine', edit: { op: 'add-node', kind: 'netns', name: 'other' }, field: 'name', mentions: '"other"' },
  { name: 'rename of a missing node', edit: { op: 'rename-node', from: 'nope', to: 'x' }, field: 'from', mentions: '"nope"' },
  { name: 'rename onto a node', edit: { op: 'rename-node', from: 'ns1', to: 'ns2' }, field: 'to', mentions: '"ns2"' },
  { name: 'rename onto a foreign namespace', edit: { op: 'rename-node', from: 'ns1', to: 'other' }, field: 'to', mentions: '"other"' },
  { name: 'delete of a missing node', edit: { op: 'delete-node', name: 'nope' }, field: 'name', mentions: '"nope"' },
  { name: 'a link to a missing node', edit: { op: 'add-link', a: 'ns1', b: 'nope' }, field: 'b', mentions: '"nope"' },
  { name: 'a missing link', edit: { op: 'delete-link', a: { node: 'ns1', iface: 'eth1' }, b: { node: 'ns2', iface: 'eth0' } }, field: 'a', mentions: 'ns1:eth1' },
  { name: 'an interface the lab does not manage', edit: { op: 'set-interface', node: 'ns2', iface: 'dummy0', addresses: [], up: true }, field: 'iface', mentions: '"dummy0"' },
  { name: 'a bad prefix length', edit: { op: 'set-interface', node: 'ns1', iface: 'eth0', addresses: ['10.0.1.1/24', '10.0.0.1/33'], up: true }, field: 'addresses.1', mentions: '10.0.0.1/33' },
  { name: 'an address without a length', edit: { op: 'set-interface', node: 'ns1', iface: 'eth0', addresses: ['10.0.0.1'], up: true }, field: 'addresses.0', mentions: '10.0.0.1' },
  { name: 'an address twice on a node', edit: { op: 'set-interface', node: 'ns1', iface: 'eth0', addresses: ['10.0.2.2/24'], up: true }, field: 'addresses.0', mentions: '10.0.2.2/24' },
  { name: 'a rename onto a hand-made interface', edit: { op: 'set-interface', node: 'ns2', iface: 'eth0', rename: 'dummy0', addresses: [], up: true }, field: 'rename', mentions: '"dummy0"' },
  { name: 'a host end renamed to a machine interface', edit: { op: 'set-interface', node: 'host', iface: 'vl-ns1', rename: 'eth0', addresses: [], up: true }, field: 'rename', mentions: '"eth0"' },
  { name: 'renaming lo', edit: { op: 'set-interface', node: 'ns1', iface: 'lo', rename: 'lo2', addresses: [], up: true }, field: 'rename', mentions: 'lo' },
  { name: 'a route through a missing device', edit: { op: 'set-routes', node: 'ns1', routes: [{ to: '10.7.0.0/24', dev: 'eth0' }, { to: '10.6.0.0/24', dev: 'nope' }] }, field: 'routes.1.dev', mentions: '"nope"' },
  { name: 'a route with host bits', edit: { op: 'set-routes', node: 'ns1', routes: [{ to: '10.7.0.1/24', via: '10.0.1.2' }] }, field: 'routes.0.to', mentions: '10.7.0.1/24' },
  { name: 'a default route on the host', edit: { op: 'set-routes', node: 'host', routes: [{ to: 'default', via: '10.0.2.2' }] }, field: 'routes.0.to', mentions: 'default' },
  { name: 'a YAML file with an error', edit: { op: 'load', yaml: 'name: x\nnodes:\n  a: {interfaces: {e: {addresses: [10.0.0.1/99]}}}\n' }, field: 'yaml', mentions: '10.0.0.1/99' },
  { name: 'YAML that does not parse', edit: { op: 'load', yaml: 'name: [' }, field: 'yaml', mentions: 'yaml' },
];

for (const c of bad) {
  test(`bad edit: ${c.name}`, () => {
    const result = applyEdit(observed(), edit(c.edit), CTX);
    if (result.ok) assert.fail('expected an error');
    assert.equal(result.field, c.field, result.error);
    assert.ok(result.error.includes(c.mentions), `"${result.error}" mentions ${c.mentions}`);
    assert.ok(result.error.startsWith(`${c.field}:`), result.error);
  });
}


test('switches and routers are added with the tutorials names; a switch never takes a host interface name', () => {
  const t = ok(applyEdit(observed(), edit({ op: 'add-node', kind: 'bridge' }), { ...CTX, hostInterfaces: [...CTX.hostInterfaces!, 'br0'] }));
  assert.equal(t.nodes.br1.kind, 'bridge', 'br0 is an interface of the machine');
  assert.deepEqual(Object.keys(t.nodes.br1.interfaces), ['br1']);
  const r = ok(applyEdit(observed(), edit({ op: 'add-node', kind: 'router' }), CTX));
  assert.equal(r.nodes.r1.kind, 'router');
  assert.equal(r.nodes.r1.forwarding, true);
  const named = applyEdit(observed(), edit({ op: 'add-node', kind: 'bridge', name: 'eth0' }), CTX);
  assert.ok(!named.ok && named.field === 'name' && /already an interface of the host/.test(named.error));
  const cabled = ok(applyEdit(t, edit({ op: 'add-link', a: 'br1', b: 'ns2' }), CTX));
  assert.ok(links(cabled).includes('br1:veth0 <-> ns2:veth1'), links(cabled).join(', '));
});

test('forwarding on a namespace makes it a router and off makes it a namespace again; a switch refuses it', () => {
  const on = ok(applyEdit(observed(), edit({ op: 'set-forwarding', node: 'ns1', on: true }), CTX));
  assert.equal(on.nodes.ns1.kind, 'router');
  const off = ok(applyEdit(on, edit({ op: 'set-forwarding', node: 'ns1', on: false }), CTX));
  assert.equal(off.nodes.ns1.kind, 'netns');
  const sw = ok(applyEdit(observed(), edit({ op: 'add-node', kind: 'bridge', name: 'sw' }), CTX));
  const refused = applyEdit(sw, edit({ op: 'set-forwarding', node: 'sw', on: true }), CTX);
  assert.ok(!refused.ok && /does not route/.test(refused.error));
  const stp = ok(applyEdit(sw, edit({ op: 'set-bridge', node: 'sw', stp: true, vlanFiltering: false }), CTX));
  assert.deepEqual(stp.nodes.sw.bridge, { stp: true, vlanFiltering: false });
});

test('set-netem follows the order the edit names the ends in, and refuses bad values by field', () => {
  const a = { node: 'ns2', iface: 'eth0' };
  const b = { node: 'ns1', iface: 'eth0' };
  const t = ok(applyEdit(observed(), edit({ op: 'set-netem', a, b, netem: [{ delay: 50 }, null] }), CTX));
  const link = t.links.find((l) => l.endpoints.some((e) => e.node === 'ns2'))!;
  assert.deepEqual(link.endpoints.map((e) => e.node), ['ns1', 'ns2']);
  assert.deepEqual(link.netem, [null, { delay: 50 }], 'the delay is on what ns2 sends');
  const bad = applyEdit(observed(), edit({ op: 'set-netem', a, b, netem: [{ loss: 120 }, null] }), CTX);
  assert.ok(!bad.ok);
  assert.equal(bad.field, 'netem.0.loss');
  assert.match(bad.error, /loss 120 must be a percentage from 0% to 100%/);
  assert.throws(() => edit({ op: 'set-netem', a, b, netem: [{ lag: 5 }, null] }), /lag/);
  const cleared = ok(applyEdit(t, edit({ op: 'set-netem', a, b, netem: [null, null] }), CTX));
  assert.equal(cleared.links.find((l) => l.endpoints.some((e) => e.node === 'ns2'))!.netem, undefined);
});
