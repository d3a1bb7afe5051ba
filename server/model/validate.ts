/**
 * The rules a desired topology must follow, whichever way it was written (a
 * file, an edit in the browser): names, addresses, routes, links, limits.
 * validateTopology returns a normalized copy or every problem found. Pure.
 */
import {
  LOOPBACK,
  endpointKey,
  type Endpoint,
  type InterfaceSpec,
  type LinkSpec,
  type NetemSpec,
  type NodeSpec,
  type Position,
  type RouteSpec,
  type Topology,
} from './topology';
import { interfaceNameProblem, netnsNameProblem } from './names';
import { KIND_NAMES, kindModule } from './kinds/kinds';
import { DEFAULT_BRIDGE } from './kinds/bridge';
import { isEmptyNetem, parseNetem } from './netem';
import { formatPrefix, normalizeRouteTarget, parseAddress, parsePrefix, type Prefix } from './prefix';
import { pathText, showValue, type PathPart, type Result, type TopologyError } from './topology-errors';

// Limits keep a lab to what a browser can draw and one machine can hold.
export const MAX_NODES = 1000;
export const MAX_LINKS = 2000;
export const MAX_ADDRESSES_PER_INTERFACE = 64;
export const MAX_ROUTES_PER_NODE = 256;
export const MAX_LAB_NAME_CHARS = 64;

const LAB_NAME = /^[A-Za-z0-9_. -]+$/;

type Report = (path: PathPart[], value: unknown, message: string) => void;

const q = showValue;

/**
 * Checks a desired topology and returns it normalized: addresses canonical
 * and sorted, route targets and gateways canonical, positions rounded to
 * whole pixels, link ends that no node lists declared with defaults.
 * Observed-only fields (kind, state, mac, stats, dangling) are dropped.
 */
export function validateTopology(t: Topology): Result {
  const errors: TopologyError[] = [];
  const report: Report = (path, value, message) => errors.push({ path: pathText(path), value, message });

  checkLabName(t.name, report);
  const nodeEntries = Object.entries(t.nodes);
  if (nodeEntries.length > MAX_NODES) {
    report(['nodes'], nodeEntries.length, `has ${nodeEntries.length} nodes; at most ${MAX_NODES} are allowed`);
  }
  if (t.links.length > MAX_LINKS) {
    report(['links'], t.links.length, `has ${t.links.length} links; at most ${MAX_LINKS} are allowed`);
  }
  if (errors.length > 0) return { ok: false, errors };

  const nodes = new Map<string, NodeSpec>();
  let host: string | undefined;
  for (const [name, node] of nodeEntries) {
    const problem = netnsNameProblem(name);
    if (problem) report(['nodes'], name, `node name ${q(name)} ${problem}`);
    const known = (KIND_NAMES as string[]).includes(node.kind);
    // An unknown kind is reported; the rest of the node is still checked, as a namespace.
    if (!known) report(['nodes', name, 'kind'], node.kind, `kind ${q(node.kind)} must be one of ${KIND_NAMES.map((k) => q(k)).join(', ')}`);
    const kind = known ? node.kind : 'netns';
    if (node.kind === 'host') {
      if (host === undefined) host = name;
      else report(['nodes', name, 'kind'], node.kind, `node ${q(name)} is a second "host" node; ${q(host)} already is the host (the root namespace), and there is only one`);
    }
    if (node.kind === 'bridge' && !problem) {
      // A bridge is a device in the root namespace, named after its node.
      const ifProblem = interfaceNameProblem(name);
      if (ifProblem) report(['nodes'], name, `bridge name ${q(name)} ${ifProblem} (a bridge is an interface)`);
    }
    if (node.bridge !== undefined && kind !== 'bridge') report(['nodes', name, 'stp'], node.bridge, `node ${q(name)} is a ${kindModule(kind).title}; stp and vlan_filtering are settings of bridges`);
    const forwarding = node.forwarding ?? (kind === 'router' ? true : undefined);
    nodes.set(name, {
      kind,
      ...normalizePosition(node.position, ['nodes', name, 'position'], report),
      interfaces: normalizeInterfaces(name, node.interfaces, report),
      routes: [],
      ...(forwarding !== undefined ? { forwarding } : {}),
      ...(node.kind === 'bridge' ? { bridge: { ...DEFAULT_BRIDGE, ...node.bridge } } : {}),
    });
  }

  const linkOf = new Map<string, number>();
  const links = t.links.map((link, i) => checkLink(link, i, nodes, linkOf, report));

  for (const [name, node] of nodes) {
    const kind = kindModule(node.kind);
    // Every namespace has lo, brought up unless the file says `lo: {up: false}`; a bridge has its own device.
    const implicit = Object.entries(kind.implicitInterfaces(name)).filter(([i]) => !Object.hasOwn(node.interfaces, i));
    if (implicit.length > 0) node.interfaces = { ...Object.fromEntries(implicit), ...node.interfaces };
    checkUnlinked(name, node, linkOf, report);
    kind.validate(name, { ...node, routes: t.nodes[name].routes, forwarding: t.nodes[name].forwarding }, report);
    node.routes = kind.hasRoutes ? normalizeRoutes(name, node, t.nodes[name].routes, report) : [];
  }
  checkRootNames(nodes, report);

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, topology: { name: t.name, nodes: Object.fromEntries(nodes), links, ...(t.allowWideHostRoutes ? { allowWideHostRoutes: true } : {}) } };
}

