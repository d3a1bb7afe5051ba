/**
 * Packet captures through the server, on the real kernel inside a lab
 * machine: seed 004's lab, a capture on its cable, a ping typed in a
 * terminal; the packets come in order with their addresses and directions,
 * the download is the same packets for tshark, every bad payload is refused
 * by name, and deleting the namespace ends its capture and its process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { connect, openShell, startTestServer, WAIT_MS, type Recorder, type TestServer } from './web-fixture';
import { until } from '../support/wait';
import { hasEnded, watchProcess } from '../support/process';
import { REPO } from '../support/kernel';
import type { Ack, CaptureList, PacketBatch, PacketDetail, PacketSummary } from '../../server/protocol';

const CABLE = 'vnet0:veth0 <-> vnet1:veth1';
let ts: TestServer;
let r: Recorder;
const packets: PacketSummary[] = [];
let lists: CaptureList[] = [];
/** How many packets had come when each list came: what arrived before a list, and what after. */
const packetsAtList: number[] = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'vl-capture-'));

async function ask<T extends object>(event: string, payload: unknown, socket = r.socket): Promise<Ack<T>> {
  return (await (socket as Socket).timeout(WAIT_MS).emitWithAck(event, payload)) as Ack<T>;
}

before(async () => {
  ts = await startTestServer({ realHost: false });
  r = await connect(`${ts.base}/lab/default`, { auth: { token: ts.server.token } });
  r.socket.on('packets', (b: PacketBatch) => packets.push(...b.packets));
  r.socket.on('capture-list', (l: CaptureList) => {
    lists.push(l);
    packetsAtList.push(packets.length);
  });
  const loaded = await r.send('lab-edit', { op: 'load', yaml: readFileSync(path.join(REPO, 'public/topologies/two-namespaces.yml'), 'utf8') });
  assert.ok(loaded.ok, JSON.stringify(loaded));
});

after(async () => {
  r?.close();
  await ts?.cleanup([]);
  rmSync(scratch, { recursive: true, force: true });
});

const running = (key: string) => lists.at(-1)?.captures.some((c) => c.key === key && c.running) ?? false;

