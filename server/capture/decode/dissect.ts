/**
 * One frame, decoded layer by layer: link (Ethernet, or Linux cooked),
 * network (ARP, IPv4, IPv6), transport (ICMP, ICMPv6, UDP, TCP) and
 * application (DNS), with tcpdump's one-line summary and a key that finds
 * the same packet on every cable it crossed.
 */
import { decodeArp } from './arp';
import { decodeDns, DNS_LIKE_PORTS } from './dns';
import { decodeEthernet, etherTypeName } from './ethernet';
import { decodeIcmp } from './icmp';
import { decodeIcmpv6 } from './icmpv6';
import { decodeIpv4, IP_PROTOCOLS } from './ipv4';
import { decodeIpv6 } from './ipv6';
import type { Layer } from './layer';
import { decodeSll2 } from './linux-sll2';
import { decodeTcp } from './tcp';
import { decodeUdp } from './udp';

/** pcap link types vethlab captures. */
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;

export interface Dissection {
  layers: Layer[];
  /** The highest protocol decoded: the list's protocol column and filter. */
  protocol: string;
  /** tcpdump's words (`tcpdump -n`, without the time and interface). */
  summary: string;
  /** Who sent it and to whom: IP addresses, or MAC addresses below IP. */
  src: string;
  dst: string;
  /**
   * Equal for the same packet wherever it was seen: a router changes the
   * TTL and the MAC addresses, not the IP id, the ICMP id and sequence, or the TCP sequence.
   */
  key: string;
  /** The Ethernet source, for telling which way a frame crossed a cable. */
  srcMac?: string;
  /** Linux cooked captures say which way the kernel moved the frame. */
  outgoing?: boolean;
}

interface Transport {
  layers: Layer[];
  protocol: string;
  text: string;
  key: string;
  ports?: [number, number];
}

export function dissect(frame: Uint8Array, linkType: number, frameLength = frame.length): Dissection {
  const layers: Layer[] = [];
  let type: number | undefined;
  let at: number;
  let srcMac: string | undefined;
  let dstMac = '';
  let outgoing: boolean | undefined;
  if (linkType === LINKTYPE_LINUX_SLL2) {
    const sll = decodeSll2(frame);
    if (!sll) return opaque(layers, 'truncated Linux cooked header', frameLength);
    layers.push(sll.layer);
    [type, at, srcMac, outgoing] = [sll.type, sll.next, sll.src, sll.outgoing];
  } else {
    const eth = decodeEthernet(frame);
    if (!eth) return opaque(layers, 'truncated Ethernet header', frameLength);
    layers.push(eth.layer);
    [type, at, srcMac, dstMac] = [eth.type, eth.next, eth.src, eth.dst];
  }
  const base = { srcMac, outgoing };

  if (type === ETHERTYPE_ARP) {
    const arp = decodeArp(frame, at);
    if (arp) {
      layers.push(arp.layer);
      return { ...base, layers, protocol: 'ARP', summary: `ARP, ${arp.text}`, src: arp.senderIp, dst: arp.targetIp, key: `arp ${arp.op} ${arp.senderMac} ${arp.senderIp} ${arp.targetIp}` };
    }
  }
  if (type === ETHERTYPE_IPV4) {
    const ip = decodeIpv4(frame, at);
    if (ip) return { ...base, ...overIp(frame, layers, ip, 4, ip.moreFragments || ip.laterFragment ? ` (fragment id ${ip.id})` : '', `${ip.protocol} ${ip.id}`) };
  }
  if (type === ETHERTYPE_IPV6) {
    const ip = decodeIpv6(frame, at);
    if (ip) return { ...base, ...overIp(frame, layers, ip, 6, '', `${ip.protocol} ${ip.flowLabel} ${ip.payloadLength} ${ip.fragmentId ?? ''}`, ip.hopByHop ? 'HBH ' : '') };
  }
  const name = type === undefined ? '802.3' : etherTypeName(type);
  const what = type === undefined ? '802.3 frame' : name === 'unknown' ? `ethertype 0x${type.toString(16).padStart(4, '0')}` : name;
  return { ...base, layers, protocol: name === 'unknown' ? 'Ethernet' : name, summary: `${what}, length ${frameLength}`, src: srcMac ?? '', dst: dstMac, key: `l2 ${srcMac} ${dstMac} ${frameLength}` };
}