function checkLabName(name: string, report: Report): void {
  if (typeof name !== 'string' || name.length === 0) report(['name'], name, `lab name ${q(name)} must be 1 to ${MAX_LAB_NAME_CHARS} characters`);
  else if (name.length > MAX_LAB_NAME_CHARS) report(['name'], name, `lab name ${q(name)} is ${name.length} characters long; at most ${MAX_LAB_NAME_CHARS} are allowed`);
  else if (!LAB_NAME.test(name) || name.trim() === '') {
    report(['name'], name, `lab name ${q(name)} may use only letters, digits, spaces and "_ . -", and not only spaces`);
  }
}

function normalizePosition(position: Position | undefined, path: PathPart[], report: Report): { position?: Position } {
  if (position === undefined) return {};
  let ok = true;
  for (const axis of ['x', 'y'] as const) {
    if (typeof position[axis] !== 'number' || !Number.isFinite(position[axis])) {
      report([...path, axis], position[axis], `${axis} ${q(position[axis])} must be a finite number`);
      ok = false;
    }
  }
  // `|| 0` turns -0 into 0, which a file writes and reads back as plain 0.
  return ok ? { position: { x: Math.round(position.x) || 0, y: Math.round(position.y) || 0 } } : {};
}

/** The kernel's bounds for an IPv4-capable interface's MTU, and the largest a veth takes. */
export const MIN_MTU = 68;
export const MAX_MTU = 65535;

function normalizeInterfaces(node: string, interfaces: Record<string, InterfaceSpec>, report: Report): Record<string, InterfaceSpec> {
  const out = new Map<string, InterfaceSpec>();
  // Canonical address (no length) -> where it first appeared on this node.
  const seen = new Map<string, { iface: string; text: string }>();
  for (const [iface, spec] of Object.entries(interfaces)) {
    const path: PathPart[] = ['nodes', node, 'interfaces', iface];
    const problem = interfaceNameProblem(iface);
    if (problem) report(['nodes', node, 'interfaces'], iface, `interface name ${q(iface)} ${problem}`);
    if (typeof spec.up !== 'boolean') report([...path, 'up'], spec.up, `up ${q(spec.up)} must be true or false`);
    if (spec.addresses.length > MAX_ADDRESSES_PER_INTERFACE) {
      report([...path, 'addresses'], spec.addresses.length, `lists ${spec.addresses.length} addresses; at most ${MAX_ADDRESSES_PER_INTERFACE} are allowed per interface`);
      continue;
    }
    const prefixes: Prefix[] = [];
    spec.addresses.forEach((text, i) => {
      const checked = checkAddress(text);
      if ('error' in checked) return report([...path, 'addresses', i], text, checked.error);
      const key = `${checked.prefix.family}:${checked.prefix.address}`;
      const first = seen.get(key);
      if (first) {
        return report([...path, 'addresses', i], text, `address ${q(text)} is already on ${first.iface} as ${first.text}; an address may appear only once per node`);
      }
      seen.set(key, { iface, text });
      prefixes.push(checked.prefix);
    });
    if (spec.mtu !== undefined && (!Number.isInteger(spec.mtu) || spec.mtu < MIN_MTU || spec.mtu > MAX_MTU)) {
      report([...path, 'mtu'], spec.mtu, `mtu ${q(spec.mtu)} must be a whole number of bytes from ${MIN_MTU} to ${MAX_MTU}`);
    }
    out.set(iface, { addresses: prefixes.sort(comparePrefixes).map(formatPrefix), up: spec.up, ...(spec.mtu !== undefined ? { mtu: spec.mtu } : {}) });
  }
  return Object.fromEntries(out);
}

/** IPv4 before IPv6, then by address, then by length. */
function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.length - b.length;
}

/** An interface address: a prefix as `ip addr add` takes it, host bits allowed, outside reserved ranges. */
export function checkAddress(text: string): { prefix: Prefix } | { error: string } {
  if (typeof text !== 'string') return { error: `address ${q(text)} must be a string such as 10.0.1.1/24` };
  const prefix = parsePrefix(text);
  if (!prefix) return { error: explainBadPrefix(text) };
  const reserved = reservedRange(prefix);
  if (reserved) return { error: `address ${q(text)} ${reserved}` };
  return { prefix };
}

