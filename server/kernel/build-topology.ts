/**
 * Turns raw kernel readings into the topology model. Pure: the readings come
 * from observe.ts (or from test fixtures).
 */
import { LOOPBACK, type DanglingEnd, type InterfaceSpec, type LinkSpec, type NetemSpec, type NodeSpec, type Position, type RouteSpec, type Topology } from '../model/topology';
import { parseAddress, parsePrefix } from '../model/prefix';
import { byCodeUnits } from '../model/names';
import { netemFromTc, type TcNetemOptions } from '../model/netem';
import { observedNamespaceKind } from '../model/kinds/namespace';
import type { IpLink, IpRoute, NamespaceReading } from './ip-json';

export interface BuildOptions {
  name: string;
  /**
   * The alias that marks this lab's host veth ends (real-host mode); undefined
   * inside a lab machine, where every veth of its root is the lab's.
   */
  mark: string | undefined;
  /** Real-host mode: host ends a run was about to create and may not have marked yet. */
  pendingHostEnds?: readonly string[];
  /** The host node's name in the diagram. */
  hostName: string;
  /** Show the host node even when the lab has no host ends (it was added on the canvas). */
  showHost: boolean;
  positions: Record<string, Position>;
  /** Routes a file asked for that the kernel made itself, by node: reported as the node's routes while the kernel has them. */
  keptRoutes?: Record<string, RouteSpec[]>;
}

/** Facts about what the lab does not own, for the safety checks. */
export interface ForeignFacts {
  /** Root-namespace interfaces the lab did not create. */
  hostInterfaces: string[];
  /** Their addresses, as prefixes. */
  hostAddresses: string[];
  /** Main-table routes through them (`default` excluded), as prefixes. */
  hostRoutes: { to: string; dev?: string }[];
}

const DEFAULT_LOOPBACK_ADDRESSES = new Set(['127.0.0.1/8', '::1/128']);
/** Routes the kernel or a daemon made, which the lab neither reports nor removes. */
const FOREIGN_ROUTE_PROTOCOLS = new Set(['kernel', 'ra', 'redirect', 'dhcp']);

/** Kinds of root-namespace device a lab makes: veth ends (the host's and bridge ports) and bridges. */
const OWNED_ROOT_KINDS = new Set(['veth', 'bridge']);

export function isOwnedHostLink(link: IpLink, mark: string | undefined, pending: readonly string[] = []): boolean {
  if (!OWNED_ROOT_KINDS.has(link.linkinfo?.info_kind ?? '')) return false;
  return mark === undefined || link.ifalias === mark || pending.includes(link.ifname);
}

function addresses(link: IpLink): string[] {
  const out: string[] = [];
  for (const a of link.addr_info ?? []) {
    if (a.scope === 'link') continue; // fe80::/64, made by the kernel
    const p = parsePrefix(`${a.local}/${a.prefixlen}`);
    if (!p) continue;
    const text = `${p.address}/${p.length}`;
    if (link.ifname === LOOPBACK && DEFAULT_LOOPBACK_ADDRESSES.has(text)) continue;
    out.push(text);
  }
  return out.sort();
}

/** Default MTUs: shown only when an interface has another. */
const ETHERNET_MTU = 1500;
const LOOPBACK_MTU = 65536;

/**
 * A reading of a namespace that did not change is reused from one observation
 * to the next (lab-observer.ts), and so are its links: what is made of each
 * link is kept with it, so a lab of 100 namespaces is not parsed again on
 * every edit of one.
 */
const interfaceOf = new WeakMap<IpLink, InterfaceSpec>();

function toInterface(link: IpLink): InterfaceSpec {
  let spec = interfaceOf.get(link);
  if (!spec) {
    spec = makeInterface(link);
    interfaceOf.set(link, spec);
  }
  // A copy: the topology it goes into may be changed by its users.
  return { ...spec, addresses: [...spec.addresses] };
}

