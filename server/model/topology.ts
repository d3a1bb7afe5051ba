/**
 * The topology model: what a lab file describes, what the planner diffs and
 * what observe reads back from the kernel. Pure data, no I/O.
 */

/**
 * What a node is (server/model/kinds/ has one module per kind):
 * - `netns`: a network namespace named after the node;
 * - `router`: a namespace with IP forwarding on;
 * - `host`: the root namespace (the lab machine's own, or the real machine's);
 * - `bridge`: a Linux bridge in the root namespace, a switch whose ports are cable ends.
 */
export type NodeKind = 'netns' | 'router' | 'host' | 'bridge';

/** Link impairments of netem on one end: they apply to the packets that end sends. */
export interface NetemSpec {
  /** Milliseconds added to each packet. */
  delay?: number;
  /** Milliseconds of random variation around the delay (needs a delay). */
  jitter?: number;
  /** Percent of packets dropped (0 to 100). */
  loss?: number;
  /** Bits per second the end sends at most. */
  rate?: number;
  /** Percent of packets sent twice. */
  duplicate?: number;
  /** Percent of packets with a flipped bit. */
  corrupt?: number;
  /** Percent of packets sent at once, ahead of the delayed ones (needs a delay). */
  reorder?: number;
}

/** A bridge's settings. */
export interface BridgeSettings {
  /** Spanning tree protocol (`stp_state 1`). */
  stp: boolean;
  /** 802.1Q VLAN filtering (`vlan_filtering 1`). */
  vlanFiltering: boolean;
}

export interface Position {
  x: number;
  y: number;
}

/** Traffic counters read from the kernel (observed only). */
export interface InterfaceStats {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
}

export interface InterfaceSpec {
  /** Normalized prefixes (`10.0.1.0/24`, `fd00::1/64`), sorted. */
  addresses: string[];
  up: boolean;
  /** MTU in bytes (68 to 65535). Desired: absent leaves it as it is. Observed: present when not the kind's default (1500; lo 65536). */
  mtu?: number;
  /** Observed only: `veth`, `loopback`, `bridge`, ... as the kernel reports it. */
  kind?: string;
  /** Observed only: the kernel's operstate (UP, DOWN, LOWERLAYERDOWN, UNKNOWN). */
  state?: string;
  /** Observed only: MAC address. */
  mac?: string;
  /** Observed only. */
  stats?: InterfaceStats;
}

/**
 * `to` is `default` (IPv4), `::/0` (IPv6 default) or a normalized prefix with
 * no host bits set. At least one of `via`/`dev` is set.
 */
export interface RouteSpec {
  to: string;
  via?: string;
  dev?: string;
}

export interface NodeSpec {
  kind: NodeKind;
  position?: Position;
  interfaces: Record<string, InterfaceSpec>;
  routes: RouteSpec[];
  /**
   * IP forwarding (IPv4 and IPv6): the node routes packets between its
   * interfaces, a router. Namespaces: absent means off. The host node: absent
   * means left as it is.
   */
  forwarding?: boolean;
  /** Bridges only. */
  bridge?: BridgeSettings;
  /** Observed only: the routes the kernel made itself for the node's addresses (`proto kernel`). */
  kernelRoutes?: RouteSpec[];
}

export interface Endpoint {
  node: string;
  iface: string;
}

/** One veth pair. */
export interface LinkSpec {
  endpoints: [Endpoint, Endpoint];
  /**
   * netem on each end, in the order of `endpoints`: `netem[0]` impairs what
   * endpoints[0] sends (towards endpoints[1]). Absent, or null for an end: none.
   */
  netem?: [NetemSpec | null, NetemSpec | null];
}

/** A veth end whose peer is not in the lab (observed only). */
export interface DanglingEnd {
  endpoint: Endpoint;
  /** Where the peer is, as far as the kernel tells: a namespace name or `unknown`. */
  peer: string;
}

export interface Topology {
  name: string;
  nodes: Record<string, NodeSpec>;
  links: LinkSpec[];
  /** Real-host mode: allow host routes wider than /8 (IPv6 /16). They capture much of the machine's traffic. */
  allowWideHostRoutes?: boolean;
  /** Observed only. */
  dangling?: DanglingEnd[];
}

export const LOOPBACK = 'lo';

export function endpointKey(e: Endpoint): string {
  return `${e.node}:${e.iface}`;
}

export function parseEndpoint(text: string): Endpoint | null {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) return null;
  return { node: text.slice(0, i), iface: text.slice(i + 1) };
}

/** A link's identity regardless of the order of its endpoints. */
export function linkKey(link: LinkSpec): string {
  return link.endpoints.map(endpointKey).sort().join(' <-> ');
}

/** Nodes that are namespaces of their own (namespaces and routers). */
export function isNamespaceKind(kind: NodeKind): boolean {
  return kind === 'netns' || kind === 'router';
}

export function hostNodeName(topo: Topology): string | undefined {
  return Object.keys(topo.nodes).find((n) => topo.nodes[n].kind === 'host');
}

export function emptyTopology(name = 'lab'): Topology {
  return { name, nodes: {}, links: [] };
}
