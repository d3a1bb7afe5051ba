/**
 * The server with lab machines (its default mode), over socket.io on the real
 * kernel: the tutorials typed word for word in the host node's terminal and
 * followed by the canvas, two labs side by side whose tokens and events never
 * cross, what a view link can and cannot do, a payload built to overflow the
 * stack, a fork bomb that stops at the lab's limit, and a machine that the
 * CLI makes and ends beside the server, which the page follows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { connect, connectError, openShell, openTerminal, Screen, startTestServer, WAIT_MS, type Recorder, type TestServer } from './web-fixture';
import { until } from '../support/wait';
import { REPO, vethlab } from '../support/kernel';
import { realMachine } from '../machine/machine-fixture';
import type { LabState } from '../../server/protocol';
import { LAB_PIDS_MAX } from '../../server/machine/lab-cgroup';

let ts: TestServer;
let realBefore: string;
const clients: Recorder[] = [];

async function client(lab: string, token: string): Promise<Recorder> {
  const r = await connect(`${ts.base}/lab/${lab}`, { auth: { token } });
  clients.push(r);
  return r;
}

before(async () => {
  realBefore = realMachine();
  ts = await startTestServer({ realHost: false });
  ts.server.registry.create('second');
  ts.server.registry.create('third');
});

after(async () => {
  for (const c of clients) c.close();
  await ts?.cleanup([]);
  assert.equal(realMachine(), realBefore, "the real machine's network is as it was");
});

/** The host node's shell of a lab: the lab machine's root shell. */
const hostShell = (r: Recorder) => openShell(r, 'host');

const hasCable = (s: LabState, a: string, b: string) => s.topology.links.some((l) => l.endpoints.map((e) => e.node).sort().join() === [a, b].sort().join());

test("seed 004 typed word for word in the host node's terminal: the canvas follows, the ping gets 0% loss", async () => {
  const r = await client('default', ts.server.token);
  const sh = await hostShell(r);
  sh.type('ip link add veth0 type veth peer name veth1\n');
  await r.waitForState((s) => s.topology.nodes.host?.interfaces.veth0 !== undefined, 'the host node with veth0');
  sh.type('ip link show veth0\nip netns add vnet0\nip link set veth0 netns vnet0\n');
  await r.waitForState((s) => s.topology.nodes.vnet0?.interfaces.veth0 !== undefined, 'vnet0 with veth0');
  sh.type('ip -n vnet0 addr add 10.0.1.0/24 dev veth0\nip -n vnet0 link set veth0 up\nip -n vnet0 link set lo up\nip -n vnet0 addr show\n');
  sh.type('ip netns add vnet1\nip link set veth1 netns vnet1\nip -n vnet1 addr add 10.0.1.1/24 dev veth1\nip -n vnet1 link set veth1 up\nip -n vnet1 link set lo up\n');
  const state = await r.waitForState((s) => hasCable(s, 'vnet0', 'vnet1') && s.topology.nodes.vnet1?.interfaces.veth1?.up === true, 'the cable vnet0 - vnet1');
  assert.deepEqual(state.topology.nodes.vnet1.interfaces.veth1.addresses, ['10.0.1.1/24']);
  sh.type('ip netns exec vnet1 ping -c 3 -i 0.2 10.0.1.0\n');
  await sh.waitFor(/3 received, 0% packet loss/);
  assert.equal(realMachine(), realBefore, 'none of it is on the real machine');
  assert.ok(!r.log.some((e) => e.source === 'lab' && !e.bookkeeping && /alias vethlab/.test(e.text)), 'no ownership marks inside a lab machine');
  // `vethlab labs` counts the open shell, which lives in a group of its own inside the lab's.
  const labs = await vethlab(['labs'], ts.dataDir, { realHost: false });
  assert.equal(labs.code, 0, labs.stderr);
  assert.match(labs.stdout, /^default\s+running\s+\d+\s+1\s/m, labs.stdout);
});

test('seed 000 with its sudo, in a second lab of the same server', async () => {
  const r = await client('second', ts.server.registry.tokens('second').edit);
  const sh = await hostShell(r);
  sh.type('sudo ip link add veth1 type veth peer name veth0\nip netns add custom_namespace\nsudo ip link set veth1 netns custom_namespace\n');
  sh.type('ip addr add 192.168.1.1/24 dev veth0\nip link set veth0 up\nip -n custom_namespace addr add 192.168.1.2/24 dev veth1\nip -n custom_namespace link set veth1 up\nip -n custom_namespace link set lo up\n');
  sh.type('ip -n custom_namespace route add default via 192.168.1.1\n');
  await r.waitForState((s) => hasCable(s, 'host', 'custom_namespace'), 'the cable host - custom_namespace');
  sh.type('ip netns exec custom_namespace ping 192.168.1.1 -c 3 -i 0.2\nping 192.168.1.2 -c 3 -i 0.2\n');
  await sh.waitFor(/3 received, 0% packet loss[\s\S]*3 received, 0% packet loss/);
  assert.equal(realMachine(), realBefore);
});

