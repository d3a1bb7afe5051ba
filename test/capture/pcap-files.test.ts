/** The pcap stream tcpdump writes, read in any chunking; the pcapng vethlab writes, read by tshark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PcapReader, PcapStreamError } from '../../server/capture/pcap-reader';
import { writePcapng } from '../../server/capture/pcapng-writer';
import { arp, ethernet, icmpEcho, ipv4, pcapFile } from './frames';

const A = 'aa:00:00:00:00:01';
const B = 'aa:00:00:00:00:02';
const frames = [
  ethernet('ff:ff:ff:ff:ff:ff', A, 0x0806, arp(1, A, '10.0.1.0', '00:00:00:00:00:00', '10.0.1.1')),
  ethernet(B, A, 0x0800, ipv4('10.0.1.0', '10.0.1.1', 1, icmpEcho(8, 3, 1))),
  ethernet(A, B, 0x0800, ipv4('10.0.1.1', '10.0.1.0', 1, icmpEcho(0, 3, 1))),
];

test('the pcap stream is read the same whatever the chunks: whole, byte by byte, or split at random', () => {
  const file = pcapFile(frames);
  for (const size of [file.length, 1, 7, 17, 100]) {
    const reader = new PcapReader();
    const got = [];
    for (let i = 0; i < file.length; i += size) got.push(...reader.push(file.subarray(i, i + size)));
    assert.equal(reader.linkType, 1, `chunks of ${size}`);
    assert.deepEqual(
      got.map((r) => r.data),
      frames,
      `chunks of ${size}`,
    );
    assert.deepEqual(
      got.map((r) => r.time),
      [1_700_000_000_000, 1_700_000_001_000.001, 1_700_000_002_000.002],
    );
  }
});

test('a stream that is not pcap, or claims a giant record, is an error and not a hang', () => {
  assert.throws(() => new PcapReader().push(Buffer.from('tcpdump: syntax error in filter expression\n')), PcapStreamError);
  const bad = pcapFile(frames);
  bad.writeUInt32LE(10_000_000, 24 + 8);
  assert.throws(() => new PcapReader().push(bad), /corrupt/);
});

test('the pcapng download opens in tshark with its interfaces named after the cable ends and each direction', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vl-pcapng-'));
  try {
    const file = path.join(dir, 'lab.pcapng');
    writeFileSync(
      file,
      writePcapng(
        [{ name: 'vnet0:veth0', description: 'cable vnet0:veth0 <-> vnet1:veth1', linkType: 1 }],
        frames.map((data, i) => ({ iface: 0, time: 1_700_000_000_000 + i * 1.5, length: data.length, data, direction: i === 2 ? 'in' : 'out' })),
      ),
    );
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name', '-e', 'frame.packet_flags_direction', '-e', 'frame.time_epoch', '-e', '_ws.col.Info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.deepEqual(
      out.trim().split('\n').map((l) => l.split('|')),
      [
        ['vnet0:veth0', '0x00000002', '1700000000.000000000', 'Who has 10.0.1.1? Tell 10.0.1.0'],
        ['vnet0:veth0', '0x00000002', '1700000000.001500000', 'Echo (ping) request  id=0x0003, seq=1/256, ttl=64'],
        ['vnet0:veth0', '0x00000001', '1700000000.003000000', 'Echo (ping) reply    id=0x0003, seq=1/256, ttl=64 (request in 2)'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