/** What an IP packet (v4 or v6) and its transport make of the summary, the protocol and the key. */
function overIp(
  frame: Uint8Array,
  layers: Layer[],
  ip: { layer: Layer; src: string; dst: string; protocol: number; next: number; end: number; laterFragment: boolean },
  version: 4 | 6,
  fragment: string,
  ipKey: string,
  prefix = '',
): Omit<Dissection, 'srcMac' | 'outgoing'> {
  layers.push(ip.layer);
  const t = ip.laterFragment ? undefined : transport(frame, ip.protocol, ip.next, ip.end, version);
  const [s, d] = t?.ports ? [`${ip.src}.${t.ports[0]}`, `${ip.dst}.${t.ports[1]}`] : [ip.src, ip.dst];
  const text = t ? t.text : `${IP_PROTOCOLS[ip.protocol] ?? `ip-proto-${ip.protocol}`}, length ${ip.end - ip.next}`;
  layers.push(...(t?.layers ?? []));
  return {
    layers,
    protocol: t?.protocol ?? (version === 4 ? 'IPv4' : 'IPv6'),
    summary: `${version === 4 ? 'IP' : 'IP6'} ${s} > ${d}: ${prefix}${text}${fragment}`,
    src: ip.src,
    dst: ip.dst,
    key: `${version} ${ip.src}>${ip.dst} ${ipKey} ${t?.key ?? ''}`,
  };
}

function transport(b: Uint8Array, protocol: number, at: number, end: number, version: 4 | 6): Transport | undefined {
  if (protocol === PROTO_ICMP && version === 4) {
    const m = decodeIcmp(b, at, end);
    return m && { layers: [m.layer], protocol: 'ICMP', text: m.text, key: `${m.type} ${m.code} ${m.id ?? m.quotedId ?? ''} ${m.seq ?? ''}` };
  }
  if (protocol === PROTO_ICMPV6) {
    const m = decodeIcmpv6(b, at, end);
    return m && { layers: [m.layer], protocol: 'ICMPv6', text: m.text, key: `${m.type} ${m.code} ${m.id ?? m.target ?? ''} ${m.seq ?? ''}` };
  }
  if (protocol === PROTO_UDP) {
    const u = decodeUdp(b, at, end);
    if (!u) return undefined;
    const dns = DNS_LIKE_PORTS.has(u.srcPort) || DNS_LIKE_PORTS.has(u.dstPort) ? decodeDns(b, u.next, u.end) : undefined;
    const ports: [number, number] = [u.srcPort, u.dstPort];
    if (dns) return { layers: [u.layer, dns.layer], protocol: 'DNS', text: dns.text, key: `${ports}`, ports };
    return { layers: [u.layer], protocol: 'UDP', text: u.text, key: `${ports}`, ports };
  }
  if (protocol === PROTO_TCP) {
    const t = decodeTcp(b, at, end);
    if (!t) return undefined;
    const ports: [number, number] = [t.srcPort, t.dstPort];
    const dns = t.payloadLength > 2 && (DNS_LIKE_PORTS.has(t.srcPort) || DNS_LIKE_PORTS.has(t.dstPort)) ? decodeDns(b, t.next, t.end, true) : undefined;
    const key = `${ports} ${t.seq} ${t.ack} ${t.flags} ${t.payloadLength}`;
    if (dns) return { layers: [t.layer, dns.layer], protocol: 'DNS', text: `${t.text}: ${dns.text}`, key, ports };
    return { layers: [t.layer], protocol: 'TCP', text: t.text, key, ports };
  }
  return undefined;
}

function opaque(layers: Layer[], why: string, length: number): Dissection {
  return { layers, protocol: 'unknown', summary: `${why}, length ${length}`, src: '', dst: '', key: `? ${length}` };
}
