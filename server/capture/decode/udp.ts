/** UDP: ports and length. */
import { field, hex16, u16, type Layer } from './layer';

const HEADER_BYTES = 8;

export interface UdpDatagram {
  layer: Layer;
  srcPort: number;
  dstPort: number;
  /** Where the payload starts and ends. */
  next: number;
  end: number;
  text: string;
}

export function decodeUdp(b: Uint8Array, at: number, end: number): UdpDatagram | undefined {
  if (end < at + HEADER_BYTES) return undefined;
  const srcPort = u16(b, at);
  const dstPort = u16(b, at + 2);
  const length = u16(b, at + 4);
  const payloadEnd = Math.min(end, at + Math.max(length, HEADER_BYTES));
  return {
    srcPort,
    dstPort,
    next: at + HEADER_BYTES,
    end: payloadEnd,
    text: `UDP, length ${Math.max(0, length - HEADER_BYTES)}`,
    layer: {
      kind: 'transport',
      name: 'UDP',
      start: at,
      end: at + HEADER_BYTES,
      fields: () => [field('Source port', srcPort), field('Destination port', dstPort), field('Length', length), field('Checksum', hex16(u16(b, at + 6)))],
    },
  };
}
