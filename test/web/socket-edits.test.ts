/**
 * Edits over the socket reach the kernel, every browser sees the same
 * state, and bad payloads change nothing. Real kernel, real server; traffic
 * only between this test's own namespaces.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_SOCKET_MESSAGE_BYTES, type Ack, type LabState } from '../../server/protocol';
import type { Socket } from 'socket.io-client';
import { connect, ipJson, netnsNames, sleep, startTestServer, tag, type Recorder, type TestServer } from './web-fixture';
import { steady, until, WAIT_MS } from '../support/wait';

const t = tag();
const A = `vlw-${t}-a`;
const B = `vlw-${t}-b`;
const C = `vlw-${t}-c`;
const RENAMED = `vlw-${t}-r`;
const D = `vlw-${t}-d`;
const E = `vlw-${t}-e`;
const OWN = [A, B, C, RENAMED, D, E];
/** A /30 inside 10.214.0.0/16 for this run; only this test's two namespaces hold it. */
const NET = `10.214.${randomInt(0, 256)}`;
const ADDR_A = `${NET}.1`;
const ADDR_B = `${NET}.2`;

let ts: TestServer;
let one: Recorder;
let two: Recorder;
const hostEnds: string[] = [];

before(async () => {
  ts = await startTestServer();
  one = await connect(ts.base, { auth: { token: ts.server.token } });
  two = await connect(ts.base, { auth: { token: ts.server.token }, transports: ['websocket'] });
});

after(async () => {
  one?.close();
  two?.close();
  await ts?.cleanup(OWN, hostEnds);
});

interface IpAddr {
  ifname: string;
  addr_info: { local: string; prefixlen: number; family: string }[];
}