function explainBadPrefix(text: string): string {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const parsed = parseAddress(address);
  if (!parsed) return `address ${q(text)} is not an IPv4 or IPv6 prefix such as 10.0.1.1/24 or fd00::1/64`;
  if (slash < 0) return `address ${q(text)} needs a prefix length, e.g. ${text}/${parsed.family === 4 ? 24 : 64}`;
  const max = parsed.family === 4 ? 32 : 128;
  return `address ${q(text)} has a bad prefix length; IPv${parsed.family} lengths are 0 to ${max}, without leading zeros`;
}

const V6_LINK_LOCAL_TOP10 = 0x3fan; // fe80::/10

/** Why an address may not be given to an interface, or null. */
function reservedRange(p: Prefix): string | null {
  if (p.family === 4) {
    if (p.value >> 24n === 127n) return 'is a loopback address (127.0.0.0/8); the kernel gives lo 127.0.0.1/8 itself and routes the whole range to it';
    if (p.value >> 28n === 0xen) return 'is a multicast address (224.0.0.0/4); an interface cannot own one, it can only join a group';
    return null;
  }
  if (p.value === 1n) return 'is the IPv6 loopback address (::1); the kernel gives it to lo itself';
  if (p.value >> 120n === 0xffn) return 'is an IPv6 multicast address (ff00::/8); an interface cannot own one, it can only join a group';
  if (p.value >> 118n === V6_LINK_LOCAL_TOP10) {
    return 'is an IPv6 link-local address (fe80::/10); the kernel gives every interface one itself, so the lab does not manage them';
  }
  return null;
}

/** Host ends, bridges and bridge ports all live in the root namespace, where a name is taken once. */
function checkRootNames(nodes: Map<string, NodeSpec>, report: Report): void {
  const owner = new Map<string, string>();
  for (const [name, node] of nodes) {
    if (!kindModule(node.kind).inRoot) continue;
    for (const iface of Object.keys(node.interfaces)) {
      const first = owner.get(iface);
      if (first !== undefined) {
        report(['nodes', name, 'interfaces', iface], iface, `${q(iface)} is already an interface of ${q(first)}; the host and its bridges share the root namespace, where each interface name is used once`);
      } else owner.set(iface, name);
    }
  }
}

function checkLink(link: LinkSpec, i: number, nodes: Map<string, NodeSpec>, linkOf: Map<string, number>, report: Report): LinkSpec {
  const [a, b] = link.endpoints;
  if (a.node === b.node && nodes.get(a.node)?.kind === 'bridge') {
    report(['links', i, 'endpoints'], `${endpointKey(a)} <-> ${endpointKey(b)}`, `cable from bridge ${q(a.node)} to itself; it would make a loop through one switch, so cable the bridge to another node`);
  }
  link.endpoints.forEach((end, j) => {
    const path: PathPart[] = ['links', i, 'endpoints', j];
    const text = endpointKey(end);
    const node = nodes.get(end.node);
    if (!node) return report(path, text, `endpoint ${q(text)} names node ${q(end.node)}, which is not in nodes`);
    const problem = interfaceNameProblem(end.iface);
    if (problem) return report(path, text, `endpoint ${q(text)}: interface name ${q(end.iface)} ${problem}`);
    if (end.iface === LOOPBACK) return report(path, text, `endpoint ${q(text)}: lo is the loopback interface and cannot be an end of a veth pair`);
    if (node.kind === 'bridge' && end.iface === end.node) return report(path, text, `endpoint ${q(text)}: ${end.iface} is the bridge's own device; its ports are the cable ends, so pick another name`);
    if (j === 1 && text === endpointKey(link.endpoints[0])) {
      return report(path, text, `link from ${q(text)} to itself; a veth pair has two different ends`);
    }
    const other = linkOf.get(text);
    if (other !== undefined) return report(path, text, `${q(text)} is already an end of links[${other}]; an interface is in at most one link`);
    linkOf.set(text, i);
    // A link end no node lists is declared with defaults: files stay short.
    if (!Object.hasOwn(node.interfaces, end.iface)) {
      node.interfaces = Object.fromEntries([...Object.entries(node.interfaces), [end.iface, { addresses: [], up: true }]]);
    }
  });
  const copy = (e: Endpoint): Endpoint => ({ node: e.node, iface: e.iface });
  const out: LinkSpec = { endpoints: [copy(link.endpoints[0]), copy(link.endpoints[1])] };
  const netem = normalizeLinkNetem(link, i, report);
  if (netem) out.netem = netem;
  return out;
}

