/**
 * ICMPv6: echo, errors, and neighbour discovery (IPv6's ARP) and multicast
 * listener reports, the background chatter of every new interface.
 */
import { field, hex16, icmpHeader, ipv6At, macAt, u16, type Layer } from './layer';

const ECHO_REQUEST = 128;
const ECHO_REPLY = 129;
const ROUTER_SOLICITATION = 133;
const ROUTER_ADVERTISEMENT = 134;
const NEIGHBOR_SOLICITATION = 135;
const NEIGHBOR_ADVERTISEMENT = 136;
const MLD2_REPORT = 143;
const OPTION_SOURCE_LINK_ADDRESS = 1;
const OPTION_TARGET_LINK_ADDRESS = 2;
const TYPES: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  128: 'echo request',
  129: 'echo reply',
  130: 'multicast listener query',
  131: 'multicast listener report',
  132: 'multicast listener done',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  137: 'redirect',
  143: 'multicast listener report v2',
};
const UNREACHABLE_CODES = ['no route', 'administratively prohibited', 'beyond scope', 'address', 'port'];

export interface Icmpv6Message {
  layer: Layer;
  type: number;
  code: number;
  id?: number;
  seq?: number;
  /** The address a neighbour solicitation or advertisement is about. */
  target?: string;
  text: string;
}

export function decodeIcmpv6(b: Uint8Array, at: number, end: number): Icmpv6Message | undefined {
  const header = icmpHeader(b, at, end, [ECHO_REQUEST, ECHO_REPLY]);
  if (!header) return undefined;
  const { type, code, echo, id, seq } = header;
  const length = end - at;
  const nd = type === NEIGHBOR_SOLICITATION || type === NEIGHBOR_ADVERTISEMENT;
  const target = nd && end >= at + 24 ? ipv6At(b, at + 8) : undefined;
  const name = TYPES[type] ?? `type ${type}`;
  let text: string;
  if (echo) text = `${name}, id ${id}, seq ${seq}`;
  else if (type === NEIGHBOR_SOLICITATION && target) text = `${name}, who has ${target}`;
  else if (type === NEIGHBOR_ADVERTISEMENT && target) text = `${name}, tgt is ${target}`;
  else if (type === MLD2_REPORT && end >= at + 8) text = `${name}, ${u16(b, at + 6)} group record(s)`;
  else if (type === 1) text = `${name}, unreachable ${UNREACHABLE_CODES[code] ?? `code ${code}`}`;
  else if (type === 3) text = `${name} ${code === 0 ? 'in-transit' : 'reassembly'}`;
  else text = name;
  const optionsAt = type === NEIGHBOR_SOLICITATION || type === NEIGHBOR_ADVERTISEMENT ? at + 24 : type === ROUTER_SOLICITATION ? at + 8 : type === ROUTER_ADVERTISEMENT ? at + 16 : undefined;
  return {
    type,
    code,
    id,
    seq,
    target,
    text: `ICMP6, ${text}, length ${length}`,
    layer: {
      kind: 'transport',
      name: 'ICMPv6',
      start: at,
      end,
      fields: () => [
        field('Type', `${TYPES[type] ?? 'unknown'} (${type})`),
        field('Code', code),
        ...(echo ? [field('Identifier', id!), field('Sequence', seq!)] : []),
        ...(target ? [field('Target address', target)] : []),
        ...(optionsAt !== undefined ? linkAddressOptions(b, optionsAt, end) : []),
        field('Checksum', hex16(u16(b, at + 2))),
        field('Length', length),
      ],
    },
  };
}

/** The link-layer address options of neighbour discovery: the MAC address the message tells. */
function linkAddressOptions(b: Uint8Array, at: number, end: number) {
  const out = [];
  for (let p = at; p + 8 <= end; ) {
    const len = b[p + 1] * 8;
    if (len === 0) break;
    if (b[p] === OPTION_SOURCE_LINK_ADDRESS) out.push(field('Source link-layer address', macAt(b, p + 2)));
    if (b[p] === OPTION_TARGET_LINK_ADDRESS) out.push(field('Target link-layer address', macAt(b, p + 2)));
    p += len;
  }
  return out;
}