function makeInterface(link: IpLink): InterfaceSpec {
  const spec: InterfaceSpec = {
    addresses: addresses(link),
    up: link.flags.includes('UP'),
    kind: link.link_type === 'loopback' ? 'loopback' : link.linkinfo?.info_kind ?? link.link_type ?? 'unknown',
    state: link.operstate,
  };
  if (link.address && link.link_type !== 'loopback') spec.mac = link.address;
  const defaultMtu = link.link_type === 'loopback' ? LOOPBACK_MTU : ETHERNET_MTU;
  if (link.mtu !== undefined && link.mtu !== defaultMtu) spec.mtu = link.mtu;
  if (link.stats64) {
    spec.stats = {
      rxPackets: link.stats64.rx.packets,
      txPackets: link.stats64.tx.packets,
      rxBytes: link.stats64.rx.bytes,
      txBytes: link.stats64.tx.bytes,
    };
  }
  return spec;
}

interface NamespaceParts {
  interfaces: Record<string, InterfaceSpec>;
  routes: RouteSpec[];
  kernel: RouteSpec[];
}

/**
 * What a namespace's reading makes, kept with the reading: a namespace
 * nothing happened in keeps its reading, and so its interfaces and routes,
 * from one observation to the next (the very same objects, so a comparison
 * can skip them). Frozen, since observations share them.
 */
const partsOf = new WeakMap<NamespaceReading, NamespaceParts>();

function namespaceParts(reading: NamespaceReading): NamespaceParts {
  let parts = partsOf.get(reading);
  if (!parts) {
    const interfaces: Record<string, InterfaceSpec> = {};
    for (const link of reading.links) interfaces[link.ifname] = deepFreeze(toInterface(link));
    const devs = new Set(Object.keys(interfaces));
    parts = { interfaces: Object.freeze(interfaces), routes: deepFreeze(toRoutes(reading, devs)), kernel: deepFreeze(kernelRoutes(reading, devs)) };
    partsOf.set(reading, parts);
  }
  return parts;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Moves the kept ones of a node's kernel routes to its routes (sorted as toRoutes sorts). */
function keepRoutes(node: NodeSpec, kept: RouteSpec[]): void {
  if (kept.length === 0 || !node.kernelRoutes) return;
  const isKept = (r: RouteSpec) => kept.some((k) => k.to === r.to && k.dev === r.dev);
  const moved = node.kernelRoutes.filter(isKept);
  if (moved.length === 0) return;
  node.routes = [...node.routes, ...moved].sort((a, b) => byCodeUnits(`${a.to} ${a.via ?? ''} ${a.dev ?? ''}`, `${b.to} ${b.via ?? ''} ${b.dev ?? ''}`));
  const rest = node.kernelRoutes.filter((r) => !isKept(r));
  if (rest.length > 0) node.kernelRoutes = rest;
  else delete node.kernelRoutes;
}

function withKernelRoutes(routes: RouteSpec[]): { kernelRoutes?: RouteSpec[] } {
  return routes.length > 0 ? { kernelRoutes: routes } : {};
}

export function routeTarget(r: IpRoute): string {
  const v6 = r.pref !== undefined || (r.gateway?.includes(':') ?? false) || r.dst.includes(':');
  if (r.dst === 'default') return v6 ? '::/0' : 'default';
  if (r.dst.includes('/')) return normalizePrefixText(r.dst);
  return normalizePrefixText(`${r.dst}/${v6 ? 128 : 32}`);
}

function normalizePrefixText(text: string): string {
  const p = parsePrefix(text);
  return p ? `${p.address}/${p.length}` : text;
}

function isMainTable(r: IpRoute): boolean {
  return (r.table === undefined || r.table === 'main') && (r.type === undefined || r.type === 'unicast');
}

function toRoutes(reading: NamespaceReading, devs: Set<string>): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const r of reading.routes) {
    if (!isMainTable(r) || FOREIGN_ROUTE_PROTOCOLS.has(r.protocol ?? '')) continue;
    if (r.dev && !devs.has(r.dev)) continue;
    const route: RouteSpec = { to: routeTarget(r) };
    if (r.gateway) route.via = parseAddress(r.gateway)?.canonical ?? r.gateway;
    if (r.dev) route.dev = r.dev;
    out.push(route);
  }
  return out.sort((a, b) => byCodeUnits(`${a.to} ${a.via ?? ''} ${a.dev ?? ''}`, `${b.to} ${b.via ?? ''} ${b.dev ?? ''}`));
}