test("a lab's token opens that lab only, and a lab's events reach only its own browsers", async () => {
  const second = ts.server.registry.tokens('second');
  assert.match(String(await connectError(`${ts.base}/lab/second`, { auth: { token: ts.server.token } })), /token/);
  assert.match(String(await connectError(`${ts.base}/lab/default`, { auth: { token: second.edit } })), /token/);
  assert.match(String(await connectError(`${ts.base}/lab/default`, { auth: { token: second.view } })), /token/);
  assert.match(String(await connectError(`${ts.base}/lab/nosuchlab`, { auth: { token: ts.server.token } })), /namespace|token/i);
  // The admin token opens both.
  const admin = new URL(ts.server.adminUrl).searchParams.get('token')!;
  assert.equal(await connectError(`${ts.base}/lab/second`, { auth: { token: admin } }), null);
  // An edit in one lab is heard only there.
  const one = await client('default', ts.server.token);
  const two = await client('second', second.edit);
  const heardByTwo = two.log.length;
  const r = await one.send('lab-edit', { op: 'add-node', kind: 'netns', name: 'only-in-default' });
  assert.ok(r.ok, JSON.stringify(r));
  await one.waitForState((s) => s.topology.nodes['only-in-default'] !== undefined);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(two.log.length, heardByTwo, "lab second's browser heard nothing of it");
  assert.ok(!two.states.some((s) => s.topology.nodes['only-in-default']));
});

test('a view link sees the lab and its terminals, and can neither edit, open, type nor close', async () => {
  const edit = await client('default', ts.server.token);
  const view = await client('default', ts.server.registry.tokens('default').view);
  const sh = await hostShell(edit);
  const before = JSON.stringify(view.state!.topology.nodes);
  const refused = await view.send('lab-edit', { op: 'add-node', kind: 'netns', name: 'viewer-made' });
  assert.equal(refused.ok, false);
  assert.match((refused as { error: string }).error, /view-only/);
  const open = await openTerminal(view, { node: 'host' });
  assert.equal(open.ok, false);
  const watch = new Screen(view, sh.id);
  await watch.attach();
  view.socket.emit('terminal-input', { id: sh.id, data: 'echo VIEWER-TYPED\n' });
  sh.type('echo EDITOR-$((40+2))\n');
  await watch.waitFor(/EDITOR-42/);
  assert.doesNotMatch(sh.text, /VIEWER-TYPED/);
  view.socket.emit('terminal-close', { id: sh.id });
  await new Promise((res) => setTimeout(res, 300));
  sh.type('echo STILL-$((1+1))\n');
  await sh.waitFor(/STILL-2/);
  assert.equal(JSON.stringify(view.state!.topology.nodes), before.includes('viewer-made') ? before : JSON.stringify(view.state!.topology.nodes));
  assert.ok(!view.state!.topology.nodes['viewer-made']);
});

test('a payload nested 10,000 deep gets its error reply, and the server keeps answering', async () => {
  const r = await client('default', ts.server.token);
  // Written as a raw socket.io packet: the client library itself cannot encode such a value.
  const deep = '['.repeat(10_000) + '"x"' + ']'.repeat(10_000);
  const engine = (r.socket as Socket).io.engine;
  const replies: string[] = [];
  engine.on('packet', (p: { type: string; data?: unknown }) => {
    if (p.type === 'message' && typeof p.data === 'string' && p.data.startsWith('3/lab/default,')) replies.push(p.data);
  });
  const events = ['terminal-open', 'lab-edit', 'lab-export'];
  events.forEach((event, i) => engine.write(`2/lab/default,${9000 + i}["${event}",${deep}]`));
  engine.write(`2/lab/default,9100["lab-edit",{"op":"load","yaml":${deep}}]`);
  await until('a reply to every bad payload', () => replies.length >= events.length + 1, { everyMs: 20 }).catch(() => undefined);
  assert.equal(replies.length, events.length + 1, `every bad payload got its reply: ${replies.map((x) => x.slice(0, 120)).join(' | ')}`);
  for (const reply of replies) assert.match(reply, /"ok":false/);
  const ok = await r.send('lab-export', { format: 'yaml' });
  assert.ok(ok.ok, 'the server still answers');
});