function addressesIn(ns: string): string[] {
  return ipJson<IpAddr[]>('-n', ns, 'addr')
    .flatMap((l) => l.addr_info.filter((a) => a.family === 'inet' && !a.local.startsWith('127.')).map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`))
    .sort();
}

/** The lab as the kernel has it, without the traffic counters (IPv6 neighbour discovery keeps them moving). */
async function labNow(): Promise<unknown> {
  const { topology } = await ts.server.lab.observe();
  return JSON.parse(JSON.stringify(topology, (key, value) => (key === 'stats' ? undefined : value)));
}

function endOf(state: LabState, node: string, peer: string): string {
  const link = state.topology.links.find((l) => l.endpoints.some((e) => e.node === node) && l.endpoints.some((e) => e.node === peer));
  assert.ok(link, `a link between ${node} and ${peer} in ${JSON.stringify(state.topology.links)}`);
  return link.endpoints.find((e) => e.node === node)!.iface;
}

test('a new browser gets the state and the log history', () => {
  assert.ok(one.state, 'lab-state on connect');
  assert.equal(typeof one.state.version, 'number');
  assert.deepEqual(one.state.topology.links, []);
});

test('edits reach the kernel, and two browsers converge', async () => {
  assert.deepEqual(await one.send('lab-edit', { op: 'add-node', kind: 'netns', name: A, position: { x: 100, y: 50 } }), { ok: true });
  assert.deepEqual(await one.send('lab-edit', { op: 'add-node', kind: 'netns', name: B }), { ok: true });
  assert.ok(netnsNames().includes(A) && netnsNames().includes(B));

  assert.deepEqual(await two.send('lab-edit', { op: 'add-link', a: A, b: B }), { ok: true });
  const linked = one.state!;
  const ifA = endOf(linked, A, B);
  const ifB = endOf(linked, B, A);
  assert.ok(Buffer.byteLength(ifA) <= 15 && Buffer.byteLength(ifB) <= 15);

  assert.deepEqual(await one.send('lab-edit', { op: 'set-interface', node: A, iface: ifA, addresses: [`${ADDR_A}/30`], up: true }), { ok: true });
  assert.deepEqual(await two.send('lab-edit', { op: 'set-interface', node: B, iface: ifB, addresses: [`${ADDR_B}/30`], up: true }), { ok: true });

  assert.deepEqual(addressesIn(A), [`${ifA} ${ADDR_A}/30`]);
  assert.deepEqual(addressesIn(B), [`${ifB} ${ADDR_B}/30`]);
  execFileSync('ip', ['netns', 'exec', A, 'ping', '-c', '1', '-W', '1', ADDR_B], { stdio: 'ignore' });

  // Both browsers got every broadcast, in the same order, with increasing versions.
  await two.waitForState((s) => s.version === one.state!.version, 'the second browser to catch up');
  const versions = (r: Recorder) => r.states.slice(1).map((s) => s.version);
  assert.deepEqual(versions(two), versions(one));
  assert.ok(versions(one).every((v, i, all) => i === 0 || v > all[i - 1]), `increasing: ${versions(one)}`);
  assert.deepEqual(two.state, one.state);
  assert.deepEqual(one.state!.topology.nodes[A].interfaces[ifA].addresses, [`${ADDR_A}/30`]);
  assert.deepEqual(one.state!.topology.nodes[A].position, { x: 100, y: 50 });
  // ...and the same log lines.
  assert.ok(two.log.some((e) => e.text === `ip netns add ${A}` && e.status === 'ok'), 'the second browser saw the commands');
});

test('moving nodes changes the diagram only, for every browser, and persists', async () => {
  const before = one.log.length;
  assert.deepEqual(await two.send('lab-edit', { op: 'move-nodes', positions: { [A]: { x: 10.4, y: 20 }, [B]: { x: 300, y: 40 }, 'vlw-gone': { x: 1, y: 1 } } }), { ok: true });
  const moved = await one.waitForState((s) => s.topology.nodes[A]?.position?.x === 10 && s.topology.nodes[B]?.position?.x === 300, 'moved positions');
  assert.deepEqual(moved.topology.nodes[B].position, { x: 300, y: 40 });
  await sleep(100);
  assert.equal(one.log.length, before, 'no command ran');
  const record = JSON.parse(await readFile(path.join(ts.dataDir, 'real-host', 'lab.json'), 'utf8'));
  assert.deepEqual(record.positions[A], { x: 10, y: 20 });
  assert.equal(record.positions['vlw-gone'], undefined);
});

test('a link to the host gets a short host end that is the lab\'s', async () => {
  assert.deepEqual(await one.send('lab-edit', { op: 'add-node', kind: 'host', position: { x: 0, y: 0 } }), { ok: true });
  const shown = one.state!;
  const host = Object.keys(shown.topology.nodes).find((n) => shown.topology.nodes[n].kind === 'host');
  assert.ok(host, 'the host is shown before it has a cable');
  assert.deepEqual(await one.send('lab-edit', { op: 'add-link', a: host, b: A }), { ok: true });
  const end = endOf(one.state!, host, A);
  hostEnds.push(end);
  assert.match(end, /^veth\d+$/, 'the first free vethN on the machine, as the tutorials name them');
  assert.ok(Buffer.byteLength(end) <= 15);
  const [link] = ipJson<{ ifname: string; ifalias?: string }[]>('link', 'show', 'dev', end);
  assert.equal(link.ifalias, `vethlab:${JSON.parse(await readFile(path.join(ts.dataDir, 'real-host', 'lab.json'), 'utf8')).labId}`);
  assert.deepEqual(await one.send('lab-edit', { op: 'delete-node', name: host }), { ok: true });
  assert.deepEqual(ipJson<{ ifname: string }[]>('link', 'show', 'type', 'veth').filter((l) => l.ifname === end), [], 'the host end is gone');
});

test('rename and delete keep the kernel and the state in step', async () => {
  assert.deepEqual(await one.send('lab-edit', { op: 'add-node', kind: 'netns', name: C }), { ok: true });
  assert.deepEqual(await one.send('lab-edit', { op: 'rename-node', from: C, to: RENAMED }), { ok: true });
  assert.ok(netnsNames().includes(RENAMED) && !netnsNames().includes(C));
  assert.deepEqual(await one.send('lab-edit', { op: 'delete-node', name: RENAMED }), { ok: true });
  assert.ok(!netnsNames().includes(RENAMED));
  assert.equal(one.state!.topology.nodes[RENAMED], undefined);
});

test('a change reaches the browsers as a patch of the nodes it changed; lab-resync gives the whole state', async () => {
  for (const n of [D, E]) assert.deepEqual(await one.send('lab-edit', { op: 'add-node', kind: 'netns', name: n }), { ok: true });
  const from = two.patches.length;
  assert.deepEqual(await one.send('lab-edit', { op: 'move-nodes', positions: { [D]: { x: 777, y: 7 } } }), { ok: true });
  const moved = await two.waitForState((s) => s.topology.nodes[D]?.position?.x === 777, 'D moved');
  const patch = two.patches.slice(from).find((p) => p.patch.nodes[D]);
  assert.ok(patch, `the move came as a patch, not the whole lab (${two.patches.length - from} patches since)`);
  assert.ok(JSON.stringify(patch).length < JSON.stringify(moved).length / 2, 'a patch is shorter than the state');
  assert.ok(Object.keys(patch.patch.nodes).length < Object.keys(moved.topology.nodes).length);
  assert.equal(one.resyncs + two.resyncs, 0, 'every patch so far fit the state it came to');
  const r = (await (two.socket as unknown as Socket).timeout(WAIT_MS).emitWithAck('lab-resync', {})) as Ack<{ state: LabState }>;
  assert.ok(r.ok);
  const now = two.state!;
  if (r.state.version === now.version) assert.deepEqual(r.state, now, 'what the patches made is what the server has');
  for (const n of [D, E]) assert.deepEqual(await one.send('lab-edit', { op: 'delete-node', name: n }), { ok: true });
});

test('export gives the lab as YAML and as a script', async () => {
  const yaml = await one.send('lab-export', { format: 'yaml' });
  assert.ok(yaml.ok && yaml.text?.includes(`${A}:`) && yaml.text.includes(`${ADDR_A}/30`), JSON.stringify(yaml));
  const sh = await one.send('lab-export', { format: 'sh' });
  assert.ok(sh.ok && sh.text?.startsWith('#!/usr/bin/env bash') && sh.text.includes(`ip netns add ${A}`), JSON.stringify(sh));
  const bad = await one.send('lab-export', { format: 'pdf' });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.field, 'format');
});

const LONG = 'x'.repeat(MAX_SOCKET_MESSAGE_BYTES / 2 + 1);

const badPayloads: { name: string; payload: unknown; field: string | undefined; mentions?: string }[] = [
  { name: 'an unknown op', payload: { op: 'format-disk' }, field: 'op', mentions: 'format-disk' },
  { name: 'no op', payload: { name: A }, field: 'op' },
  { name: 'not an object', payload: 'add-node', field: undefined, mentions: 'object' },
  { name: 'a name with a shell character', payload: { op: 'add-node', kind: 'netns', name: 'a;b' }, field: 'name', mentions: 'a;b' },
  { name: 'a name with a path', payload: { op: 'add-node', kind: 'netns', name: '../x' }, field: 'name', mentions: '../x' },
  { name: 'a 16-byte interface', payload: { op: 'set-interface', node: A, iface: 'abcdefghijklmnop', addresses: [], up: true }, field: 'iface', mentions: '16 bytes' },
  { name: 'a bad prefix', payload: { op: 'set-interface', node: A, iface: 'lo', addresses: ['10.0.0.1/33'], up: true }, field: 'addresses.0', mentions: '10.0.0.1/33' },
  { name: 'a missing field', payload: { op: 'add-link', a: A }, field: 'b' },
  { name: 'a wrong type', payload: { op: 'set-interface', node: A, iface: 'lo', addresses: [], up: 'yes' }, field: 'up', mentions: 'yes' },
  { name: 'a bad key in positions', payload: { op: 'move-nodes', positions: { 'a b': { x: 1, y: 2 } } }, field: 'positions.a b', mentions: 'a b' },
  { name: 'a file too big', payload: { op: 'load', yaml: LONG }, field: 'yaml' },
  { name: 'a node that is not there', payload: { op: 'delete-node', name: `vlw-${t}-none` }, field: 'name', mentions: `vlw-${t}-none` },
  { name: 'a route through nothing', payload: { op: 'set-routes', node: A, routes: [{ to: '10.99.0.0/24', dev: 'nope0' }] }, field: 'routes.0.dev', mentions: 'nope0' },
  { name: 'a foreign namespace name', payload: { op: 'add-node', kind: 'netns', name: `vlw-${t}-foreign` }, field: 'name', mentions: 'not the lab' },
];

test('bad payloads are refused with the field named, and change nothing', async (tt) => {
  execFileSync('ip', ['netns', 'add', `vlw-${t}-foreign`]);
  tt.after(() => execFileSync('ip', ['netns', 'del', `vlw-${t}-foreign`]));
  // Carriers of links made by the tests before come up a moment later (the kernel's link watch waits up to a second), and that is broadcast: let it pass.
  await until('every cable that is up at both ends to have its carrier', async () => {
    const { topology } = await ts.server.lab.observe();
    return topology.links.every((l) => {
      const ends = l.endpoints.map((e) => topology.nodes[e.node]?.interfaces[e.iface]);
      return !ends.every((i) => i?.up) || ends.every((i) => i?.state === 'UP');
    });
  });
  await steady('the lab to settle', () => String(one.state!.version), { everyMs: 400 });
  const labBefore = await labNow();
  const mine = () => netnsNames().filter((n) => n.includes(t) || /^ns\d+$/.test(n) || n.includes(';') || n.includes('/'));
  const nsBefore = mine();
  const versionBefore = one.state!.version;
  for (const c of badPayloads) {
    const ack = await one.send('lab-edit', c.payload);
    assert.equal(ack.ok, false, `${c.name}: ${JSON.stringify(ack)}`);
    if (ack.ok) continue;
    assert.equal(ack.field, c.field, `${c.name}: ${ack.error}`);
    if (c.field) assert.ok(ack.error.startsWith(`${c.field}:`), `${c.name}: "${ack.error}" starts with the field`);
    if (c.mentions) assert.ok(ack.error.includes(c.mentions), `${c.name}: "${ack.error}" mentions ${c.mentions}`);
  }
  assert.deepEqual(mine(), nsBefore);
  assert.deepEqual(await labNow(), labBefore);
  assert.equal(one.state!.version, versionBefore, 'no state was broadcast');
});

test('a request without an acknowledgement is handled, and one too big only drops its sender', async () => {
  const labBefore = await labNow();
  (one.socket as any).emit('lab-edit', { op: 'bogus' });
  (one.socket as any).emit('lab-export', { format: 'yaml' }, 'not a function');
  const third = await connect(ts.base, { auth: { token: ts.server.token }, transports: ['websocket'] });
  const dropped = new Promise<string>((resolve) => third.socket.once('disconnect', (reason) => resolve(reason)));
  third.socket.emit('lab-edit', { op: 'load', yaml: 'y'.repeat(MAX_SOCKET_MESSAGE_BYTES + 1) } as any, () => assert.fail('no answer to a message over the limit'));
  assert.match(await dropped, /transport/);
  // The server is still there for everyone else, and nothing changed.
  assert.deepEqual(await one.send('lab-edit', { op: 'move-nodes', positions: {} }), { ok: true });
  assert.deepEqual(await labNow(), labBefore);
});

test('destroy removes the lab, and the browsers see it empty', async () => {
  assert.deepEqual(await two.send('lab-edit', { op: 'destroy' }), { ok: true });
  await one.waitForState((s) => Object.keys(s.topology.nodes).length === 0, 'an empty lab');
  assert.ok(!netnsNames().some((n) => OWN.includes(n)));
});