test('the seed 004 cable captured while a ping is typed: ARP request and reply, then the echoes, in order and in their directions', async () => {
  const watched = await ask<CaptureList>('capture-watch', { scope: { link: CABLE } });
  assert.ok(watched.ok, JSON.stringify(watched));
  await until('the capture on vnet0:veth0 to listen', () => running('vnet0:veth0'));

  const sh = await openShell(r, 'vnet0', { cols: 100, rows: 30 });
  sh.type('ping -c 3 -i 0.3 10.0.1.1\n');
  await sh.waitFor(/3 received/);
  await until('six ICMP packets in the list', () => packets.filter((p) => p.protocol === 'ICMP').length >= 6);

  const seen = packets.filter((p) => p.protocol === 'ARP' || p.protocol === 'ICMP').slice(0, 8);
  const words = seen.map((p) => `${p.from} > ${p.to}: ${p.summary.replace(/is-at [0-9a-f:]+/, 'is-at MAC').replace(/id \d+/, 'id N')}`);
  assert.deepEqual(words, [
    'vnet0:veth0 > vnet1:veth1: ARP, Request who-has 10.0.1.1 tell 10.0.1.0, length 28',
    'vnet1:veth1 > vnet0:veth0: ARP, Reply 10.0.1.1 is-at MAC, length 28',
    'vnet0:veth0 > vnet1:veth1: IP 10.0.1.0 > 10.0.1.1: ICMP echo request, id N, seq 1, length 64',
    'vnet1:veth1 > vnet0:veth0: IP 10.0.1.1 > 10.0.1.0: ICMP echo reply, id N, seq 1, length 64',
    'vnet0:veth0 > vnet1:veth1: IP 10.0.1.0 > 10.0.1.1: ICMP echo request, id N, seq 2, length 64',
    'vnet1:veth1 > vnet0:veth0: IP 10.0.1.1 > 10.0.1.0: ICMP echo reply, id N, seq 2, length 64',
    'vnet0:veth0 > vnet1:veth1: IP 10.0.1.0 > 10.0.1.1: ICMP echo request, id N, seq 3, length 64',
    'vnet1:veth1 > vnet0:veth0: IP 10.0.1.1 > 10.0.1.0: ICMP echo reply, id N, seq 3, length 64',
  ]);
  // The reply names the MAC address the kernel gave veth1.
  const mac = r.state!.topology.nodes.vnet1.interfaces.veth1.mac;
  assert.match(seen[1].summary, new RegExp(`is-at ${mac}`));
  assert.ok(seen.every((p) => p.link === CABLE && p.node === 'vnet0'), 'tapped once, at vnet0:veth0');
  assert.deepEqual(seen[0].layers, [['link', 'Ethernet'], ['network', 'ARP']]);
  assert.deepEqual(seen[2].layers, [['link', 'Ethernet'], ['network', 'IPv4'], ['transport', 'ICMP']]);

  // One packet opened: its headers layer by layer, and its bytes.
  const d = await ask<{ detail: PacketDetail }>('packet-detail', { id: seen[0].id });
  assert.ok(d.ok, JSON.stringify(d));
  assert.deepEqual(d.detail.layers.map((l) => l.name), ['Ethernet', 'ARP']);
  assert.ok(d.detail.layers[0].fields.some((f) => f.label === 'Destination' && f.value.startsWith('ff:ff:ff:ff:ff:ff')), JSON.stringify(d.detail.layers[0]));
  assert.ok(d.detail.hex.startsWith('ffffffffffff'), d.detail.hex.slice(0, 24));
  assert.equal(d.detail.hex.length, 2 * 42, 'an ARP frame on a veth is 42 bytes');

  // The download, read by tshark: the same packets, in the same order and directions.
  const dl = await ask<{ name: string; data: Buffer; packets: number }>('capture-download', { link: CABLE });
  assert.ok(dl.ok, JSON.stringify(dl).slice(0, 300));
  assert.match(dl.name, /^default-vnet0_veth0-.*\.pcapng$/);
  const file = path.join(scratch, dl.name);
  writeFileSync(file, Buffer.from(dl.data));
  const rows = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'frame.protocols', '-e', 'frame.packet_flags_direction', '-e', 'icmp.seq', '-e', 'arp.opcode'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split('|'));
  assert.equal(rows.length, dl.packets);
  const tsharkSeen = rows.filter((c) => /:(arp|icmp)(:|$)/.test(c[1])).slice(0, 8);
  assert.deepEqual(
    tsharkSeen.map((c) => `${c[2]} ${c[4] ? `arp ${c[4]}` : `icmp ${c[3]}`}`),
    // 0x2 outbound (vnet0 sent it), 0x1 inbound.
    ['2 arp 1', '1 arp 2', '2 icmp 1', '1 icmp 1', '2 icmp 2', '1 icmp 2', '2 icmp 3', '1 icmp 3'].map((s) => s.replace(/^(\d)/, (d) => `0x0000000${d}`)),
  );
});

test('bad capture payloads are refused by name and change nothing', async () => {
  const before = JSON.stringify(lists.at(-1));
  const cases: [string, unknown, RegExp][] = [
    ['capture-watch', { scope: { node: 'nope' } }, /node nope is not in the lab/],
    ['capture-watch', { scope: { link: 5 } }, /scope/],
    ['capture-watch', { scope: { node: 'vnet0', iface: 'x'.repeat(40) } }, /scope/],
    ['capture-watch', { scope: { node: 'vnet0' }, extra: 1 }, /extra|unrecognized/i],
    ['packet-detail', { id: -1 }, /^id:/],
    ['packet-detail', { id: 999_999_999 }, /no longer kept/],
    ['capture-filter', { expression: 'icmp oor arp' }, /not valid: .*syntax error/],
    ['capture-filter', { expression: 'icmp; rm -rf /' }, /character/],
    ['capture-download', { last: 'all' }, /^last:/],
  ];
  for (const [event, payload, error] of cases) {
    const a = await ask(event, payload);
    assert.equal(a.ok, false, `${event} ${JSON.stringify(payload)} was accepted`);
    assert.match((a as { error: string }).error, error, `${event} ${JSON.stringify(payload)}`);
  }
  assert.equal(JSON.stringify(lists.at(-1)), before);

  const view = await connect(`${ts.base}/lab/default`, { auth: { token: ts.server.registry.tokens('default').view } });
  try {
    const refused = await ask('capture-filter', { expression: 'icmp' }, view.socket);
    assert.equal(refused.ok, false);
    assert.match((refused as { error: string }).error, /view-only/);
  } finally {
    view.close();
  }
});

