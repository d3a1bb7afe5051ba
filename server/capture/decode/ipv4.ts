/** IPv4 headers: addresses, TTL, the id that follows a packet across routers, fragments. */
import { field, hex16, ipv4At, u16, type Layer } from './layer';

const MIN_HEADER_BYTES = 20;
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

export interface Ipv4Header {
  layer: Layer;
  src: string;
  dst: string;
  protocol: number;
  ttl: number;
  id: number;
  /** Bytes of the IP packet, header included. */
  totalLength: number;
  /** A fragment other than the first: no transport header follows. */
  laterFragment: boolean;
  moreFragments: boolean;
  /** Where the payload starts and ends in the frame. */
  next: number;
  end: number;
}

export const IP_PROTOCOLS: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 58: 'ICMPv6', 89: 'OSPF', 112: 'VRRP', 132: 'SCTP' };

export function decodeIpv4(b: Uint8Array, at: number): Ipv4Header | undefined {
  if (b.length < at + MIN_HEADER_BYTES || b[at] >> 4 !== 4) return undefined;
  const headerBytes = (b[at] & 0x0f) * 4;
  if (headerBytes < MIN_HEADER_BYTES || b.length < at + headerBytes) return undefined;
  const totalLength = u16(b, at + 2);
  const id = u16(b, at + 4);
  const flagsOffset = u16(b, at + 6);
  const ttl = b[at + 8];
  const protocol = b[at + 9];
  const src = ipv4At(b, at + 12);
  const dst = ipv4At(b, at + 16);
  const offset = (flagsOffset & OFFSET_MASK) * 8;
  const tos = b[at + 1];
  const checksum = u16(b, at + 10);
  return {
    src,
    dst,
    protocol,
    ttl,
    id,
    totalLength,
    laterFragment: offset > 0,
    moreFragments: (flagsOffset & FLAG_MF) !== 0,
    next: at + headerBytes,
    // A frame padded to Ethernet's minimum carries bytes beyond the IP packet.
    end: Math.min(b.length, at + Math.max(totalLength, headerBytes)),
    layer: {
      kind: 'network',
      name: 'IPv4',
      start: at,
      end: at + headerBytes,
      fields: () => [
        field('Source', src),
        field('Destination', dst),
        field('TTL', ttl),
        field('Protocol', `${IP_PROTOCOLS[protocol] ?? 'unknown'} (${protocol})`),
        field('Identification', `${hex16(id)} (${id})`),
        field('Flags', [flagsOffset & FLAG_DF ? "DF (don't fragment)" : '', flagsOffset & FLAG_MF ? 'MF (more fragments)' : ''].filter(Boolean).join(', ') || 'none'),
        field('Fragment offset', offset),
        field('Total length', totalLength),
        field('Header length', headerBytes),
        field('DSCP / ECN', `${tos >> 2} / ${tos & 3}`),
        field('Header checksum', hex16(checksum)),
      ],
    },
  };
}
