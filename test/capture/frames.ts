/** Builds frames byte by byte for the decoder tests, and writes them as pcap for tcpdump and tshark to read. */
import dnsPacket from 'dns-packet';

const macBytes = (m: string) => m.split(':').map((h) => parseInt(h, 16));
const v4Bytes = (a: string) => a.split('.').map(Number);
function v6Bytes(a: string): number[] {
  const [head, tail] = a.split('::');
  const words = (s?: string) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

function checksum(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export const ethernet = (dst: string, src: string, type: number, payload: number[]) => Buffer.from([...macBytes(dst), ...macBytes(src), ...be16(type), ...payload]);

export function arp(op: 1 | 2, senderMac: string, senderIp: string, targetMac: string, targetIp: string): number[] {
  return [...be16(1), ...be16(0x0800), 6, 4, ...be16(op), ...macBytes(senderMac), ...v4Bytes(senderIp), ...macBytes(targetMac), ...v4Bytes(targetIp)];
}

export function ipv4(src: string, dst: string, protocol: number, payload: number[], { id = 1, ttl = 64 } = {}): number[] {
  const h = [0x45, 0, ...be16(20 + payload.length), ...be16(id), 0x40, 0, ttl, protocol, 0, 0, ...v4Bytes(src), ...v4Bytes(dst)];
  const c = checksum(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...payload];
}

export function ipv6(src: string, dst: string, nextHeader: number, payload: number[], { hopLimit = 64, hopByHop = false } = {}): number[] {
  const body = hopByHop ? [nextHeader, 0, 5, 2, 0, 0, 1, 0, ...payload] : payload; // router alert option, as MLD sends
  return [0x60, 0, 0, 0, ...be16(body.length), hopByHop ? 0 : nextHeader, hopLimit, ...v6Bytes(src), ...v6Bytes(dst), ...body];
}

export function icmpEcho(type: 8 | 0, id: number, seq: number, dataBytes = 56): number[] {
  const m = [type, 0, 0, 0, ...be16(id), ...be16(seq), ...Array.from({ length: dataBytes }, (_, i) => i & 0xff)];
  const c = checksum(m);
  return [type, 0, c >> 8, c & 0xff, ...m.slice(4)];
}

export const icmpError = (type: number, code: number, quoted: number[]) => {
  const m = [type, code, 0, 0, 0, 0, 0, 0, ...quoted.slice(0, 28)];
  const c = checksum(m);
  return [type, code, c >> 8, c & 0xff, ...m.slice(4)];
};

/** ICMPv6 without a valid checksum: the decoders do not check it, and tcpdump only says so with -v. */
export const icmpv6 = (type: number, code: number, rest: number[]) => [type, code, 0, 0, ...rest];
export const v6 = v6Bytes;
export const mac = macBytes;

export const udp = (sp: number, dp: number, payload: number[]) => [...be16(sp), ...be16(dp), ...be16(8 + payload.length), 0, 0, ...payload];

export function tcp(sp: number, dp: number, seq: number, ack: number, flags: number, payload: number[] = [], win = 64240): number[] {
  return [...be16(sp), ...be16(dp), ...be32(seq), ...be32(ack), 5 << 4, flags, ...be16(win), 0, 0, 0, 0, ...payload];
}

export const dns = (p: dnsPacket.Packet) => [...dnsPacket.encode(p)];

/** A pcap file of the frames, Ethernet, one microsecond apart. */
export function pcapFile(frames: Buffer[], linkType = 1): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(linkType, 20);
  const records = frames.map((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1_700_000_000 + i, 0);
    r.writeUInt32LE(i, 4);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    return Buffer.concat([r, f]);
  });
  return Buffer.concat([head, ...records]);
}
