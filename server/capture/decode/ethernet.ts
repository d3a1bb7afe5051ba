/** Ethernet II (and 802.3 with a length instead of a type), the link layer of a veth. */
import { field, hex16, macAt, u16, type Layer } from './layer';

export const ETHERNET_HEADER_BYTES = 14;
const VLAN_TAG_BYTES = 4;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
/** Values up to this are an 802.3 length, not a type. */
const MAX_8023_LENGTH = 1500;

export interface EthernetHeader {
  layer: Layer;
  src: string;
  dst: string;
  /** The protocol of the payload, after any VLAN tags; undefined for 802.3 frames. */
  type?: number;
  vlans: number[];
  /** Where the payload starts. */
  next: number;
}

export function decodeEthernet(b: Uint8Array, at = 0): EthernetHeader | undefined {
  if (b.length < at + ETHERNET_HEADER_BYTES) return undefined;
  const dst = macAt(b, at);
  const src = macAt(b, at + 6);
  let p = at + 12;
  let type = u16(b, p);
  const vlans: number[] = [];
  while ((type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) && b.length >= p + 2 + VLAN_TAG_BYTES) {
    vlans.push(u16(b, p + 2) & 0x0fff);
    p += VLAN_TAG_BYTES;
    type = u16(b, p);
  }
  const next = p + 2;
  const ethertype = type > MAX_8023_LENGTH ? type : undefined;
  return {
    src,
    dst,
    type: ethertype,
    vlans,
    next,
    layer: {
      kind: 'link',
      name: 'Ethernet',
      start: at,
      end: next,
      fields: () => [
        field('Destination', describeMac(dst)),
        field('Source', src),
        ...vlans.map((v) => field('VLAN', v)),
        ethertype === undefined ? field('Length (802.3)', type) : field('Type', `${etherTypeName(ethertype)} (${hex16(ethertype)})`),
      ],
    },
  };
}

export function describeMac(mac: string): string {
  if (mac === 'ff:ff:ff:ff:ff:ff') return `${mac} (broadcast)`;
  if (parseInt(mac.slice(0, 2), 16) & 1) return `${mac} (multicast)`;
  return mac;
}

const ETHERTYPES: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x88cc: 'LLDP', 0x8100: '802.1Q' };

export function etherTypeName(type: number): string {
  return ETHERTYPES[type] ?? 'unknown';
}
