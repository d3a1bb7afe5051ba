/** Sentences for observed changes: table-driven, pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeChanges } from '../../server/model/topology-diff';
import type { InterfaceSpec, NodeSpec, Topology } from '../../server/model/topology';

function iface(addresses: string[] = [], up = true, extra: Partial<InterfaceSpec> = {}): InterfaceSpec {
  return { addresses, up, kind: 'veth', state: up ? 'UP' : 'DOWN', ...extra };
}

function ns(interfaces: Record<string, InterfaceSpec>, routes: NodeSpec['routes'] = []): NodeSpec {
  return { kind: 'netns', interfaces: { lo: { addresses: [], up: true, kind: 'loopback' }, ...interfaces }, routes };
}

/** vnet0:veth0 (10.0.1.0/24) <-> vnet1:veth1 (10.0.1.1/24), a default route in vnet0. */
function base(): Topology {
  return {
    name: 'lab',
    nodes: {
      vnet0: ns({ veth0: iface(['10.0.1.0/24'], true, { mac: '02:00:00:00:00:01' }) }, [{ to: 'default', via: '10.0.1.1', dev: 'veth0' }]),
      vnet1: ns({ veth1: iface(['10.0.1.1/24'], true, { mac: '02:00:00:00:00:02' }) }),
    },
    links: [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet1', iface: 'veth1' }] }],
  };
}

function edit(fn: (t: Topology) => void): Topology {
  const t = structuredClone(base());
  fn(t);
  return t;
}

const cases: { name: string; after: Topology; expect: string[] }[] = [
  { name: 'nothing changed', after: base(), expect: [] },
  {
    name: 'counters, operstate, MAC, positions and the name are ignored',
    after: edit((t) => {
      t.name = 'other';
      t.nodes.vnet0.position = { x: 5, y: 6 };
      t.nodes.vnet1.interfaces.veth1.stats = { rxPackets: 1, txPackets: 2, rxBytes: 3, txBytes: 4 };
      t.nodes.vnet1.interfaces.veth1.state = 'LOWERLAYERDOWN';
      t.nodes.vnet0.interfaces.lo.mac = '00:11:22:33:44:55';
    }),
    expect: [],
  },
  {
    name: 'an address added',
    after: edit((t) => t.nodes.vnet1.interfaces.veth1.addresses.push('10.0.1.7/24')),
    expect: ['observed in vnet1: address 10.0.1.7/24 added to veth1'],
  },
  {
    name: 'an address removed and another added',
    after: edit((t) => (t.nodes.vnet1.interfaces.veth1.addresses = ['fd00::1/64'])),
    expect: ['observed in vnet1: address 10.0.1.1/24 removed from veth1', 'observed in vnet1: address fd00::1/64 added to veth1'],
  },
  {
    name: 'an interface went down, and the kernel dropped the route through it',
    after: edit((t) => {
      t.nodes.vnet0.interfaces.veth0.up = false;
      t.nodes.vnet0.routes = [];
    }),
    expect: ['observed in vnet0: veth0 went down', 'observed in vnet0: route default via 10.0.1.1 removed'],
  },
  {
    name: 'a veth pair added by hand inside one namespace, one end brought up',
    after: edit((t) => {
      t.nodes.vnet1.interfaces.a = iface([], false, { mac: '02:00:00:00:00:0a' });
      t.nodes.vnet1.interfaces.b = iface([], true, { mac: '02:00:00:00:00:0b' });
      t.links.push({ endpoints: [{ node: 'vnet1', iface: 'a' }, { node: 'vnet1', iface: 'b' }] });
    }),
    expect: ['observed: veth pair vnet1:a <-> vnet1:b appeared', 'observed in vnet1: b came up'],
  },
  {
    name: 'a veth pair between namespaces removed',
    after: edit((t) => {
      delete t.nodes.vnet0.interfaces.veth0;
      delete t.nodes.vnet1.interfaces.veth1;
      t.nodes.vnet0.routes = [];
      t.links = [];
    }),
    expect: ['observed: veth pair vnet0:veth0 <-> vnet1:veth1 was removed'],
  },
  {
    name: 'a namespace deleted: one sentence for it, one for the pair that went with it',
    after: edit((t) => {
      delete t.nodes.vnet1;
      delete t.nodes.vnet0.interfaces.veth0;
      t.nodes.vnet0.routes = [];
      t.links = [];
    }),
    expect: ['observed: namespace vnet1 was deleted', 'observed: veth pair vnet0:veth0 <-> vnet1:veth1 was removed'],
  },
  {
    name: 'a namespace appeared with a pair to an existing one',
    after: edit((t) => {
      t.nodes.vnet2 = ns({ c: iface(['10.0.2.2/24']) });
      t.nodes.vnet1.interfaces.d = iface(['10.0.2.1/24']);
      t.links.push({ endpoints: [{ node: 'vnet1', iface: 'd' }, { node: 'vnet2', iface: 'c' }] });
    }),
    expect: [
      'observed: namespace vnet2 appeared',
      'observed: veth pair vnet1:d <-> vnet2:c appeared',
      'observed in vnet1: address 10.0.2.1/24 added to d',
      'observed in vnet1: d came up',
    ],
  },
  {
    name: 'an end whose peer is outside the lab',
    after: edit((t) => {
      t.nodes.vnet1.interfaces.x = iface([], false);
      t.dangling = [{ endpoint: { node: 'vnet1', iface: 'x' }, peer: 'other' }];
    }),
    expect: ['observed in vnet1: interface x appeared (veth, peer outside the lab)'],
  },
  {
    name: 'an end moved out of the lab leaves its peer dangling',
    after: edit((t) => {
      delete t.nodes.vnet1.interfaces.veth1;
      t.links = [];
      t.dangling = [{ endpoint: { node: 'vnet0', iface: 'veth0' }, peer: 'unknown' }];
    }),
    expect: ['observed: veth pair vnet0:veth0 <-> vnet1:veth1 was removed', "observed in vnet0: veth0's peer is now outside the lab"],
  },
  {
    name: 'a non-veth interface appeared and another was removed',
    after: edit((t) => {
      t.nodes.vnet0.interfaces.br0 = { addresses: [], up: false, kind: 'bridge' };
      delete t.nodes.vnet0.interfaces.lo;
    }),
    expect: ['observed in vnet0: interface lo was removed', 'observed in vnet0: interface br0 appeared (bridge)'],
  },
  {
    name: 'a renamed end keeps its pair',
    after: edit((t) => {
      t.nodes.vnet1.interfaces.eth0 = t.nodes.vnet1.interfaces.veth1;
      delete t.nodes.vnet1.interfaces.veth1;
      t.links = [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet1', iface: 'eth0' }] }];
    }),
    expect: ['observed in vnet1: interface veth1 was renamed to eth0'],
  },
  {
    name: 'routes added and removed',
    after: edit((t) => {
      t.nodes.vnet0.routes = [{ to: '10.0.9.0/24', via: '10.0.1.1', dev: 'veth0' }];
      t.nodes.vnet1.routes = [{ to: '10.0.8.0/24', dev: 'veth1' }];
    }),
    expect: ['observed in vnet0: route default via 10.0.1.1 removed', 'observed in vnet0: route 10.0.9.0/24 via 10.0.1.1 added', 'observed in vnet1: route 10.0.8.0/24 dev veth1 added'],
  },
  {
    name: 'host ends appearing are told through their pair and interface changes',
    after: edit((t) => {
      t.nodes.host = { kind: 'host', interfaces: { h0: iface(['192.168.5.1/24']) }, routes: [] };
      t.nodes.vnet0.interfaces.h1 = iface(['192.168.5.2/24'], false);
      t.links.push({ endpoints: [{ node: 'host', iface: 'h0' }, { node: 'vnet0', iface: 'h1' }] });
    }),
    expect: [
      'observed: veth pair host:h0 <-> vnet0:h1 appeared',
      'observed in host: address 192.168.5.1/24 added to h0',
      'observed in host: h0 came up',
      'observed in vnet0: address 192.168.5.2/24 added to h1',
    ],
  },
];

for (const c of cases) {
  test(`describeChanges: ${c.name}`, () => {
    assert.deepEqual(describeChanges(base(), c.after), c.expect);
  });
}

test('describeChanges: an interface coming up, both directions', () => {
  const down = edit((t) => (t.nodes.vnet1.interfaces.veth1.up = false));
  assert.deepEqual(describeChanges(down, base()), ['observed in vnet1: veth1 came up']);
  assert.deepEqual(describeChanges(base(), down), ['observed in vnet1: veth1 went down']);
});

test('describeChanges: a namespace deleted and recreated reads the other way round', () => {
  const without = edit((t) => {
    delete t.nodes.vnet1;
    delete t.nodes.vnet0.interfaces.veth0;
    t.nodes.vnet0.routes = [];
    t.links = [];
  });
  assert.deepEqual(describeChanges(without, base()), [
    'observed: namespace vnet1 appeared',
    'observed: veth pair vnet0:veth0 <-> vnet1:veth1 appeared',
    'observed in vnet0: address 10.0.1.0/24 added to veth0',
    'observed in vnet0: veth0 came up',
    'observed in vnet0: route default via 10.0.1.1 added',
  ]);
});

test('describeChanges: the order does not depend on the order of keys or links', () => {
  const a = edit((t) => {
    t.nodes.vnet1.interfaces.veth1.addresses = ['10.0.1.9/24', '10.0.1.8/24'];
    t.nodes.vnet0.interfaces.veth0.up = false;
  });
  const b = structuredClone(a);
  b.nodes = Object.fromEntries(Object.entries(b.nodes).reverse());
  b.links.reverse();
  assert.deepEqual(describeChanges(base(), a), describeChanges(base(), b));
  assert.deepEqual(describeChanges(base(), a), [
    'observed in vnet0: veth0 went down',
    'observed in vnet1: address 10.0.1.1/24 removed from veth1',
    'observed in vnet1: address 10.0.1.8/24 added to veth1',
    'observed in vnet1: address 10.0.1.9/24 added to veth1',
  ]);
});

test('describeChanges: two routes differing only by device name the device', () => {
  const after = edit((t) => {
    t.nodes.vnet0.interfaces.veth9 = iface([], true);
    t.nodes.vnet0.routes.push({ to: 'default', via: '10.0.1.1', dev: 'veth9' });
  });
  assert.deepEqual(describeChanges(base(), after), [
    'observed in vnet0: interface veth9 appeared (veth)',
    'observed in vnet0: veth9 came up',
    'observed in vnet0: route default via 10.0.1.1 dev veth9 added',
  ]);
});
