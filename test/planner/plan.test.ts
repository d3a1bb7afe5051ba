/** Table-driven tests of the pure planner: no root, no kernel. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../server/planner/plan';
import { commandLine } from '../../server/model/step';
import type { NodeSpec, Topology } from '../../server/model/topology';

const MARK = 'vethlab:test1234';

function ns(interfaces: NodeSpec['interfaces'] = {}, routes: NodeSpec['routes'] = []): NodeSpec {
  return { kind: 'netns', interfaces, routes };
}

/** The seed tutorial 004: vnet0 and vnet1 cabled together. */
function twoNamespaces(): Topology {
  return {
    name: 'two',
    nodes: {
      vnet0: ns({ veth0: { addresses: ['10.0.1.0/24'], up: true } }),
      vnet1: ns({ veth1: { addresses: ['10.0.1.1/24'], up: true } }),
    },
    links: [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet1', iface: 'veth1' }] }],
  };
}

/** What observe reads back after a topology was applied: lo up in every namespace. */
function observedAfter(t: Topology): Topology {
  const copy: Topology = structuredClone(t);
  for (const node of Object.values(copy.nodes)) {
    if (node.kind === 'netns' && !node.interfaces.lo) node.interfaces = { lo: { addresses: [], up: true }, ...node.interfaces };
  }
  return copy;
}

const empty: Topology = { name: 'two', nodes: {}, links: [] };
const lines = (d: Topology, o: Topology) => plan(d, o, { mark: MARK }).map(commandLine);

const cases: { name: string; desired: () => Topology; observed: () => Topology; expect: string[] }[] = [
  { name: 'nothing to nothing', desired: () => empty, observed: () => empty, expect: [] },
  {
    name: 'seed 004 from scratch: namespaces, the pair straight into them, marks, addresses, links up',
    desired: twoNamespaces,
    observed: () => empty,
    expect: [
      'ip netns add vnet0',
      'ip netns set vnet0 auto',
      'ip netns add vnet1',
      'ip netns set vnet1 auto',
      'ip link add veth0 netns vnet0 type veth peer name veth1 netns vnet1',
      `ip -n vnet0 link set lo alias ${MARK}`,
      'ip -n vnet0 link set lo up',
      'ip -n vnet0 addr add 10.0.1.0/24 dev veth0',
      'ip -n vnet0 link set veth0 up',
      `ip -n vnet1 link set lo alias ${MARK}`,
      'ip -n vnet1 link set lo up',
      'ip -n vnet1 addr add 10.0.1.1/24 dev veth1',
      'ip -n vnet1 link set veth1 up',
    ],
  },
  { name: 'applying the same topology twice plans nothing', desired: twoNamespaces, observed: () => observedAfter(twoNamespaces()), expect: [] },
  {
    name: 'a changed address plans only that change',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet1.interfaces.veth1.addresses = ['10.0.1.7/24'];
      return t;
    },
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip -n vnet1 addr del 10.0.1.1/24 dev veth1', 'ip -n vnet1 addr add 10.0.1.7/24 dev veth1'],
  },
  {
    name: 'a removed link plans only its deletion',
    desired: () => ({ ...twoNamespaces(), links: [], nodes: { vnet0: ns(), vnet1: ns() } }),
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip -n vnet0 link del veth0'],
  },
  {
    name: 'a removed namespace: its pair into a surviving one is deleted at once, then the namespace',
    desired: () => ({ name: 'two', nodes: { vnet0: ns() }, links: [] }),
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip -n vnet1 link del veth1', 'ip netns del vnet1'],
  },
  {
    name: 'removed namespaces cabled only to each other: just the namespaces',
    desired: () => empty,
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip netns del vnet0', 'ip netns del vnet1'],
  },
  {
    name: 'an interface taken down',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet1.interfaces.veth1.up = false;
      return t;
    },
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip -n vnet1 link set veth1 down'],
  },
  {
    name: 'lo kept down when the file says so',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet0.interfaces.lo = { addresses: [], up: false };
      return t;
    },
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip -n vnet0 link set lo down'],
  },
  {
    name: 'a default route added, then removed',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet0.routes = [{ to: 'default', via: '10.0.1.1' }];
      return t;
    },
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip -n vnet0 route add default via 10.0.1.1'],
  },
  {
    name: 'a route no longer wanted is deleted before anything else',
    desired: twoNamespaces,
    observed: () => {
      const t = observedAfter(twoNamespaces());
      t.nodes.vnet0.routes = [{ to: 'default', via: '10.0.1.1', dev: 'veth0' }];
      return t;
    },
    expect: ['ip -n vnet0 route del default via 10.0.1.1 dev veth0'],
  },
  {
    name: 'a route without dev matches the observed one that has it',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet0.routes = [{ to: 'default', via: '10.0.1.1' }];
      return t;
    },
    observed: () => {
      const t = observedAfter(twoNamespaces());
      t.nodes.vnet0.routes = [{ to: 'default', via: '10.0.1.1', dev: 'veth0' }];
      return t;
    },
    expect: [],
  },
  {
    name: 'seed 000: a host end is created in the root namespace, marked, and configured there; the connected route needs no command',
    desired: () => ({
      name: 'veth-host',
      nodes: {
        host: { kind: 'host', interfaces: { veth0: { addresses: ['192.168.1.1/24'], up: true } }, routes: [{ to: '192.168.1.0/24', dev: 'veth0' }] },
        custom_namespace: ns({ veth1: { addresses: ['192.168.1.2/24'], up: true } }, [{ to: 'default', via: '192.168.1.1' }]),
      },
      links: [{ endpoints: [{ node: 'custom_namespace', iface: 'veth1' }, { node: 'host', iface: 'veth0' }] }],
    }),
    observed: () => empty,
    expect: [
      'ip netns add custom_namespace',
      'ip netns set custom_namespace auto',
      'ip link add veth0 type veth peer name veth1 netns custom_namespace',
      `ip link set veth0 alias ${MARK}`,
      'ip addr add 192.168.1.1/24 dev veth0',
      'ip link set veth0 up',
      `ip -n custom_namespace link set lo alias ${MARK}`,
      'ip -n custom_namespace link set lo up',
      'ip -n custom_namespace addr add 192.168.1.2/24 dev veth1',
      'ip -n custom_namespace link set veth1 up',
      'ip -n custom_namespace route add default via 192.168.1.1',
    ],
  },
  {
    name: 'a cable end under a new name is renamed in place: the pair, its MAC and its routes stay',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet1.interfaces = { eth9: { addresses: ['10.0.1.1/24'], up: true } };
      t.links = [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet1', iface: 'eth9' }] }];
      return t;
    },
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip -n vnet1 link set dev veth1 down', 'ip -n vnet1 link set dev veth1 name eth9', 'ip -n vnet1 link set eth9 up'],
  },
  {
    name: 'both ends renamed, one with a new address and a route through it',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet0.interfaces = { a0: { addresses: ['10.0.1.0/24'], up: true } };
      t.nodes.vnet0.routes = [{ to: '10.9.0.0/24', via: '10.0.1.1', dev: 'a0' }];
      t.nodes.vnet1.interfaces = { b1: { addresses: ['10.0.1.5/24'], up: true } };
      t.links = [{ endpoints: [{ node: 'vnet0', iface: 'a0' }, { node: 'vnet1', iface: 'b1' }] }];
      return t;
    },
    observed: () => {
      const t = observedAfter(twoNamespaces());
      t.nodes.vnet0.routes = [{ to: '10.9.0.0/24', via: '10.0.1.1', dev: 'veth0' }];
      return t;
    },
    expect: [
      'ip -n vnet0 link set dev veth0 down',
      'ip -n vnet0 link set dev veth0 name a0',
      'ip -n vnet1 link set dev veth1 down',
      'ip -n vnet1 link set dev veth1 name b1',
      'ip -n vnet1 addr del 10.0.1.1/24 dev b1',
      'ip -n vnet0 link set a0 up',
      'ip -n vnet1 addr add 10.0.1.5/24 dev b1',
      'ip -n vnet1 link set b1 up',
    ],
  },
  {
    name: 'a cable to other nodes is a new pair, not a rename',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet2 = ns({ x: { addresses: [], up: true } });
      t.nodes.vnet1.interfaces = {};
      t.links = [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet2', iface: 'x' }] }];
      return t;
    },
    observed: () => observedAfter(twoNamespaces()),
    expect: [
      'ip -n vnet0 link del veth0',
      'ip netns add vnet2',
      'ip netns set vnet2 auto',
      'ip link add veth0 netns vnet0 type veth peer name x netns vnet2',
      'ip -n vnet0 addr add 10.0.1.0/24 dev veth0',
      'ip -n vnet0 link set veth0 up',
      'ip -n vnet2 link set lo alias vethlab:test1234',
      'ip -n vnet2 link set lo up',
      'ip -n vnet2 link set x up',
    ],
  },
  {
    name: 'forwarding on a namespace is the routing tutorials\' sysctl, under ip netns exec',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet1.forwarding = true;
      return t;
    },
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip netns exec vnet1 sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1'],
  },
  {
    name: 'forwarding left out of the file turns it off again',
    desired: () => twoNamespaces(),
    observed: () => {
      const t = observedAfter(twoNamespaces());
      t.nodes.vnet1.forwarding = true;
      return t;
    },
    expect: ['ip netns exec vnet1 sysctl -w net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0'],
  },
  {
    name: "the host node's forwarding is left as it is unless the topology says",
    desired: () => ({ name: 'h', nodes: { host: { kind: 'host', interfaces: {}, routes: [] } }, links: [] }),
    observed: () => ({ name: 'h', nodes: { host: { kind: 'host', interfaces: {}, routes: [], forwarding: true } }, links: [] }),
    expect: [],
  },
  {
    name: 'an MTU is set before the link comes up; absent, it is left as it is',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet0.interfaces.veth0.mtu = 1400;
      return t;
    },
    observed: () => observedAfter(twoNamespaces()),
    expect: ['ip -n vnet0 link set dev veth0 mtu 1400'],
  },
  {
    name: 'an MTU already there plans nothing, and one not in the file is left alone',
    desired: () => {
      const t = twoNamespaces();
      t.nodes.vnet0.interfaces.veth0.mtu = 1400;
      return t;
    },
    observed: () => {
      const t = observedAfter(twoNamespaces());
      t.nodes.vnet0.interfaces.veth0.mtu = 1400;
      t.nodes.vnet1.interfaces.veth1.mtu = 9000;
      return t;
    },
    expect: [],
  },
];