test('a capture expression restarts the captures with it: from the first list that names it on, only what it matches arrives', async () => {
  // UDP floods the cable while the expression changes from icmp to udp and back: what an old capture caught comes
  // before the list that names the new expression, never after it.
  const sh = await openShell(r, 'vnet0', { cols: 100, rows: 30 });
  sh.type('while :; do echo x > /dev/udp/10.0.1.1/9; done\n');
  await until('UDP on the cable', () => packets.at(-1)?.protocol === 'UDP');
  const firstList = lists.length;
  for (const expression of ['icmp', 'udp', 'icmp', 'udp', 'icmp', 'udp']) {
    const set = await ask('capture-filter', { expression });
    assert.ok(set.ok, JSON.stringify(set));
    await until(`the capture to listen with ${expression}`, () => lists.at(-1)?.filter === expression && running('vnet0:veth0'));
    // The UDP itself, or the ICMP port unreachable it brings back (at the rate the kernel allows).
    await until(`a packet that ${expression} matches`, () => packets.length > packetsAtList.at(-1)!);
  }
  sh.type('\x03');
  await sh.waitFor(/\^C[\s\S]*# $/);
  const ends = [...packetsAtList.slice(firstList), packets.length];
  for (let i = firstList; i < lists.length; i++) {
    const { filter } = lists[i];
    if (!filter) continue;
    const kinds = new Set(packets.slice(packetsAtList[i], ends[i - firstList + 1]).map((p) => p.protocol));
    assert.deepEqual([...kinds].filter((k) => k !== filter.toUpperCase()), [], `after the list of ${filter}, only ${filter.toUpperCase()}`);
  }
  assert.ok((await ask('capture-filter', { expression: '' })).ok);
});

test('a browser that disconnects lets go of its captures', async () => {
  const other = await connect(`${ts.base}/lab/default`, { auth: { token: ts.server.token } });
  const w = await ask('capture-watch', { scope: { node: 'vnet1', iface: 'lo' } }, other.socket);
  assert.ok(w.ok, JSON.stringify(w));
  const hub = await ts.server.hub('default');
  await until("a tcpdump for vnet1:lo beside the cable's", () => hub.captures.pids().length === 2);
  const cable = hub.captures.pids()[0];
  const tcpdump = watchProcess(hub.captures.pids()[1]);
  other.close();
  await until('tcpdump to end when nobody watches', () => hasEnded(tcpdump));
  assert.deepEqual(hub.captures.pids(), [cable], 'the cable, still watched by the first browser, goes on');
});

test('deleting the namespace ends its capture and leaves no capture process', async () => {
  const hub = await ts.server.hub('default');
  const pids = hub.captures.pids();
  assert.equal(pids.length, 1, 'one tcpdump for the cable');
  const tcpdump = watchProcess(pids[0]);
  const deleted = await r.send('lab-edit', { op: 'delete-node', name: 'vnet0' });
  assert.ok(deleted.ok, JSON.stringify(deleted));
  await until('tcpdump to end', () => hasEnded(tcpdump));
  await until('the list to show no running capture', () => lists.at(-1)?.captures.every((c) => !c.running) ?? false);
  assert.deepEqual(hub.captures.pids(), []);
  // The packets stay for the list and the download.
  const dl = await ask<{ packets: number }>('capture-download', {});
  assert.ok(dl.ok && dl.packets > 8);
});
