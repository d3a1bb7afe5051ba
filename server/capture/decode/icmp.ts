/** ICMP for IPv4: echo (ping), and the errors that explain a failed ping (unreachable, time exceeded). */
import { field, hex16, icmpHeader, ICMP_HEADER_BYTES, ipv4At, u16, type Layer } from './layer';

const HEADER_BYTES = ICMP_HEADER_BYTES;
const ECHO_REPLY = 0;
const UNREACHABLE = 3;
const REDIRECT = 5;
const ECHO_REQUEST = 8;
const TIME_EXCEEDED = 11;
const UNREACHABLE_CODES = ['net', 'host', 'protocol', 'port', 'need to frag', 'source route failed'];
const TYPES: Record<number, string> = { 0: 'echo reply', 3: 'destination unreachable', 5: 'redirect', 8: 'echo request', 11: 'time exceeded', 13: 'timestamp request', 14: 'timestamp reply' };

export interface IcmpMessage {
  layer: Layer;
  type: number;
  code: number;
  /** Echo id and sequence, for echo requests and replies. */
  id?: number;
  seq?: number;
  /** The IP id of the packet an error message quotes. */
  quotedId?: number;
  text: string;
}

export function decodeIcmp(b: Uint8Array, at: number, end: number): IcmpMessage | undefined {
  const header = icmpHeader(b, at, end, [ECHO_REQUEST, ECHO_REPLY]);
  if (!header) return undefined;
  const { type, code, echo, id, seq } = header;
  const length = end - at;
  // Errors quote the IP header (and 8 bytes) of the packet that caused them.
  const quoted = at + HEADER_BYTES;
  const hasQuote = !echo && end >= quoted + 20 && b[quoted] >> 4 === 4;
  const quotedDst = hasQuote ? ipv4At(b, quoted + 16) : undefined;
  const quotedProtocol = hasQuote ? b[quoted + 9] : undefined;
  const quotedPort = hasQuote && end >= quoted + (b[quoted] & 0x0f) * 4 + 4 ? u16(b, quoted + (b[quoted] & 0x0f) * 4 + 2) : undefined;
  let text: string;
  if (echo) text = `${TYPES[type]}, id ${id}, seq ${seq}`;
  else if (type === UNREACHABLE && hasQuote) {
    if (code === 3 && quotedPort !== undefined) text = `${quotedDst} ${quotedProtocol === 6 ? 'tcp' : 'udp'} port ${quotedPort} unreachable`;
    else if (code === 2) text = `${quotedDst} protocol ${quotedProtocol} unreachable`;
    else text = `${UNREACHABLE_CODES[code] ?? `code ${code}`} ${quotedDst} unreachable`;
  } else if (type === TIME_EXCEEDED) text = `time exceeded ${code === 0 ? 'in-transit' : 'reassembly'}`;
  else if (type === REDIRECT && hasQuote) text = `redirect ${quotedDst} to host ${ipv4At(b, at + 4)}`;
  else text = TYPES[type] ?? `type ${type}`;
  return {
    type,
    code,
    id,
    seq,
    quotedId: hasQuote ? u16(b, quoted + 4) : undefined,
    text: `ICMP ${text}, length ${length}`,
    layer: {
      kind: 'transport',
      name: 'ICMP',
      start: at,
      end: echo ? at + HEADER_BYTES : Math.min(end, quoted),
      fields: () => [
        field('Type', `${TYPES[type] ?? 'unknown'} (${type})`),
        field('Code', type === UNREACHABLE ? `${UNREACHABLE_CODES[code] ?? 'other'} unreachable (${code})` : code),
        ...(echo ? [field('Identifier', id!), field('Sequence', seq!)] : []),
        ...(hasQuote ? [field('About a packet to', `${quotedDst}${quotedPort !== undefined ? ` port ${quotedPort}` : ''}`)] : []),
        field('Checksum', hex16(u16(b, at + 2))),
        field('Length', length),
      ],
    },
  };
}
