/** IPv6 headers, skipping the extension headers (hop-by-hop for MLD, fragments) to the transport. */
import { field, hex16, ipv6At, u16, u32, type Layer } from './layer';
import { IP_PROTOCOLS } from './ipv4';

const HEADER_BYTES = 40;
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const DESTINATION_OPTIONS = 60;
const NO_NEXT_HEADER = 59;
const EXTENSIONS: Record<number, string> = { [HOP_BY_HOP]: 'hop-by-hop options', [ROUTING]: 'routing', [FRAGMENT]: 'fragment', [DESTINATION_OPTIONS]: 'destination options' };
/** More extension headers than this is not a packet a lab makes; stop looking. */
const MAX_EXTENSIONS = 8;

export interface Ipv6Header {
  layer: Layer;
  src: string;
  dst: string;
  /** The protocol after the extension headers. */
  protocol: number;
  hopLimit: number;
  flowLabel: number;
  payloadLength: number;
  /** A fragment other than the first: no transport header follows. */
  laterFragment: boolean;
  /** A hop-by-hop options header came first (MLD's router alert): tcpdump writes `HBH`. */
  hopByHop: boolean;
  /** The id of the fragment header, when there is one. */
  fragmentId?: number;
  next: number;
  end: number;
}

export function decodeIpv6(b: Uint8Array, at: number): Ipv6Header | undefined {
  if (b.length < at + HEADER_BYTES || b[at] >> 4 !== 6) return undefined;
  const flowLabel = u32(b, at) & 0xfffff;
  const payloadLength = u16(b, at + 4);
  const hopLimit = b[at + 7];
  const src = ipv6At(b, at + 8);
  const dst = ipv6At(b, at + 24);
  let protocol = b[at + 6];
  const hopByHop = protocol === HOP_BY_HOP;
  let p = at + HEADER_BYTES;
  const extensions: string[] = [];
  let laterFragment = false;
  let fragmentId: number | undefined;
  for (let n = 0; n < MAX_EXTENSIONS && protocol in EXTENSIONS; n++) {
    if (b.length < p + 8) break;
    extensions.push(EXTENSIONS[protocol]);
    const following = b[p];
    if (protocol === FRAGMENT) {
      laterFragment = (u16(b, p + 2) & 0xfff8) !== 0;
      fragmentId = u32(b, p + 4);
      p += 8;
    } else {
      p += (b[p + 1] + 1) * 8;
    }
    protocol = following;
  }
  const tc = (u16(b, at) >> 4) & 0xff;
  return {
    src,
    dst,
    protocol,
    hopLimit,
    flowLabel,
    payloadLength,
    laterFragment,
    hopByHop,
    fragmentId,
    next: Math.min(p, b.length),
    end: Math.min(b.length, at + HEADER_BYTES + payloadLength),
    layer: {
      kind: 'network',
      name: 'IPv6',
      start: at,
      end: Math.min(p, b.length),
      fields: () => [
        field('Source', src),
        field('Destination', dst),
        field('Hop limit', hopLimit),
        field('Next header', protocol === NO_NEXT_HEADER ? 'none (59)' : `${IP_PROTOCOLS[protocol] ?? 'unknown'} (${protocol})`),
        ...(extensions.length ? [field('Extension headers', extensions.join(', '))] : []),
        field('Payload length', payloadLength),
        field('Flow label', hex16(flowLabel)),
        field('Traffic class', tc),
      ],
    },
  };
}
