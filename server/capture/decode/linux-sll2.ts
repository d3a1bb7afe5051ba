/**
 * Linux "cooked" capture v2 (DLT_LINUX_SLL2): what `tcpdump -i any` gives.
 * It replaces the Ethernet header with the protocol, the interface and the
 * direction; vethlab reads it for a cable whose two ends are switch ports,
 * where only the kernel knows which way a frame went.
 */
import { field, hex16, macAt, u16, u32, type Layer } from './layer';
import { etherTypeName } from './ethernet';

export const SLL2_HEADER_BYTES = 20;

/** sll_pkttype: how the kernel classed the frame. */
export const PACKET_OUTGOING = 4;
const PACKET_TYPES = ['to us', 'broadcast', 'multicast', 'to another host', 'sent by us'];

export interface Sll2Header {
  layer: Layer;
  type: number;
  ifindex: number;
  outgoing: boolean;
  /** The sender's link address, when the kernel gave one. */
  src?: string;
  next: number;
}

export function decodeSll2(b: Uint8Array, at = 0): Sll2Header | undefined {
  if (b.length < at + SLL2_HEADER_BYTES) return undefined;
  const type = u16(b, at);
  const ifindex = u32(b, at + 4);
  const pktType = b[at + 10];
  const addrLen = b[at + 11];
  const src = addrLen === 6 ? macAt(b, at + 12) : undefined;
  return {
    type,
    ifindex,
    outgoing: pktType === PACKET_OUTGOING,
    src,
    next: at + SLL2_HEADER_BYTES,
    layer: {
      kind: 'link',
      name: 'Linux cooked',
      start: at,
      end: at + SLL2_HEADER_BYTES,
      fields: () => [
        field('Interface index', ifindex),
        field('Packet type', PACKET_TYPES[pktType] ?? String(pktType)),
        ...(src ? [field('Source', src)] : []),
        field('Type', `${etherTypeName(type)} (${hex16(type)})`),
      ],
    },
  };
}
