/**
 * What a browser asks to watch (a cable, a node, one interface) resolved
 * against the lab as observed into taps: the interfaces tcpdump runs on.
 * A cable is tapped at one end only, so each packet is seen once per cable:
 * the end that is not a switch port, whose frames out all carry its own MAC
 * address, so the direction is known from the Ethernet source. A cable
 * between two switches has no such end; it is tapped through Linux's cooked
 * capture, where the kernel records the direction itself.
 */
import { endpointKey, linkKey, LOOPBACK, type Endpoint, type LinkSpec, type Topology } from '../model/topology';
import { kindModule } from '../model/kinds/kinds';

export type CaptureScope = { link: string } | { node: string; iface?: string };

export interface TapSpec {
  /** `node:iface` of the tapped end. */
  key: string;
  node: string;
  iface: string;
  /** The network namespace in the lab machine; undefined for its root (the host, switches). */
  namespace?: string;
  /** The tapped interface's MAC address: frames from it went out. */
  mac?: string;
  /** The cable's other end, and the cable. */
  peer?: Endpoint;
  link?: string;
  /** Tap through the cooked `any` device (a cable between two switch ports). */
  cooked: boolean;
}

export function describeScope(s: CaptureScope): string {
  return 'link' in s ? `cable ${s.link}` : s.iface ? `${s.node}:${s.iface}` : `node ${s.node}`;
}

export function scopeKey(s: CaptureScope): string {
  return 'link' in s ? `link ${s.link}` : `node ${s.node}${s.iface ? `:${s.iface}` : ''}`;
}

function isPort(topo: Topology, e: Endpoint): boolean {
  return topo.nodes[e.node]?.kind === 'bridge';
}

function tapOf(topo: Topology, end: Endpoint, link?: LinkSpec): TapSpec {
  const node = topo.nodes[end.node];
  const peer = link ? (endpointKey(link.endpoints[0]) === endpointKey(end) ? link.endpoints[1] : link.endpoints[0]) : undefined;
  return {
    key: endpointKey(end),
    node: end.node,
    iface: end.iface,
    namespace: node && kindModule(node.kind).inRoot ? undefined : end.node,
    mac: node?.interfaces[end.iface]?.mac,
    peer,
    link: link ? linkKey(link) : undefined,
    cooked: !!link && isPort(topo, link.endpoints[0]) && isPort(topo, link.endpoints[1]),
  };
}

/** The end a cable is tapped at. */
function cableTap(topo: Topology, link: LinkSpec): TapSpec {
  const [a, b] = link.endpoints;
  return tapOf(topo, isPort(topo, a) && !isPort(topo, b) ? b : a, link);
}

/** The taps a scope needs in this topology; an empty list when what it names is gone. */
export function resolveScope(topo: Topology, scope: CaptureScope): TapSpec[] {
  if ('link' in scope) {
    const link = topo.links.find((l) => linkKey(l) === scope.link);
    return link ? [cableTap(topo, link)] : [];
  }
  const node = topo.nodes[scope.node];
  if (!node || !Object.hasOwn(topo.nodes, scope.node)) return [];
  const cableOf = (iface: string) => topo.links.find((l) => l.endpoints.some((e) => e.node === scope.node && e.iface === iface));
  // A switch's own device carries only what the root namespace itself sends through it; its cables carry the rest.
  const ifaces = scope.iface !== undefined ? [scope.iface] : Object.keys(node.interfaces).filter((i) => i !== LOOPBACK && !(node.kind === 'bridge' && i === scope.node));
  return ifaces.flatMap((iface) => {
    if (!Object.hasOwn(node.interfaces, iface)) return [];
    const link = cableOf(iface);
    return [link ? cableTap(topo, link) : tapOf(topo, { node: scope.node, iface })];
  });
}