test("a fork bomb stops at the lab's pids limit; the server and the other lab keep answering", async () => {
  const bomb = await client('second', ts.server.registry.tokens('second').edit);
  const sh = await hostShell(bomb);
  // Bounded: the bomb's processes are all killed after 5 s.
  sh.type("timeout -s KILL 5 bash -c 'b() { b | b & }; b' 2>/dev/null; echo BOMB-OVER\n");
  const lab = ts.server.registry.lab('second');
  const cgroup = lab.machineHandle!.cgroup!;
  const pidsDir = cgroup.dirs.find((d) => d.includes('/pids/')) ?? cgroup.v2Dir!;
  const { readFileSync } = await import('node:fs');
  const current = () => Number(readFileSync(`${pidsDir}/pids.current`, 'utf8'));
  let peak = 0;
  await until('the bomb to reach the limit', () => (peak = Math.max(peak, current())) >= LAB_PIDS_MAX - 8, { timeoutMs: 3000, everyMs: 20 }).catch(() => undefined);
  assert.ok(peak >= LAB_PIDS_MAX - 8 && peak <= LAB_PIDS_MAX, `the bomb reached the limit and no further (peak ${peak} of ${LAB_PIDS_MAX})`);
  // Meanwhile the default lab answers an edit promptly.
  const other = await client('default', ts.server.token);
  const started = Date.now();
  const r = await other.send('lab-edit', { op: 'add-node', kind: 'netns', name: 'during-bomb' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(Date.now() - started < 5000, `the other lab's edit took ${Date.now() - started} ms`);
  await sh.waitFor(/BOMB-OVER/, 30_000);
  // The bomb's orphans live on inside the limit until their terminal is closed: that kills its whole cgroup.
  bomb.socket.emit('terminal-close', { id: sh.id });
  await until('closing the terminal to end the bomb', () => current() <= 10, { timeoutMs: 6000, everyMs: 20 }).catch(() => undefined);
  assert.ok(current() <= 10, `closing the terminal ended the bomb (${current()} processes left)`);
});

test("forwarding: the edit runs the tutorials' sysctl, and a sysctl typed in a terminal reaches the canvas", async () => {
  const r = await client('default', ts.server.token);
  assert.ok((await r.send('lab-edit', { op: 'add-node', kind: 'netns', name: 'router1' })).ok);
  const on = await r.send('lab-edit', { op: 'set-forwarding', node: 'router1', on: true });
  assert.ok(on.ok, JSON.stringify(on));
  await r.waitForState((s) => s.topology.nodes.router1?.forwarding === true, 'router1 forwarding');
  assert.ok(r.log.some((e) => e.text === 'ip netns exec router1 sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1' && e.status === 'ok'));
  const opened = await openTerminal(r, { node: 'router1' });
  assert.ok(opened.ok, JSON.stringify(opened));
  const sh = new Screen(r, opened.id);
  await sh.attach();
  sh.type('sysctl -w net.ipv4.ip_forward=0\n');
  await r.waitForState((s) => s.topology.nodes.router1 !== undefined && s.topology.nodes.router1.forwarding === undefined, 'router1 no longer forwarding, seen by the watcher');
});

test('a lab machine made, ended and made again by the CLI beside the server: the browsers follow it', async () => {
  const file = path.join(REPO, 'public/topologies/two-namespaces.yml');
  const token = ts.server.registry.tokens('third').edit;
  const r = await client('third', token);
  assert.deepEqual(Object.keys(r.state!.topology.nodes), [], 'an empty lab, with no machine yet');
  const cli = async (args: string[]) => {
    const run = await vethlab([args[0], '--lab', 'third', ...args.slice(1)], ts.dataDir, { realHost: false });
    assert.equal(run.code, 0, run.stderr);
  };
  const both = (s: LabState) => s.topology.nodes.vnet0 !== undefined && s.topology.nodes.vnet1 !== undefined;
  // The CLI makes the machine: the server has not, and must notice it.
  await cli(['apply', file]);
  const applied = await r.waitForState((s) => both(s) && hasCable(s, 'vnet0', 'vnet1'), 'the CLI’s lab on the open page');
  assert.deepEqual(applied.topology.nodes.vnet1.interfaces.veth1.addresses, ['10.0.1.1/24']);
  const late = await client('third', token);
  assert.ok(both(late.state!), `a browser that comes after sees it too: ${JSON.stringify(Object.keys(late.state!.topology.nodes))}`);
  // The server works in that machine: a ping from a terminal crosses the CLI's cable.
  const opened = await openTerminal(r, { node: 'vnet0', ping: '10.0.1.1' });
  assert.ok(opened.ok, JSON.stringify(opened));
  const ping = new Screen(r, opened.id);
  await ping.attach();
  await ping.waitFor(/3 received, 0% packet loss/);
  // The CLI ends the machine: the page empties.
  const states = r.states.length;
  await cli(['destroy']);
  await r.waitForState((s) => r.states.indexOf(s) >= states && Object.keys(s.topology.nodes).length === 0, 'an empty lab after the CLI’s destroy');
  // And makes a new one: the page follows the new machine, and its changes.
  await cli(['apply', file]);
  await r.waitForState((s) => r.states.indexOf(s) >= states && both(s), 'the lab again, in a new machine');
  await cli(['exec', 'vnet0', '--', 'ip', 'addr', 'add', '10.0.9.1/24', 'dev', 'veth0']);
  await r.waitForState((s) => s.topology.nodes.vnet0?.interfaces.veth0?.addresses.includes('10.0.9.1/24') === true, 'an address added by `vethlab exec` in the new machine');
  await cli(['destroy']);
});
