/**
 * The diagram follows the kernel (root, real kernel, real server): changes
 * made by hand with `ip` reach every browser's state within a second, the log
 * tells them apart from the lab's own commands, and traffic shows as rates.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, ip, startTestServer, tag, type Recorder, type TestServer, pairYaml } from './web-fixture';
import type { LabState, TrafficRate } from '../../server/protocol';
import { until } from '../support/wait';

const t = tag();
const A = `vlwl${t}a`;
const B = `vlwl${t}b`;
const C = `vlwl${t}c`;
/** The promise: a change shows within a second. */
const WITHIN_MS = 1000;
let ts: TestServer;
let one: Recorder;
let two: Recorder;

const yaml = pairYaml('live', A, B);

/** Both browsers see a state satisfying `pred` within the promised time, counted from now. */
async function bothSee(pred: (s: LabState) => boolean, what: string): Promise<number> {
  const t0 = Date.now();
  const seen = (r: Recorder) => r.state !== undefined && pred(r.state);
  await until(`${what} within ${WITHIN_MS} ms`, () => {
    if (seen(one) && seen(two)) return true;
    throw new Error(`last state: ${JSON.stringify(one.state?.topology.nodes)}`);
  }, { timeoutMs: WITHIN_MS, everyMs: 10 });
  return Date.now() - t0;
}

before(async () => {
  ts = await startTestServer();
  one = await connect(ts.base, { auth: { token: ts.server.token } });
  two = await connect(ts.base, { auth: { token: ts.server.token }, transports: ['websocket'] });
  const r = await one.send('lab-edit', { op: 'load', yaml });
  assert.ok(r.ok, JSON.stringify(r));
});

after(async () => {
  one?.close();
  two?.close();
  await ts?.cleanup([A, B, C]);
});

test('a link set down by hand shows as down, and the log says it was observed', async () => {
  ip('-n', B, 'link', 'set', 'veth1', 'down');
  await bothSee((s) => s.topology.nodes[B]?.interfaces.veth1?.up === false, 'veth1 down');
  await until('the observed line in the log', () => one.log.some((e) => e.source === 'observed' && e.text.includes('veth1') && /down/.test(e.text)), { timeoutMs: WITHIN_MS, everyMs: 10 }).catch(() => undefined);
  const entry = one.log.find((e) => e.source === 'observed' && e.text.includes('veth1'));
  assert.ok(entry, `no observed entry; log: ${JSON.stringify(one.log.slice(-3))}`);
  assert.match(entry.text, new RegExp(`observed in ${B}: veth1 went down`));
  ip('-n', B, 'link', 'set', 'veth1', 'up');
  await bothSee((s) => s.topology.nodes[B]?.interfaces.veth1?.up === true, 'veth1 up again');
});

test('an address added by hand appears on its node', async () => {
  ip('-n', B, 'addr', 'add', '10.0.1.7/24', 'dev', 'veth1');
  await bothSee((s) => s.topology.nodes[B]?.interfaces.veth1?.addresses.includes('10.0.1.7/24') === true, 'the new address');
  assert.ok(one.log.some((e) => e.source === 'observed' && e.text === `observed in ${B}: address 10.0.1.7/24 added to veth1`));
});

test('a route added by hand appears on its node', async () => {
  ip('-n', A, 'route', 'add', '10.9.0.0/24', 'via', '10.0.1.1');
  await bothSee((s) => s.topology.nodes[A]?.routes.some((r) => r.to === '10.9.0.0/24' && r.via === '10.0.1.1') === true, 'the route');
});

test('a veth pair made by hand between two lab namespaces appears as an edge; one into a foreign namespace dangles', async () => {
  ip('-n', A, 'link', 'add', 'hand0', 'type', 'veth', 'peer', 'name', 'hand1', 'netns', B);
  await bothSee((s) => s.topology.links.some((l) => l.endpoints.some((e) => e.iface === 'hand0') && l.endpoints.some((e) => e.iface === 'hand1')), 'the hand-made pair');

  ip('netns', 'add', C); // not the lab's
  ip('-n', A, 'link', 'add', 'stray0', 'type', 'veth', 'peer', 'name', 'stray1', 'netns', C);
  await bothSee((s) => (s.topology.dangling ?? []).some((d) => d.endpoint.node === A && d.endpoint.iface === 'stray0' && d.peer === C), 'the dangling end');
});

test('an edit from the page while the kernel changes: one queue, both browsers converge on the kernel', async () => {
  const edit = one.send('lab-edit', { op: 'set-interface', node: A, iface: 'veth0', addresses: ['10.0.1.0/24', '10.0.1.100/24'], up: true });
  ip('-n', B, 'addr', 'add', '10.0.1.8/24', 'dev', 'veth1');
  assert.ok((await edit).ok);
  await bothSee(
    (s) => s.topology.nodes[A]?.interfaces.veth0?.addresses.includes('10.0.1.100/24') === true && s.topology.nodes[B]?.interfaces.veth1?.addresses.includes('10.0.1.8/24') === true,
    'both changes',
  );
  assert.deepEqual(one.state!.topology, two.state!.topology);
});

test('ping lights up the cable: traffic rates for both ends', async () => {
  const rates: TrafficRate[] = [];
  one.socket.on('traffic-update', (r) => rates.push(...r));
  // Echoes for 4 s, several of the meter's one-second samples: on a loaded machine a sample may hold one direction of a 1 s ping only.
  const ping = spawn('ip', ['netns', 'exec', A, 'ping', '-c', '20', '-i', '0.2', '-q', '10.0.1.1'], { stdio: 'ignore' });
  const pinged = new Promise((resolve) => ping.once('exit', resolve));
  const busy = (node: string, iface: string) => rates.some((r) => r.node === node && r.iface === iface && r.rxPps > 0 && r.txPps > 0);
  try {
    await until('rates on both ends', () => busy(A, 'veth0') && busy(B, 'veth1'), { everyMs: 50 }).catch(() => undefined);
  } finally {
    ping.kill();
    await pinged;
  }
  assert.ok(busy(A, 'veth0') && busy(B, 'veth1'), `no rates: ${JSON.stringify(rates)}`);
});

test('a namespace deleted from the host shell disappears with its cables', async () => {
  ip('netns', 'del', B);
  await bothSee((s) => !s.topology.nodes[B] && !s.topology.links.some((l) => l.endpoints.some((e) => e.node === B)), `${B} gone`);
  assert.ok(one.log.some((e) => e.source === 'observed' && e.text.includes(B)));
});
