/**
 * The decoders against tcpdump itself: every frame here is written to a pcap
 * file and read back with `tcpdump -n -t`; the summary must be tcpdump's
 * line, word for word. Then the fields, the follow key and broken frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dissect, LINKTYPE_ETHERNET } from '../../server/capture/decode/dissect';
import { arp, dns, ethernet, icmpEcho, icmpError, icmpv6, ipv4, ipv6, mac, pcapFile, tcp, udp, v6 } from './frames';

const A = 'aa:00:00:00:00:01';
const B = 'aa:00:00:00:00:02';
const BCAST = 'ff:ff:ff:ff:ff:ff';
const IPV4 = 0x0800;
const IPV6 = 0x86dd;

const FRAMES: [string, Buffer][] = [
  ['ARP request', ethernet(BCAST, A, 0x0806, arp(1, A, '10.0.1.0', '00:00:00:00:00:00', '10.0.1.1'))],
  ['ARP reply', ethernet(A, B, 0x0806, arp(2, B, '10.0.1.1', A, '10.0.1.0'))],
  ['echo request', ethernet(B, A, IPV4, ipv4('10.0.1.0', '10.0.1.1', 1, icmpEcho(8, 3, 1)))],
  ['echo reply', ethernet(A, B, IPV4, ipv4('10.0.1.1', '10.0.1.0', 1, icmpEcho(0, 3, 1)))],
  ['port unreachable', ethernet(A, B, IPV4, ipv4('10.0.2.2', '10.0.1.0', 1, icmpError(3, 3, ipv4('10.0.1.0', '10.0.2.2', 17, udp(40000, 33434, [1, 2, 3, 4])))))],
  ['time exceeded', ethernet(A, B, IPV4, ipv4('10.0.1.254', '10.0.1.0', 1, icmpError(11, 0, ipv4('10.0.1.0', '10.0.2.2', 17, udp(40000, 33434, [1, 2, 3, 4])))))],
  ['UDP', ethernet(B, A, IPV4, ipv4('10.0.1.0', '10.0.1.1', 17, udp(5000, 6000, [1, 2, 3, 4])))],
  ['DNS query', ethernet(B, A, IPV4, ipv4('10.0.1.0', '10.0.1.1', 17, udp(40000, 53, dns({ type: 'query', id: 4660, flags: 256, questions: [{ type: 'A', name: 'example.lab' }] }))))],
  [
    'DNS answer',
    ethernet(A, B, IPV4, ipv4('10.0.1.1', '10.0.1.0', 17, udp(53, 40000, dns({ type: 'response', id: 4660, flags: 0x8000, questions: [{ type: 'A', name: 'example.lab' }], answers: [{ type: 'A', name: 'example.lab', ttl: 60, data: '10.0.1.1' }] })))),
  ],
  ['TCP SYN', ethernet(B, A, IPV4, ipv4('10.0.1.0', '10.0.1.1', 6, tcp(40000, 80, 100, 0, 0x02)))],
  ['TCP SYN-ACK', ethernet(A, B, IPV4, ipv4('10.0.1.1', '10.0.1.0', 6, tcp(80, 40000, 500, 101, 0x12)))],
  ['IPv6 echo', ethernet(B, A, IPV6, ipv6('fd00::1', 'fd00::2', 58, icmpv6(128, 0, [0, 5, 0, 1, ...Array(56).fill(0)])))],
  ['neighbour solicitation', ethernet('33:33:ff:00:00:02', A, IPV6, ipv6('fe80::1', 'ff02::1:ff00:2', 58, icmpv6(135, 0, [0, 0, 0, 0, ...v6('fe80::2'), 1, 1, ...mac(A)]), { hopLimit: 255 }))],
  ['neighbour advertisement', ethernet(A, B, IPV6, ipv6('fe80::2', 'fe80::1', 58, icmpv6(136, 0, [0x60, 0, 0, 0, ...v6('fe80::2'), 2, 1, ...mac(B)]), { hopLimit: 255 }))],
  ['router solicitation', ethernet('33:33:00:00:00:02', A, IPV6, ipv6('fe80::1', 'ff02::2', 58, icmpv6(133, 0, [0, 0, 0, 0]), { hopLimit: 255 }))],
  ['MLDv2 report', ethernet('33:33:00:00:00:16', A, IPV6, ipv6('fe80::1', 'ff02::16', 58, icmpv6(143, 0, [0, 0, 0, 1, 4, 0, 0, 0, ...v6('ff02::1:ff00:1')]), { hopLimit: 1, hopByHop: true }))],
];

test("each frame's summary is tcpdump's own line for it", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vl-decode-'));
  try {
    const file = path.join(dir, 'frames.pcap');
    writeFileSync(file, pcapFile(FRAMES.map(([, f]) => f)));
    const lines = execFileSync('tcpdump', ['-r', file, '-n', '-t'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    assert.equal(lines.length, FRAMES.length);
    FRAMES.forEach(([what, frame], i) => assert.equal(dissect(frame, LINKTYPE_ETHERNET).summary, lines[i], what));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('layers are coloured by their place in the stack, and carry their fields and bytes', () => {
  const d = dissect(FRAMES[7][1], LINKTYPE_ETHERNET);
  assert.deepEqual(
    d.layers.map((l) => [l.kind, l.name, l.start, l.end]),
    [
      ['link', 'Ethernet', 0, 14],
      ['network', 'IPv4', 14, 34],
      ['transport', 'UDP', 34, 42],
      ['application', 'DNS', 42, FRAMES[7][1].length],
    ],
  );
  assert.equal(d.protocol, 'DNS');
  const ip = Object.fromEntries(d.layers[1].fields().map((f) => [f.label, f.value]));
  assert.equal(ip.Source, '10.0.1.0');
  assert.equal(ip.TTL, '64');
  assert.equal(ip.Protocol, 'UDP (17)');
  const eth = Object.fromEntries(dissect(FRAMES[0][1], LINKTYPE_ETHERNET).layers[0].fields().map((f) => [f.label, f.value]));
  assert.equal(eth.Destination, 'ff:ff:ff:ff:ff:ff (broadcast)');
  assert.equal(eth.Type, 'ARP (0x0806)');
  const ns = Object.fromEntries(dissect(FRAMES[12][1], LINKTYPE_ETHERNET).layers[2].fields().map((f) => [f.label, f.value]));
  assert.equal(ns['Target address'], 'fe80::2');
  assert.equal(ns['Source link-layer address'], A);
});

test('the follow key is the same after a router (TTL and MACs change) and differs between packets', () => {
  const before = ethernet(B, A, IPV4, ipv4('10.0.1.2', '10.0.2.2', 1, icmpEcho(8, 7, 1), { id: 4242, ttl: 64 }));
  const after = ethernet('aa:00:00:00:00:09', 'aa:00:00:00:00:08', IPV4, ipv4('10.0.1.2', '10.0.2.2', 1, icmpEcho(8, 7, 1), { id: 4242, ttl: 63 }));
  const next = ethernet(B, A, IPV4, ipv4('10.0.1.2', '10.0.2.2', 1, icmpEcho(8, 7, 2), { id: 4243, ttl: 64 }));
  const reply = ethernet(A, B, IPV4, ipv4('10.0.2.2', '10.0.1.2', 1, icmpEcho(0, 7, 1), { id: 4242 }));
  const key = (f: Buffer) => dissect(f, LINKTYPE_ETHERNET).key;
  assert.equal(key(before), key(after));
  assert.notEqual(key(before), key(next));
  assert.notEqual(key(before), key(reply));
  const syn = ethernet(B, A, IPV4, ipv4('10.0.1.0', '10.0.1.1', 6, tcp(40000, 80, 100, 0, 0x02)));
  const synRouted = ethernet(A, B, IPV4, ipv4('10.0.1.0', '10.0.1.1', 6, tcp(40000, 80, 100, 0, 0x02), { ttl: 63 }));
  assert.equal(key(syn), key(synRouted));
});

test('broken and unknown frames are described, never thrown on', () => {
  const echo = FRAMES[2][1];
  for (let cut = 0; cut < echo.length; cut++) {
    const d = dissect(echo.subarray(0, cut), LINKTYPE_ETHERNET, echo.length);
    assert.equal(typeof d.summary, 'string', `cut at ${cut}`);
  }
  assert.equal(dissect(Buffer.alloc(3), LINKTYPE_ETHERNET).summary, 'truncated Ethernet header, length 3');
  assert.equal(dissect(ethernet(BCAST, A, 0x88cc, Array(46).fill(0)), LINKTYPE_ETHERNET).summary, 'LLDP, length 60');
  assert.equal(dissect(ethernet(BCAST, A, 0x9000, Array(46).fill(0)), LINKTYPE_ETHERNET).summary, 'ethertype 0x9000, length 60');
  // A bad DNS payload on port 53 is still a UDP datagram.
  assert.equal(dissect(ethernet(B, A, IPV4, ipv4('10.0.1.0', '10.0.1.1', 17, udp(40000, 53, [0xff, 0xff, 0xff]))), LINKTYPE_ETHERNET).protocol, 'UDP');
  // Random bytes never throw.
  for (let i = 0; i < 2000; i++) {
    const junk = Buffer.from(Array.from({ length: (i % 120) + 1 }, () => Math.floor(Math.random() * 256)));
    if (junk.length >= 14) junk.writeUInt16BE([IPV4, IPV6, 0x0806][i % 3], 12);
    if (junk.length >= 15) junk[14] = [0x45, 0x60, 0][i % 3] | (junk[14] & 0x0f);
    for (const l of dissect(junk, LINKTYPE_ETHERNET).layers) l.fields();
  }
});
