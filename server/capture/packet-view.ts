/**
 * What the browser gets of a captured packet: a compact summary for the
 * list and the dots on the diagram, and on request the whole dissection
 * with the bytes.
 */
import { dissect, LINKTYPE_LINUX_SLL2 } from './decode/dissect';
import { HEX, type Field, type LayerKind } from './decode/layer';
import type { RingEntry } from './packet-ring';
import type { TapSpec } from './capture-scope';

export interface PacketSummary {
  id: number;
  /** Capture time, milliseconds since the epoch (to the microsecond). */
  time: number;
  /** Where it was captured, and which way it crossed that interface. */
  node: string;
  iface: string;
  direction: 'in' | 'out';
  /** For a cable: the cable (its link key), and the ends it left and reached (`node:iface`). */
  link?: string;
  from?: string;
  to?: string;
  /** Bytes on the wire. */
  length: number;
  /** The highest protocol decoded (`ARP`, `ICMP`, `ICMPv6`, `UDP`, `TCP`, `DNS`, `IPv4`, ...). */
  protocol: string;
  /** Each layer's place in the stack and name, lowest first. */
  layers: [LayerKind, string][];
  /** tcpdump's words. */
  summary: string;
  src: string;
  dst: string;
  /** Equal on every cable for the same packet: what "follow" matches. */
  key: string;
}

export interface LayerDetail {
  kind: LayerKind;
  name: string;
  /** The bytes of the header in `hex`, [start, end). */
  start: number;
  end: number;
  fields: Field[];
}

export interface PacketDetail {
  summary: PacketSummary;
  layers: LayerDetail[];
  /** The captured bytes, two hex digits each. */
  hex: string;
}

/** Which way a frame crossed the tapped interface. */
export function directionOf(tap: TapSpec, linkType: number, data: Buffer): 'in' | 'out' {
  const d = dissectHeadOnly(data, linkType);
  if (d.outgoing !== undefined) return d.outgoing ? 'out' : 'in';
  return tap.mac !== undefined && d.srcMac === tap.mac ? 'out' : 'in';
}

/** The direction needs only the link header: read it without decoding the rest. */
function dissectHeadOnly(data: Buffer, linkType: number): { outgoing?: boolean; srcMac?: string } {
  if (linkType === LINKTYPE_LINUX_SLL2) return { outgoing: data.length > 10 ? data[10] === 4 : undefined };
  if (data.length < 12) return {};
  let mac = '';
  for (let i = 6; i < 12; i++) mac += (i > 6 ? ':' : '') + HEX[data[i]];
  return { srcMac: mac };
}

export function summarize(e: RingEntry, tap: TapSpec): PacketSummary {
  const d = dissect(e.data, e.linkType, e.length);
  const self = tap.key;
  const peer = tap.peer ? `${tap.peer.node}:${tap.peer.iface}` : undefined;
  return {
    id: e.id,
    time: e.time,
    node: tap.node,
    iface: tap.iface,
    direction: e.direction,
    ...(tap.link ? { link: tap.link, from: e.direction === 'out' ? self : peer, to: e.direction === 'out' ? peer : self } : {}),
    length: e.length,
    protocol: d.protocol,
    layers: d.layers.map((l) => [l.kind, l.name]),
    summary: d.summary,
    src: d.src,
    dst: d.dst,
    key: d.key,
  };
}

export function detailOf(e: RingEntry, tap: TapSpec): PacketDetail {
  const d = dissect(e.data, e.linkType, e.length);
  let hex = '';
  for (const byte of e.data) hex += HEX[byte];
  return {
    summary: summarize(e, tap),
    layers: d.layers.map((l) => ({ kind: l.kind, name: l.name, start: l.start, end: l.end, fields: l.fields() })),
    hex,
  };
}
