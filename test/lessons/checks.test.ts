/** State checks against topologies, the words of their failures, where a lesson stands, and the faults per lab. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheck, type Check } from '../../server/lessons/check';
import { evaluateState } from '../../server/lessons/evaluate-state';
import { advance, currentStep, newProgress, rewind } from '../../server/lessons/lesson-status';
import { injectFaults } from '../../server/lessons/lesson-faults';
import { loadLesson } from '../../server/lessons/lesson-library';
import type { Topology } from '../../server/model/topology';

const check = (raw: unknown): Check => {
  const c = parseCheck(raw);
  assert.ok(c.ok, JSON.stringify(c));
  return c.check;
};
const iface = (o: object = {}) => ({ addresses: [], up: true, kind: 'veth', ...o });
const lab: Topology = {
  name: 't',
  nodes: {
    host: { kind: 'host', interfaces: {}, routes: [] },
    vnet0: { kind: 'netns', interfaces: { veth0: iface({ addresses: ['10.0.1.0/24'], up: false }), lo: iface({ kind: 'loopback' }) }, routes: [], kernelRoutes: [{ to: '10.0.1.0/24', dev: 'veth0' }] },
    vnet1: { kind: 'netns', interfaces: { veth1: iface({ addresses: ['10.0.1.1/24'] }) }, routes: [{ to: 'default', via: '10.0.1.0' }] },
    br0: { kind: 'bridge', interfaces: { br0: iface({ kind: 'bridge' }), p1: iface() }, routes: [] },
  },
  links: [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet1', iface: 'veth1' }] }],
};
const run = (raw: unknown) => evaluateState(check(raw), lab);

test('state checks pass on what the kernel has, and say what they found when they do not', () => {
  assert.equal(run({ namespace: 'vnet0' }).ok, true);
  assert.equal(run({ namespace: 'vnet9' }).found, 'there is no namespace vnet9');
  assert.equal(run({ namespace: 'vnet0', absent: true }).found, 'vnet0 is still there');
  assert.equal(run({ interface: 'vnet0:veth0', up: true }).found, 'veth0 is in vnet0 but DOWN');
  assert.equal(run({ interface: 'vnet1:veth0' }).found, 'veth0 is in vnet0, not vnet1');
  assert.equal(run({ interface: 'vnet0:veth0', kind: 'veth', peer: 'vnet1:veth1', address: '10.0.1.0/24' }).ok, true);
  assert.equal(run({ interface: 'vnet0:veth0', peer: 'host' }).found, "veth0 in vnet0's peer is veth1 in vnet1");
  assert.equal(run({ interface: 'vnet1:veth1', address: '10.0.1.5/24' }).found, 'veth1 in vnet1 has 10.0.1.1/24, not 10.0.1.5/24');
  assert.equal(run({ interface: 'vnet0:lo', kind: 'veth' }).found, 'lo in vnet0 is a loopback, not a veth');
  assert.equal(run({ pair: ['veth1', 'veth0'] }).ok, true);
  assert.equal(run({ pair: ['veth0', 'p1'] }).found, 'veth0 is in vnet0; p1 is in br0, not paired');
  assert.equal(run({ switch: 'br0' }).ok, true);
  assert.equal(run({ switch: 'vnet0' }).found, 'vnet0 is a netns, not a switch');
  assert.equal(run({ port: 'br0:p1' }).ok, true);
  assert.equal(run({ port: 'br0:br0' }).ok, false, "a switch's own device is not its port");
  assert.equal(run({ route: { node: 'vnet1', to: 'default', via: '10.0.1.0' } }).ok, true);
  assert.equal(run({ route: { node: 'vnet0', to: '10.0.1.0/24', dev: 'veth0' } }).ok, true, 'a route the kernel made counts');
  assert.equal(run({ route: { node: 'vnet1', to: 'default', via: '10.0.1.9' } }).found, "vnet1's route to default is via 10.0.1.0");
  assert.equal(run({ route: { node: 'vnet0', to: 'default' } }).found, 'vnet0 has routes to 10.0.1.0/24 only');
  assert.equal(run({ forwarding: 'vnet0' }).found, 'vnet0 does not forward (net.ipv4.ip_forward is 0)');
  assert.equal(run({ impaired: ['vnet0:veth0', 'vnet1:veth1'] }).found, 'the cable has no netem');
  assert.equal(run({ ping: { from: 'vnet0', to: '10.0.1.1' } }).pending, true, 'an active check is not judged from state');
});

test('a step is done the first time all its checks pass, in order; reset forgets from a step on', () => {
  const l = loadLesson('two-namespaces');
  assert.ok(l.ok);
  const p = newProgress(l.lesson, new Date(0));
  const pass = { label: '', ok: true };
  const failing = { label: '', ok: false };
  assert.equal(advance(p, [[failing], [pass]]), false, 'step 2 passing does not skip step 1');
  assert.equal(currentStep(p), 0);
  assert.equal(advance(p, [[pass], [pass, pass], [failing]], new Date(1000)), true);
  assert.equal(currentStep(p), 2);
  assert.equal(p.done[1], new Date(1000).toISOString());
  assert.equal(p.begun[2], new Date(1000).toISOString());
  assert.equal(advance(p, [[failing], [failing], [failing]]), false, 'a done step stays done');
  rewind(p, 1, new Date(2000));
  assert.equal(currentStep(p), 1);
  assert.deepEqual(p.done.slice(1), [null, null, null, null]);
});

test('troubleshooting faults: the same lab gets the same faults, different labs different ones, each a real fault', () => {
  const l = loadLesson('troubleshooting');
  assert.ok(l.ok);
  const { start, faults } = l.lesson;
  assert.ok(faults);
  const a = injectFaults(start, faults.count, faults.kinds, 'alice/troubleshooting');
  assert.deepEqual(injectFaults(start, faults.count, faults.kinds, 'alice/troubleshooting'), a);
  assert.equal(a.faults.length, 3);
  assert.deepEqual(a.faults.map((f) => f.kind).sort(), ['down', 'prefix', 'route']);
  const seen = new Set<string>();
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi']) seen.add(JSON.stringify(injectFaults(start, 3, faults.kinds, `${name}/troubleshooting`).faults.map((f) => f.what)));
  assert.ok(seen.size >= 4, `only ${seen.size} different sets of faults among 8 labs`);
  // The start itself is left alone.
  assert.equal(start.nodes.r1.interfaces.veth1.addresses[0], '10.0.1.1/24');
  // Every fault breaks one of the lesson's checks.
  const failing = l.lesson.steps.flatMap((s) => s.checks).filter((c) => !evaluateState(c, a.topology).ok && !evaluateState(c, a.topology).pending);
  assert.ok(failing.length >= 3, failing.map((c) => JSON.stringify(c)).join('\n'));
});
