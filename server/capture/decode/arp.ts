/** ARP over Ethernet and IPv4: who-has and is-at, the first packets of every ping. */
import { field, ipv4At, macAt, u16, type Layer } from './layer';

const ARP_IPV4_BYTES = 28;
const OPS: Record<number, string> = { 1: 'Request', 2: 'Reply', 3: 'RARP request', 4: 'RARP reply' };

export interface ArpPacket {
  layer: Layer;
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
  /** tcpdump's words: `Request who-has 10.0.1.1 tell 10.0.1.0, length 28`. */
  text: string;
}

export function decodeArp(b: Uint8Array, at: number): ArpPacket | undefined {
  // Only Ethernet (1) / IPv4 (0x0800) ARP, which is all a veth carries.
  if (b.length < at + ARP_IPV4_BYTES || u16(b, at) !== 1 || u16(b, at + 2) !== 0x0800 || b[at + 4] !== 6 || b[at + 5] !== 4) return undefined;
  const op = u16(b, at + 6);
  const senderMac = macAt(b, at + 8);
  const senderIp = ipv4At(b, at + 14);
  const targetMac = macAt(b, at + 18);
  const targetIp = ipv4At(b, at + 24);
  let text: string;
  if (op === 1) text = senderIp === targetIp ? `Announcement, ${senderIp}` : `Request who-has ${targetIp} tell ${senderIp}`;
  else if (op === 2) text = `Reply ${senderIp} is-at ${senderMac}`;
  else text = `${OPS[op] ?? `op ${op}`}`;
  return {
    op,
    senderMac,
    senderIp,
    targetMac,
    targetIp,
    text: `${text}, length ${ARP_IPV4_BYTES}`,
    layer: {
      kind: 'network',
      name: 'ARP',
      start: at,
      end: at + ARP_IPV4_BYTES,
      fields: () => [
        field('Operation', `${OPS[op] ?? 'unknown'} (${op})`),
        field('Sender MAC', senderMac),
        field('Sender IP', senderIp),
        field('Target MAC', targetMac),
        field('Target IP', targetIp),
      ],
    },
  };
}