/** The routes the kernel made for the node's addresses (`proto kernel`), IPv6 link-local and multicast aside. */
function kernelRoutes(reading: NamespaceReading, devs: Set<string>): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const r of reading.routes) {
    if (!isMainTable(r) || r.protocol !== 'kernel' || !r.dev || !devs.has(r.dev) || r.dev === LOOPBACK) continue;
    const to = routeTarget(r);
    if (to.startsWith('fe80:') || to.startsWith('ff00:')) continue;
    out.push({ to, dev: r.dev });
  }
  return out.sort((a, b) => byCodeUnits(`${a.to} ${a.dev}`, `${b.to} ${b.dev}`));
}

/** The netem on each device of a namespace, from its qdiscs. */
function netemByDev(reading: NamespaceReading): Map<string, NetemSpec> {
  const out = new Map<string, NetemSpec>();
  for (const q of reading.qdiscs ?? []) {
    if (q.kind === 'netem' && q.root && q.dev) out.set(q.dev, netemFromTc((q.options ?? {}) as TcNetemOptions));
  }
  return out;
}

interface End {
  ns: string; // '' = root
  link: IpLink;
  reading: NamespaceReading;
}

/** Pairs veth ends across namespaces using each namespace's nsid table and the peer ifindex. */
function pairVeths(ends: End[]): { pairs: [End, End][]; dangling: { end: End; peer: string }[] } {
  const byNsIndex = new Map<string, End>();
  const byNsName = new Map<string, End>();
  for (const e of ends) {
    byNsIndex.set(`${e.ns}#${e.link.ifindex}`, e);
    byNsName.set(`${e.ns}#${e.link.ifname}`, e);
  }
  const done = new Set<End>();
  const pairs: [End, End][] = [];
  const dangling: { end: End; peer: string }[] = [];
  const peerNs = (e: End): string | null => {
    if (e.link.link_netnsid === undefined) return e.ns;
    const named = e.reading.nsids.find((n) => n.nsid === e.link.link_netnsid)?.name;
    return named ?? null;
  };
  for (const e of ends) {
    if (done.has(e)) continue;
    let peer: End | undefined;
    const ns = peerNs(e);
    if (e.link.link_netnsid === undefined && typeof e.link.link === 'string') {
      // Both ends in one namespace (a loop): ip names the peer instead of giving its index.
      peer = byNsName.get(`${e.ns}#${e.link.link}`);
    } else if (ns !== null) {
      peer = byNsIndex.get(`${ns}#${e.link.link_index}`);
    } else {
      // The peer's namespace has no name from here: the root, or a namespace outside the lab.
      peer = ends.find((c) => !done.has(c) && c !== e && c.link.link_index === e.link.ifindex && e.link.link_index === c.link.ifindex && peerNs(c) === e.ns);
    }
    if (peer && !done.has(peer) && peer !== e) {
      done.add(e);
      done.add(peer);
      pairs.push([e, peer]);
    } else {
      done.add(e);
      dangling.push({ end: e, peer: ns ?? 'unknown' });
    }
  }
  return { pairs, dangling };
}