for (const c of cases) {
  test(`plan: ${c.name}`, () => {
    assert.deepEqual(lines(c.desired(), c.observed()), c.expect);
  });
}

test('plan: deterministic whatever the order of keys and links', () => {
  const a = twoNamespaces();
  const b: Topology = { name: 'two', nodes: { vnet1: a.nodes.vnet1, vnet0: a.nodes.vnet0 }, links: [{ endpoints: [a.links[0].endpoints[1], a.links[0].endpoints[0]] }] };
  assert.deepEqual(lines(a, empty), lines(b, empty));
});

test('plan: every step has a reason and only validated words', () => {
  for (const step of plan(twoNamespaces(), empty, { mark: MARK })) {
    assert.ok(step.reason.length > 10, `no reason for ${commandLine(step)}`);
    for (const word of step.args) assert.match(word, /^[A-Za-z0-9_.:/@+=-]+$/);
  }
});

test('plan: observed-only interfaces (made by hand, in no link) are left alone', () => {
  const observed = observedAfter(twoNamespaces());
  observed.nodes.vnet0.interfaces.dummy7 = { addresses: ['10.9.9.9/32'], up: true, kind: 'dummy' };
  assert.deepEqual(lines(twoNamespaces(), observed), []);
});

test('plan: a namespace the lab made but never marked (a run stopped early) gets its mark', () => {
  const steps = plan(twoNamespaces(), observedAfter(twoNamespaces()), { mark: MARK, unmarked: ['vnet1'] }).map(commandLine);
  assert.deepEqual(steps, [`ip -n vnet1 link set lo alias ${MARK}`]);
});
