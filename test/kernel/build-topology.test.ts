/** Turning raw `ip -json` readings into the model: pure, with fixtures shaped like iproute2's output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology, routeTarget } from '../../server/kernel/build-topology';
import type { IpLink, NamespaceReading } from '../../server/kernel/ip-json';

const MARK = 'vethlab:abcd1234';
const opts = { name: 'lab', mark: MARK, hostName: 'host', showHost: false, positions: { vnet0: { x: 1, y: 2 } } };

function lo(): IpLink {
  return { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], link_type: 'loopback', ifalias: MARK, addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }, { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host' }] };
}

function veth(ifindex: number, ifname: string, peerIndex: number, netnsid: number | undefined, addrs: string[] = [], up = true): IpLink {
  return {
    ifindex,
    ifname,
    flags: up ? ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST'],
    operstate: up ? 'UP' : 'DOWN',
    link_type: 'ether',
    address: '02:00:00:00:00:0' + ifindex,
    link_index: peerIndex,
    ...(netnsid === undefined ? {} : { link_netnsid: netnsid }),
    linkinfo: { info_kind: 'veth' },
    addr_info: [
      ...addrs.map((a) => ({ family: a.includes(':') ? 'inet6' : 'inet', local: a.split('/')[0], prefixlen: Number(a.split('/')[1]), scope: 'global' })),
      { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
    ],
  };
}

const emptyRoot: NamespaceReading = { nsids: [], links: [lo()], routes: [] };

test('a pair between two namespaces with the same ifindex numbers is paired through the nsid tables', () => {
  const vnet0: NamespaceReading = { netns: 'vnet0', nsids: [{ nsid: 0, name: 'vnet1' }], links: [lo(), veth(2, 'veth0', 2, 0, ['10.0.1.0/24'])], routes: [{ dst: '10.0.1.0/24', dev: 'veth0', protocol: 'kernel' }, { dst: 'default', gateway: '10.0.1.1', dev: 'veth0' }] };
  const vnet1: NamespaceReading = { netns: 'vnet1', nsids: [{ nsid: 0, name: 'vnet0' }], links: [lo(), veth(2, 'veth1', 2, 0, ['10.0.1.1/24'], false)], routes: [] };
  const { topology } = buildTopology(emptyRoot, [vnet0, vnet1], opts);
  assert.deepEqual(topology.links, [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet1', iface: 'veth1' }] }]);
  assert.deepEqual(topology.nodes.vnet0.interfaces.veth0.addresses, ['10.0.1.0/24'], 'link-local addresses are left out');
  assert.deepEqual(topology.nodes.vnet0.interfaces.lo.addresses, [], "lo's own addresses are left out");
  assert.deepEqual(topology.nodes.vnet0.routes, [{ to: 'default', via: '10.0.1.1', dev: 'veth0' }], 'kernel routes are left out');
  assert.equal(topology.nodes.vnet1.interfaces.veth1.up, false);
  assert.deepEqual(topology.nodes.vnet0.position, { x: 1, y: 2 });
  assert.equal(topology.nodes.host, undefined);
  assert.equal(topology.dangling, undefined);
});

test("a host end is the lab's only when it carries the mark; the peer finds it from the namespace side", () => {
  const root: NamespaceReading = {
    nsids: [{ nsid: 3, name: 'custom_namespace' }],
    links: [lo(), { ...veth(7, 'eth0', 0, undefined, ['192.0.2.2/24']), linkinfo: undefined }, { ...veth(9, 'veth0', 2, 3, ['192.168.1.1/24']), ifalias: MARK }],
    routes: [{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0' }, { dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel' }],
  };
  // From inside, the root namespace has an nsid with no name.
  const ns: NamespaceReading = { netns: 'custom_namespace', nsids: [], links: [lo(), veth(2, 'veth1', 9, 0, ['192.168.1.2/24'])], routes: [] };
  const { topology, foreign } = buildTopology(root, [ns], opts);
  assert.deepEqual(topology.links, [{ endpoints: [{ node: 'custom_namespace', iface: 'veth1' }, { node: 'host', iface: 'veth0' }] }]);
  assert.deepEqual(Object.keys(topology.nodes.host.interfaces), ['veth0'], 'eth0 is not the lab\'s');
  assert.deepEqual(foreign.hostInterfaces, ['lo', 'eth0']);
  assert.deepEqual(foreign.hostRoutes, [{ to: '192.0.2.0/24', dev: 'eth0' }], 'the default route never counts as an overlap');
});

test('a veth made by hand whose peer is outside the lab is shown as a dangling end', () => {
  const ns: NamespaceReading = { netns: 'vnet0', nsids: [{ nsid: 1, name: 'elsewhere' }], links: [lo(), veth(5, 'stray', 4, 1)], routes: [] };
  const { topology } = buildTopology(emptyRoot, [ns], opts);
  assert.deepEqual(topology.links, []);
  assert.deepEqual(topology.dangling, [{ endpoint: { node: 'vnet0', iface: 'stray' }, peer: 'elsewhere' }]);
  assert.equal(topology.nodes.vnet0.interfaces.stray.kind, 'veth');
});

test('both ends of a pair in the same namespace', () => {
  const ns: NamespaceReading = { netns: 'vnet0', nsids: [], links: [lo(), veth(2, 'a', 3, undefined), veth(3, 'b', 2, undefined)], routes: [] };
  assert.deepEqual(buildTopology(emptyRoot, [ns], opts).topology.links, [{ endpoints: [{ node: 'vnet0', iface: 'a' }, { node: 'vnet0', iface: 'b' }] }]);
});

test('route targets: IPv4 and IPv6 defaults, host routes without a length', () => {
  assert.equal(routeTarget({ dst: 'default', gateway: '10.0.0.1' }), 'default');
  assert.equal(routeTarget({ dst: 'default', gateway: 'fd00::1', pref: 'medium' }), '::/0');
  assert.equal(routeTarget({ dst: 'default', dev: 'veth0', pref: 'medium' }), '::/0');
  assert.equal(routeTarget({ dst: '10.9.0.5', dev: 'veth0' }), '10.9.0.5/32');
  assert.equal(routeTarget({ dst: 'fd00:0:0::5', dev: 'veth0', pref: 'medium' }), 'fd00::5/128');
});

test('inside a lab machine a bridge is a switch node whose ports are the root ends with it as master', () => {
  const bridge: IpLink = { ifindex: 5, ifname: 'br0', flags: ['UP'], link_type: 'ether', address: '02:00:00:00:00:55', linkinfo: { info_kind: 'bridge', info_data: { stp_state: 1, vlan_filtering: 0 } }, addr_info: [] };
  const root: NamespaceReading = {
    nsids: [{ nsid: 0, name: 'a' }],
    links: [lo(), bridge, { ...veth(6, 'veth1', 2, 0), master: 'br0' }, veth(7, 'veth2', 3, 0)],
    routes: [],
  };
  const a: NamespaceReading = { netns: 'a', nsids: [], links: [lo(), veth(2, 'veth0', 6, 0), veth(3, 'veth3', 7, 0)], routes: [] };
  const { topology } = buildTopology(root, [a], { ...opts, mark: undefined });
  assert.equal(topology.nodes.br0.kind, 'bridge');
  assert.deepEqual(topology.nodes.br0.bridge, { stp: true, vlanFiltering: false });
  assert.deepEqual(Object.keys(topology.nodes.br0.interfaces).sort(), ['br0', 'veth1']);
  assert.deepEqual(Object.keys(topology.nodes.host.interfaces), ['veth2'], 'an end with no bridge is the host\'s');
  assert.deepEqual(topology.links.map((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`)), [['a:veth0', 'br0:veth1'], ['a:veth3', 'host:veth2']]);
});

test('both ends in one namespace: ip names the peer, and the pair is a loop on its node', () => {
  const r: NamespaceReading = {
    netns: 'r',
    nsids: [],
    links: [lo(), { ...veth(2, 'veth0', 0, undefined), link_index: undefined, link: 'veth1' }, { ...veth(3, 'veth1', 0, undefined), link_index: undefined, link: 'veth0' }],
    routes: [],
  };
  const { topology } = buildTopology(emptyRoot, [r], opts);
  assert.deepEqual(topology.links, [{ endpoints: [{ node: 'r', iface: 'veth0' }, { node: 'r', iface: 'veth1' }] }]);
  assert.equal(topology.dangling, undefined);
});

test('a namespace that forwards is a router; netem qdiscs become the link netem of their end; kernel routes are listed apart', () => {
  const a: NamespaceReading = {
    netns: 'a',
    nsids: [{ nsid: 0, name: 'b' }],
    links: [lo(), veth(2, 'veth0', 2, 0, ['10.0.1.1/24'])],
    routes: [{ dst: '10.0.1.0/24', dev: 'veth0', protocol: 'kernel' }, { dst: 'fe80::/64', dev: 'veth0', protocol: 'kernel', pref: 'medium' }],
    forwarding: true,
    qdiscs: [{ kind: 'netem', dev: 'veth0', root: true, options: { limit: 1000, delay: { delay: 0.05, jitter: 0.005, correlation: 0 }, 'loss-random': { loss: 0.0099999998, correlation: 0 }, rate: { rate: 1250000 }, ecn: false, gap: 0 } }],
  };
  const b: NamespaceReading = { netns: 'b', nsids: [{ nsid: 0, name: 'a' }], links: [lo(), veth(2, 'veth1', 2, 0)], routes: [], qdiscs: [{ kind: 'noqueue', dev: 'veth1', root: true }] };
  const { topology } = buildTopology(emptyRoot, [b, a], opts);
  assert.equal(topology.nodes.a.kind, 'router');
  assert.equal(topology.nodes.b.kind, 'netns');
  assert.deepEqual(topology.nodes.a.kernelRoutes, [{ to: '10.0.1.0/24', dev: 'veth0' }], 'link-local kernel routes are not listed');
  assert.deepEqual(topology.nodes.a.routes, []);
  assert.deepEqual(topology.links, [{ endpoints: [{ node: 'a', iface: 'veth0' }, { node: 'b', iface: 'veth1' }], netem: [{ delay: 50, jitter: 5, loss: 1, rate: 10_000_000 }, null] }]);
});