export function buildTopology(root: NamespaceReading, owned: NamespaceReading[], opts: BuildOptions): { topology: Topology; foreign: ForeignFacts } {
  const nodes: Record<string, NodeSpec> = {};
  const ends: End[] = [];
  const rootLinks = root.links.filter((l) => isOwnedHostLink(l, opts.mark, opts.pendingHostEnds));
  const bridges = rootLinks.filter((l) => l.linkinfo?.info_kind === 'bridge');
  const bridgeNames = new Set(bridges.map((b) => b.ifname));
  /** The node a veth end belongs to: its namespace, a bridge it is a port of, or the host. */
  const nodeOfEnd = (e: End) => (e.ns !== '' ? e.ns : e.link.master && bridgeNames.has(e.link.master) ? e.link.master : opts.hostName);

  for (const reading of owned) {
    const ns = reading.netns!;
    for (const link of reading.links) if (link.linkinfo?.info_kind === 'veth') ends.push({ ns, link, reading });
    const { interfaces, routes, kernel } = namespaceParts(reading);
    const forwarding = reading.forwarding ? { forwarding: true } : {};
    nodes[ns] = { kind: observedNamespaceKind(forwarding), interfaces, routes, ...forwarding, ...(kernel.length > 0 ? { kernelRoutes: kernel } : {}) };
  }

  for (const b of bridges) {
    const data = b.linkinfo?.info_data ?? {};
    nodes[b.ifname] = { kind: 'bridge', bridge: { stp: (data.stp_state ?? 0) !== 0, vlanFiltering: (data.vlan_filtering ?? 0) !== 0 }, interfaces: { [b.ifname]: toInterface(b) }, routes: [] };
  }
  const hostInterfaces: Record<string, InterfaceSpec> = {};
  for (const link of rootLinks) {
    if (link.linkinfo?.info_kind !== 'veth') continue;
    const end: End = { ns: '', link, reading: root };
    ends.push(end);
    const node = nodeOfEnd(end);
    if (node === opts.hostName) hostInterfaces[link.ifname] = toInterface(link);
    else nodes[node].interfaces[link.ifname] = toInterface(link);
  }
  if (Object.keys(hostInterfaces).length > 0 || opts.showHost) {
    // A lab machine's own forwarding is the lab's; the real machine's (real-host mode) is not reported, so never changed.
    const forwarding = opts.mark === undefined && root.forwarding ? { forwarding: true } : {};
    const devs = new Set(Object.keys(hostInterfaces));
    nodes[opts.hostName] = { kind: 'host', interfaces: hostInterfaces, routes: toRoutes(root, devs), ...forwarding, ...withKernelRoutes(kernelRoutes(root, devs)) };
  }
  // Bridges carry addresses on their own device; the kernel's routes for them are the root's.
  for (const b of bridges) {
    const own = kernelRoutes(root, new Set([b.ifname]));
    if (own.length > 0) nodes[b.ifname].kernelRoutes = own;
  }

  const netem = new Map<NamespaceReading, Map<string, NetemSpec>>();
  const netemOf = (e: End): NetemSpec | null => {
    if (!netem.has(e.reading)) netem.set(e.reading, netemByDev(e.reading));
    return netem.get(e.reading)!.get(e.link.ifname) ?? null;
  };
  const { pairs, dangling } = pairVeths(ends);
  const links: LinkSpec[] = pairs
    .map(([a, b]): LinkSpec => {
      const ea = { node: nodeOfEnd(a), iface: a.link.ifname };
      const eb = { node: nodeOfEnd(b), iface: b.link.ifname };
      const inOrder = `${ea.node}:${ea.iface}` <= `${eb.node}:${eb.iface}`;
      const link: LinkSpec = { endpoints: inOrder ? [ea, eb] : [eb, ea] };
      const [na, nb] = inOrder ? [netemOf(a), netemOf(b)] : [netemOf(b), netemOf(a)];
      if (na || nb) link.netem = [na, nb];
      return link;
    })
    .sort((x, y) => byCodeUnits(`${x.endpoints[0].node}:${x.endpoints[0].iface}`, `${y.endpoints[0].node}:${y.endpoints[0].iface}`));
  const danglingEnds: DanglingEnd[] = dangling.map(({ end, peer }) => ({ endpoint: { node: nodeOfEnd(end), iface: end.link.ifname }, peer: peer === '' ? 'host' : peer }));

  for (const name of Object.keys(nodes)) {
    const pos = opts.positions[name];
    if (pos) nodes[name].position = pos;
    keepRoutes(nodes[name], opts.keptRoutes?.[name] ?? []);
  }

  const foreignLinks = root.links.filter((l) => !isOwnedHostLink(l, opts.mark, opts.pendingHostEnds));
  const foreignDevs = new Set(foreignLinks.map((l) => l.ifname));
  const foreign: ForeignFacts = {
    hostInterfaces: foreignLinks.map((l) => l.ifname),
    hostAddresses: foreignLinks.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`)),
    hostRoutes: root.routes
      .filter((r) => (r.table === undefined || r.table === 'main') && r.dst !== 'default' && (!r.dev || foreignDevs.has(r.dev)))
      .map((r) => ({ to: routeTarget(r), dev: r.dev })),
  };

  const topology: Topology = { name: opts.name, nodes, links };
  if (danglingEnds.length > 0) topology.dangling = danglingEnds;
  return { topology, foreign };
}
