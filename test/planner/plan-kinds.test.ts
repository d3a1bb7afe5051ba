/** The planner for switches, routers, loops and netem: commands as the tutorials type them. Pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../server/planner/plan';
import { commandLine } from '../../server/model/step';
import { parseTopologyYaml } from '../../server/model/topology-file';
import type { Topology } from '../../server/model/topology';

function lab(text: string): Topology {
  const r = parseTopologyYaml(text, 't.yml');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.topology;
}
const empty: Topology = { name: 'x', nodes: {}, links: [] };
const lines = (d: Topology, o: Topology, mark?: string) => plan(d, o, { mark }).filter((s) => !s.bookkeeping).map(commandLine);

/** What observe reads back once a plan ran (pure stand-in for the kernel). */
function applied(t: Topology): Topology {
  const copy = structuredClone(t);
  for (const [name, node] of Object.entries(copy.nodes)) {
    if (node.kind === 'netns' && node.forwarding) node.kind = 'router';
    if (node.kind === 'netns' || node.kind === 'router') node.interfaces = { lo: { addresses: [], up: true }, ...node.interfaces };
    if (node.kind === 'bridge') node.interfaces = { [name]: { addresses: [], up: true }, ...node.interfaces };
  }
  return copy;
}

const LAN = `name: x
nodes:
  br0: {kind: bridge}
  a: {interfaces: {veth0: {addresses: [10.0.0.1/24]}}}
  b: {interfaces: {veth2: {addresses: [10.0.0.2/24]}}}
links:
  - endpoints: [a:veth0, br0:veth1]
  - endpoints: [b:veth2, br0:veth3]
`;

test('a switch: the bridge, then its ports by master, then up, as the tutorials type it', () => {
  assert.deepEqual(lines(lab(LAN), empty), [
    'ip link add br0 type bridge',
    'ip netns add a',
    'ip netns add b',
    'ip link add veth1 type veth peer name veth0 netns a',
    'ip link add veth3 type veth peer name veth2 netns b',
    'ip link set br0 up',
    'ip link set veth1 master br0',
    'ip link set veth1 up',
    'ip link set veth3 master br0',
    'ip link set veth3 up',
    'ip -n a link set lo up',
    'ip -n a addr add 10.0.0.1/24 dev veth0',
    'ip -n a link set veth0 up',
    'ip -n b link set lo up',
    'ip -n b addr add 10.0.0.2/24 dev veth2',
    'ip -n b link set veth2 up',
  ]);
  assert.deepEqual(lines(lab(LAN), applied(lab(LAN))), [], 're-applying plans nothing');
  const stp = lab(LAN.replace('{kind: bridge}', '{kind: bridge, stp: true, vlan_filtering: true}'));
  assert.deepEqual(lines(stp, applied(lab(LAN))), ['ip link set br0 type bridge stp_state 1 vlan_filtering 1']);
  assert.deepEqual(lines(stp, empty).slice(0, 1), ['ip link add br0 type bridge stp_state 1 vlan_filtering 1']);
  // In real-host mode the bridge carries the mark like a host end.
  assert.ok(plan(lab(LAN), empty, { mark: 'vethlab:m' }).some((s) => commandLine(s) === 'ip link set br0 alias vethlab:m' && s.bookkeeping));
});

test('removing a switch deletes the bridge; moving a port to the host takes it out of the bridge', () => {
  const observed = applied(lab(LAN));
  const gone = lines(lab('name: x\nnodes: {a: {}, b: {}}\n'), observed);
  assert.ok(gone.includes('ip link del br0'), gone.join('\n'));
  const moved = lab(LAN.replace('br0:veth1', 'host:veth1').replace('nodes:\n', 'nodes:\n  host: {kind: host}\n'));
  assert.deepEqual(lines(moved, observed), ['ip link set veth1 nomaster']);
});

test('a router turns forwarding on; a loop is one veth pair in one namespace', () => {
  const t = lab('name: x\nnodes: {r1: {kind: router}}\nlinks: [{endpoints: [r1:veth0, r1:veth1]}]\n');
  assert.deepEqual(lines(t, empty), [
    'ip netns add r1',
    'ip link add veth0 netns r1 type veth peer name veth1 netns r1',
    'ip -n r1 link set lo up',
    'ip -n r1 link set veth0 up',
    'ip -n r1 link set veth1 up',
    'ip netns exec r1 sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1',
  ]);
  assert.deepEqual(lines(t, applied(t)), []);
});

const PAIR = 'name: x\nnodes: {a: {}, b: {}}\nlinks:\n  - endpoints: [a:veth0, b:veth1]\n';

test('netem: one tc command per end, one when the delay changes, a del when it goes', () => {
  const slow = lab(`${PAIR}    netem: {delay: 50ms, loss: 1%}\n`);
  const made = lines(slow, empty);
  assert.deepEqual(made.filter((l) => l.startsWith('tc')), ['tc -n a qdisc replace dev veth0 root netem delay 50ms loss 1%', 'tc -n b qdisc replace dev veth1 root netem delay 50ms loss 1%']);
  assert.deepEqual(lines(slow, applied(slow)), [], 're-applying plans nothing');
  const oneWay = lab(`${PAIR}    netem: {a:veth0: {delay: 80ms, loss: 1%}, b:veth1: {delay: 50ms, loss: 1%}}\n`);
  assert.deepEqual(lines(oneWay, applied(slow)), ['tc -n a qdisc replace dev veth0 root netem delay 80ms loss 1%'], 'changing one delay plans one tc command');
  assert.deepEqual(lines(lab(PAIR), applied(slow)), ['tc -n a qdisc del dev veth0 root', 'tc -n b qdisc del dev veth1 root']);
  const reasons = plan(slow, empty, {}).filter((s) => s.program === 'tc').map((s) => s.reason);
  assert.deepEqual(reasons, ['impair what veth0 on a sends: 50 ms, 1% loss', 'impair what veth1 on b sends: 50 ms, 1% loss']);
});

test("a desired route that is the kernel's own plans nothing, and dropping it never deletes the kernel's route", () => {
  const withRoute = lab('name: x\nnodes:\n  a: {interfaces: {veth0: {addresses: [10.0.1.1/24]}}, routes: [{to: 10.0.1.0/24, dev: veth0}]}\n  b: {}\nlinks: [{endpoints: [a:veth0, b:veth1]}]\n');
  const without = lab('name: x\nnodes:\n  a: {interfaces: {veth0: {addresses: [10.0.1.1/24]}}}\n  b: {}\nlinks: [{endpoints: [a:veth0, b:veth1]}]\n');
  assert.deepEqual(lines(withRoute, applied(without)), [], 'the kernel made it with the address');
  assert.deepEqual(lines(without, applied(withRoute)), [], 'not asked for any more, it stays the kernel\'s');
});
