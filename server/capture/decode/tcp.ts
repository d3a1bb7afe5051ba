/** TCP: ports, flags in tcpdump's letters, sequence and acknowledgement numbers. */
import { field, hex16, u16, u32, type Layer } from './layer';

const MIN_HEADER_BYTES = 20;
/** tcpdump's letters for the flags, lowest bit first: FIN SYN RST PSH ACK URG ECE CWR. */
const FLAG_LETTERS = ['F', 'S', 'R', 'P', '.', 'U', 'E', 'W'];
const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
const ACK = 0x10;

export interface TcpSegment {
  layer: Layer;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  payloadLength: number;
  next: number;
  end: number;
  text: string;
}

export function tcpFlagLetters(flags: number): string {
  // tcpdump puts the ACK dot last: `S.` for SYN-ACK, `P.` for a push.
  let s = '';
  for (let i = 0; i < 8; i++) if (i !== 4 && flags & (1 << i)) s += FLAG_LETTERS[i];
  return flags & ACK ? `${s}.` : s || 'none';
}

export function decodeTcp(b: Uint8Array, at: number, end: number): TcpSegment | undefined {
  if (end < at + MIN_HEADER_BYTES) return undefined;
  const headerBytes = (b[at + 12] >> 4) * 4;
  if (headerBytes < MIN_HEADER_BYTES) return undefined;
  const srcPort = u16(b, at);
  const dstPort = u16(b, at + 2);
  const seq = u32(b, at + 4);
  const ack = u32(b, at + 8);
  const flags = b[at + 13];
  const window = u16(b, at + 14);
  const payloadLength = Math.max(0, end - at - headerBytes);
  const names = FLAG_NAMES.filter((_, i) => flags & (1 << i)).join(', ');
  return {
    srcPort,
    dstPort,
    seq,
    ack,
    flags,
    payloadLength,
    next: Math.min(end, at + headerBytes),
    end,
    text: `Flags [${tcpFlagLetters(flags)}], seq ${seq}${flags & ACK ? `, ack ${ack}` : ''}, win ${window}, length ${payloadLength}`,
    layer: {
      kind: 'transport',
      name: 'TCP',
      start: at,
      end: Math.min(end, at + headerBytes),
      fields: () => [
        field('Source port', srcPort),
        field('Destination port', dstPort),
        field('Flags', `${names || 'none'} [${tcpFlagLetters(flags)}]`),
        field('Sequence number', seq),
        ...(flags & ACK ? [field('Acknowledgement number', ack)] : []),
        field('Window', window),
        field('Header length', headerBytes),
        field('Payload length', payloadLength),
        field('Checksum', hex16(u16(b, at + 16))),
      ],
    },
  };
}