/** Each end's netem checked and normalized; undefined when neither end has any. */
function normalizeLinkNetem(link: LinkSpec, i: number, report: Report): LinkSpec['netem'] {
  if (link.netem === undefined) return undefined;
  if (!Array.isArray(link.netem) || link.netem.length !== 2) {
    report(['links', i, 'netem'], link.netem, `netem ${q(link.netem)} must give one setting per end`);
    return undefined;
  }
  const ends = link.netem.map((raw, j) => {
    if (raw === null || raw === undefined) return null;
    if (typeof raw !== 'object') {
      report(['links', i, 'netem', j], raw, `netem ${q(raw)} must be a map such as {delay: 50ms, loss: 1%}`);
      return null;
    }
    const { spec, errors } = parseNetem(raw as Record<string, unknown>);
    for (const e of errors) report(['links', i, 'netem', endpointKey(link.endpoints[j]), e.field], (raw as Record<string, unknown>)[e.field], e.message);
    return isEmptyNetem(spec) ? null : spec;
  }) as [NetemSpec | null, NetemSpec | null];
  return ends[0] || ends[1] ? [ends[0], ends[1]] : undefined;
}

function checkUnlinked(name: string, node: NodeSpec, linkOf: Map<string, number>, report: Report): void {
  for (const iface of Object.keys(node.interfaces)) {
    // A bad name is reported already; it could not be linked either.
    if (linkOf.has(endpointKey({ node: name, iface })) || interfaceNameProblem(iface)) continue;
    const path = ['nodes', name, 'interfaces', iface];
    if (Object.hasOwn(kindModule(node.kind).implicitInterfaces(name), iface)) continue;
    if (node.kind === 'host') {
      report(path, iface, `interface ${q(iface)} on the host node is in no link; the lab manages only the host ends of its own veth pairs, so add a link or remove it`);
    } else {
      report(path, iface, `interface ${q(iface)} is in no link; add a link or remove it`);
    }
  }
}

function normalizeRoutes(name: string, node: NodeSpec, routes: RouteSpec[], report: Report): RouteSpec[] {
  if (routes.length > MAX_ROUTES_PER_NODE) {
    report(['nodes', name, 'routes'], routes.length, `lists ${routes.length} routes; at most ${MAX_ROUTES_PER_NODE} are allowed per node`);
    return [];
  }
  const destinations = new Map<string, number>();
  const out: RouteSpec[] = [];
  routes.forEach((route, i) => {
    const path: PathPart[] = ['nodes', name, 'routes', i];
    const normalized = normalizeRoute(route, node, path, report);
    if (!normalized) return;
    if (node.kind === 'host' && (normalized.to === 'default' || normalized.to === '::/0')) {
      return report([...path, 'to'], route.to, `to ${q(route.to)}: the host node may not have a default route; it would replace the machine's own default route and cut the machine off from its network`);
    }
    const earlier = destinations.get(normalized.to);
    if (earlier !== undefined) {
      return report([...path, 'to'], route.to, `to ${q(route.to)} is already the destination of routes[${earlier}]; a node has one route per destination`);
    }
    destinations.set(normalized.to, i);
    out.push(normalized);
  });
  return out;
}

function normalizeRoute(route: RouteSpec, node: NodeSpec, path: PathPart[], report: Report): RouteSpec | null {
  const target = typeof route.to === 'string' ? normalizeRouteTarget(route.to) : { error: 'must be a string' };
  if ('error' in target) {
    report([...path, 'to'], route.to, `to ${q(route.to)} ${target.error}`);
    return null;
  }
  if (route.via === undefined && route.dev === undefined) {
    report(path, route, `route to ${q(route.to)} needs via (a gateway address) or dev (an interface of this node)`);
    return null;
  }
  const out: RouteSpec = { to: target.value };
  if (route.via !== undefined) {
    const via = typeof route.via === 'string' ? parseAddress(route.via) : null;
    if (!via) {
      const hint = typeof route.via === 'string' && route.via.includes('/') ? 'must be a bare address such as 10.0.1.1, without a prefix length' : 'is not an IPv4 or IPv6 address';
      report([...path, 'via'], route.via, `via ${q(route.via)} ${hint}`);
      return null;
    }
    if (via.family !== target.family) {
      report([...path, 'via'], route.via, `via ${q(route.via)} is IPv${via.family} but to ${q(route.to)} is IPv${target.family}`);
      return null;
    }
    out.via = via.canonical;
  }
  if (route.dev !== undefined) {
    if (route.dev !== LOOPBACK && (typeof route.dev !== 'string' || !Object.hasOwn(node.interfaces, route.dev))) {
      const known = [...Object.keys(node.interfaces).filter((i) => i !== LOOPBACK), LOOPBACK].join(', ');
      report([...path, 'dev'], route.dev, `dev ${q(route.dev)} is not an interface of this node (it has ${known})`);
      return null;
    }
    out.dev = route.dev;
  }
  return out;
}
