/** Node kinds in files: bridges, routers and cable netem, their rules and their round trip. Pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopologyYaml, stringifyTopology } from '../../server/model/topology-file';

const LAN = `name: lan
nodes:
  br0: {kind: bridge, stp: true}
  r1: {kind: router}
  a: {interfaces: {eth0: {addresses: [10.0.0.1/24]}}}
links:
  - endpoints: [a:eth0, br0:veth0]
    netem: {delay: 50ms, loss: 1%}
  - endpoints: [r1:veth1, br0:veth2]
    netem:
      r1:veth1: {rate: 1mbit}
`;

function errorsOf(text: string): string[] {
  const r = parseTopologyYaml(text, 'f.yml');
  assert.equal(r.ok, false, 'should be refused');
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

test('a bridge, a router and netem read, normalize and write back the same', () => {
  const r = parseTopologyYaml(LAN, 'lan.yml');
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  const t = r.topology;
  assert.deepEqual(t.nodes.br0.bridge, { stp: true, vlanFiltering: false });
  assert.deepEqual(Object.keys(t.nodes.br0.interfaces).sort(), ['br0', 'veth0', 'veth2'], "the bridge's own device is implicit");
  assert.equal(t.nodes.r1.forwarding, true, 'a router forwards');
  assert.deepEqual(t.links[0].netem, [{ delay: 50, loss: 1 }, { delay: 50, loss: 1 }], 'one map is both directions');
  assert.deepEqual(t.links[1].netem, [{ rate: 1_000_000 }, null], 'a map per end is that end only');
  const text = stringifyTopology(t);
  assert.match(text, /br0:\n {4}kind: bridge\n {4}stp: true\n/);
  assert.match(text, /r1:\n {4}kind: router\n/);
  assert.doesNotMatch(text, /forwarding/);
  assert.match(text, /netem: {delay: 50ms, loss: 1%}/);
  assert.match(text, /r1:veth1: {rate: 1mbit}/);
  const again = parseTopologyYaml(text, 'again.yml');
  assert.ok(again.ok);
  assert.deepEqual(again.topology, t);
});

test('bad input in the new fields names the field and the value', () => {
  const cases: [string, RegExp][] = [
    ['name: x\nnodes: {a: {kind: switch}}\n', /^nodes\.a\.kind: value "switch" must be one of "netns", "router", "host", "bridge"/],
    ['name: x\nnodes: {a: {}, b: {}}\nlinks: [{endpoints: [a:v0, b:v1], netem: {delay: 50}}]\n', /ok/],
    ['name: x\nnodes: {a: {}, b: {}}\nlinks: [{endpoints: [a:v0, b:v1], netem: {delay: 50 ms}}]\n', /ok/],
    ['name: x\nnodes: {a: {}, b: {}}\nlinks: [{endpoints: [a:v0, b:v1], netem: {delay: fast}}]\n', /^links\[0\]\.netem\.delay: delay "fast" must be a time such as 50ms/],
    ['name: x\nnodes: {a: {}, b: {}}\nlinks: [{endpoints: [a:v0, b:v1], netem: {loss: 150%}}]\n', /^links\[0\]\.netem\.loss: loss "150%" must be a percentage from 0% to 100%/],
    ['name: x\nnodes: {a: {}, b: {}}\nlinks: [{endpoints: [a:v0, b:v1], netem: {rate: 10mbps}}]\n', /^links\[0\]\.netem\.rate: rate "10mbps" must be a rate/],
    ['name: x\nnodes: {a: {}, b: {}}\nlinks: [{endpoints: [a:v0, b:v1], netem: {lag: 5ms}}]\n', /^links\[0\]\.netem\.lag: unknown key "lag"; allowed here: delay, jitter/],
    ['name: x\nnodes: {a: {}, b: {}}\nlinks: [{endpoints: [a:v0, b:v1], netem: {"c:v9": {delay: 5ms}}}]\n', /^links\[0\]\.netem\["c:v9"\]: "c:v9" is not an end of this link; its ends are "a:v0" and "b:v1"/],
    ['name: x\nnodes: {a: {interfaces: {v0: {mtu: 40}}}, b: {}}\nlinks: [{endpoints: [a:v0, b:v1]}]\n', /^nodes\.a\.interfaces\.v0\.mtu: mtu 40 must be a whole number of bytes from 68 to 65535/],
    ['name: x\nnodes: {br0: {kind: bridge}}\nlinks: [{endpoints: [br0:v0, br0:v1]}]\n', /^links\[0\]\.endpoints: cable from bridge "br0" to itself/],
    ['name: x\nnodes: {br0: {kind: bridge}, a: {}}\nlinks: [{endpoints: [br0:br0, a:v1]}]\n', /^links\[0\]\.endpoints\[0\]: endpoint "br0:br0": br0 is the bridge's own device/],
    ['name: x\nnodes: {br0: {kind: bridge}, br1: {kind: bridge}, a: {}, b: {}}\nlinks: [{endpoints: [br0:v0, a:v1]}, {endpoints: [br1:v0, b:v1]}]\n', /^nodes\.br1\.interfaces\.v0: "v0" is already an interface of "br0"/],
    ['name: x\nnodes: {br0: {kind: bridge, interfaces: {v0: {addresses: [10.0.0.1/24]}}}, a: {}}\nlinks: [{endpoints: [br0:v0, a:v1]}]\n', /^nodes\.br0\.interfaces\.v0\.addresses: "v0" is a port of bridge "br0"/],
    ['name: x\nnodes: {br0: {kind: bridge, forwarding: true}}\n', /^nodes\.br0\.forwarding: bridge "br0" switches frames and does not route/],
    ['name: x\nnodes: {a: {stp: true}}\n', /^nodes\.a\.stp: node "a" is a namespace; stp and vlan_filtering are settings of bridges/],
    ['name: x\nnodes: {r: {kind: router, forwarding: false}}\n', /^nodes\.r\.forwarding: forwarding false on router "r": a router forwards/],
    ['name: x\nnodes: {averyveryverylongbridge: {kind: bridge}}\n', /^nodes: bridge name "averyveryverylongbridge" is 23 bytes long; the kernel allows at most 15/],
  ];
  for (const [text, expected] of cases) {
    if (expected.source === 'ok') {
      const r = parseTopologyYaml(text, 'f.yml');
      assert.ok(r.ok, `${text}: ${JSON.stringify(!r.ok && r.errors)}`);
      continue;
    }
    const errors = errorsOf(text);
    assert.ok(errors.some((e) => expected.test(e)), `${text}\n${errors.join('\n')}`);
  }
});
