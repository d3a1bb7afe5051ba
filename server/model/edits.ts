/**
 * Turns one `lab-edit` of the socket protocol into a desired topology, from
 * the topology observed in the kernel. Pure: whatever it needs to know about
 * the machine (names already taken) comes in the context.
 */
import type { LabEdit } from './lab-edit';
import {
  LOOPBACK,
  type Endpoint,
  type InterfaceSpec,
  type LinkSpec,
  type BridgeSettings,
  type NetemSpec,
  type NodeSpec,
  type RouteSpec,
  type Topology,
  endpointKey,
  hostNodeName,
  isNamespaceKind,
} from './topology';
import { MAX_IFNAME_BYTES } from './names';
import { kindModule } from './kinds/kinds';
import { addressLink } from './addressing';
import { isEmptyNetem, parseNetem } from './netem';
import { parsePrefix } from './prefix';
import { parseTopologyYaml } from './topology-file';
import { checkAddress, validateTopology } from './validate';
import { formatErrors, type TopologyError } from './topology-errors';

export interface EditContext {
  /** Every interface name in the root namespace, the lab's and the machine's own: a new host end must take none of them. */
  hostInterfaces?: readonly string[];
  /** Every named namespace on the machine, the lab's or not: a new node must take none of them. */
  namespaces?: readonly string[];
}

export type EditResult = { ok: true; topology: Topology } | { ok: false; error: string; field?: string };

/** The name the host node gets when the edit gives none. */
export const DEFAULT_HOST_NODE = 'host';
/** New nodes are named ns1, ns2, ... (routers r1, switches br0, as the tutorials name them). */
const NODE_PREFIX: Record<'netns' | 'router' | 'bridge', { prefix: string; first: number }> = {
  netns: { prefix: 'ns', first: 1 },
  router: { prefix: 'r', first: 1 },
  bridge: { prefix: 'br', first: 0 },
};
/** New cable ends are named veth0, veth1, ... as in the tutorials, in namespaces and on the host alike. */
const VETH_PREFIX = 'veth';
/** More error lines than a person reads in an acknowledgement. */
const MAX_REPORTED_ERRORS = 5;

/** Quotes a name in an error message. */
const q = (v: unknown) => JSON.stringify(v);

function fail(field: string, message: string): EditResult {
  return { ok: false, error: `${field}: ${message}`, field };
}

/**
 * The desired form of an observed topology: only what a topology file can
 * say. Interfaces in no link (a veth whose peer is outside the lab, a dummy
 * made by hand) are left out, and with them the routes through them: the
 * planner removes interfaces only as ends of links, so it leaves those alone.
 */
export function desiredFromObserved(observed: Topology): Topology {
  const linked = new Set(observed.links.flatMap((l) => l.endpoints.map(endpointKey)));
  const nodes: Record<string, NodeSpec> = {};
  for (const [name, node] of Object.entries(observed.nodes)) {
    const interfaces: Record<string, InterfaceSpec> = {};
    for (const [iface, spec] of Object.entries(node.interfaces)) {
      const keep = linked.has(endpointKey({ node: name, iface })) || Object.hasOwn(kindModule(node.kind).implicitInterfaces(name), iface);
      if (keep) interfaces[iface] = { addresses: [...spec.addresses], up: spec.up, ...(spec.mtu !== undefined ? { mtu: spec.mtu } : {}) };
    }
    const routes = node.routes.filter((r) => !r.dev || r.dev === LOOPBACK || Object.hasOwn(interfaces, r.dev)).map(copyRoute);
    nodes[name] = {
      kind: node.kind,
      ...(node.position ? { position: { ...node.position } } : {}),
      interfaces,
      routes,
      ...(node.forwarding !== undefined ? { forwarding: node.forwarding } : {}),
      ...(node.bridge ? { bridge: { ...node.bridge } } : {}),
    };
  }
  return { name: observed.name, nodes, links: observed.links.map(copyLink) };
}

function copyRoute(r: RouteSpec): RouteSpec {
  return { to: r.to, ...(r.via !== undefined ? { via: r.via } : {}), ...(r.dev !== undefined ? { dev: r.dev } : {}) };
}

function copyLink(l: LinkSpec): LinkSpec {
  const copy = (n: NetemSpec | null) => (n ? { ...n } : null);
  return { endpoints: [{ ...l.endpoints[0] }, { ...l.endpoints[1] }], ...(l.netem ? { netem: [copy(l.netem[0]), copy(l.netem[1])] } : {}) };
}

/** A short sentence for the command log saying what an edit does. */
export function describeEdit(edit: LabEdit): string {
  switch (edit.op) {
    case 'add-node': {
      if (edit.kind === 'host') return 'show the host on the canvas';
      const what = edit.kind === 'bridge' ? 'switch' : edit.kind === 'router' ? 'router' : 'namespace';
      return edit.name ? `add ${what} ${edit.name}` : `add a ${what}`;
    }
    case 'rename-node':
      return `rename ${edit.from} to ${edit.to}`;
    case 'delete-node':
      return `delete ${edit.name} and its links`;
    case 'move-nodes':
      return 'move nodes';
    case 'add-link':
      return `link ${edit.a} and ${edit.b}`;
    case 'delete-link':
      return `delete the link ${endpointKey(edit.a)} <-> ${endpointKey(edit.b)}`;
    case 'set-interface':
      return `set ${edit.node}:${edit.iface}${edit.rename && edit.rename !== edit.iface ? ` (renamed ${edit.rename})` : ''}`;
    case 'set-routes':
      return `set the routes of ${edit.node}`;
    case 'set-forwarding':
      return `turn IP forwarding ${edit.on ? 'on' : 'off'} on ${edit.node}`;
    case 'set-bridge':
      return `set STP ${edit.stp ? 'on' : 'off'} and VLAN filtering ${edit.vlanFiltering ? 'on' : 'off'} on ${edit.node}`;
    case 'set-netem':
      return `set the impairments of the cable ${endpointKey(edit.a)} <-> ${endpointKey(edit.b)}`;
    case 'address-link':
      return `give the cable ${endpointKey(edit.a)} <-> ${endpointKey(edit.b)} addresses`;
    case 'load':
      return 'load a topology file';
    case 'destroy':
      return 'destroy the lab';
  }
}

/** Applies one edit (already checked against labEditSchema) to the observed topology and validates the result. */
export function applyEdit(current: Topology, edit: LabEdit, ctx: EditContext = {}): EditResult {
  if (edit.op === 'load') return load(edit.yaml);
  const base = desiredFromObserved(current);
  const next = build(base, current, edit, ctx);
  if (!next.ok) return next;
  const checked = validateTopology(next.topology);
  if (!checked.ok) return validationFailure(checked.errors, edit);
  return { ok: true, topology: checked.topology };
}

function build(t: Topology, observed: Topology, edit: LabEdit, ctx: EditContext): EditResult {
  switch (edit.op) {
    case 'add-node':
      return addNode(t, edit, ctx);
    case 'rename-node':
      return renameNode(t, edit.from, edit.to, ctx);
    case 'delete-node':
      return deleteNode(t, edit.name);
    case 'move-nodes':
      return moveNodes(t, edit.positions);
    case 'add-link':
      return addLink(t, observed, edit.a, edit.b, ctx);
    case 'delete-link':
      return deleteLink(t, edit.a, edit.b);
    case 'set-interface':
      return setInterface(t, observed, edit, ctx);
    case 'set-routes':
      return setRoutes(t, edit.node, edit.routes);
    case 'set-forwarding':
      return setForwarding(t, edit.node, edit.on);
    case 'set-bridge':
      return setBridge(t, edit.node, { stp: edit.stp, vlanFiltering: edit.vlanFiltering });
    case 'set-netem':
      return setNetem(t, edit);
    case 'address-link':
      return addressCable(t, edit.a, edit.b);
    case 'destroy':
      return { ok: true, topology: { name: t.name, nodes: {}, links: [] } };
    case 'load':
      return load(edit.yaml);
  }
}

function load(yaml: string): EditResult {
  const parsed = parseTopologyYaml(yaml, 'the loaded file');
  if (parsed.ok) return parsed;
  return { ok: false, error: prefixLines('yaml', parsed.errors), field: 'yaml' };
}

function prefixLines(field: string, errors: readonly TopologyError[]): string {
  const shown = errors.slice(0, MAX_REPORTED_ERRORS);
  const more = errors.length - shown.length;
  return formatErrors(shown).replace(/^/gm, `${field}: `) + (more > 0 ? `\n(${more} more problems not shown)` : '');
}

/** Maps a validation error of the whole topology back to the edit's own field where it can. */
function validationFailure(errors: readonly TopologyError[], edit: LabEdit): EditResult {
  const first = errors[0];
  let field = first.path;
  const own =
    edit.op === 'set-routes' ? { at: `nodes.${edit.node}.routes`, as: 'routes' }
    : edit.op === 'set-interface' ? { at: `nodes.${edit.node}.interfaces.${edit.rename ?? edit.iface}`, as: '' }
    : undefined;
  if (own && (first.path === own.at || first.path.startsWith(`${own.at}.`) || first.path.startsWith(`${own.at}[`))) {
    // `nodes.ns1.routes[0].via` -> `routes.0.via`, the way the protocol's own validator names fields.
    const tail = first.path.slice(own.at.length).replace(/\[(\d+)\]/g, '.$1');
    field = `${own.as}${tail}`.replace(/^\./, '') || first.path;
  }
  const rest = errors.slice(1, MAX_REPORTED_ERRORS);
  return { ok: false, error: [`${field}: ${first.message}`, ...(rest.length > 0 ? [formatErrors(rest)] : [])].join('\n'), field };
}

// ---- nodes ----

function addNode(t: Topology, edit: Extract<LabEdit, { op: 'add-node' }>, ctx: EditContext): EditResult {
  const machine = new Set(ctx.namespaces ?? []);
  const rootNames = new Set([...(ctx.hostInterfaces ?? []), ...Object.values(t.nodes).filter((n) => kindModule(n.kind).inRoot).flatMap((n) => Object.keys(n.interfaces))]);
  const inRoot = kindModule(edit.kind).inRoot;
  // A namespace must not take a namespace's name on the machine; a bridge, an interface's name in the root.
  const taken = (n: string) => Object.hasOwn(t.nodes, n) || (!inRoot && machine.has(n)) || (edit.kind === 'bridge' && rootNames.has(n));
  if (edit.kind === 'host') {
    const host = hostNodeName(t);
    if (host !== undefined) return fail('kind', `the lab already shows the host as ${q(host)}; there is only one host (the root namespace)`);
  }
  let name = edit.name;
  if (name !== undefined) {
    if (Object.hasOwn(t.nodes, name)) return fail('name', `${q(name)} is already a node of the lab; pick another name`);
    if (!inRoot && machine.has(name)) {
      return fail('name', `namespace ${q(name)} already exists on this machine and is not the lab's; pick another name`);
    }
    if (edit.kind === 'bridge' && rootNames.has(name)) return fail('name', `${q(name)} is already an interface of the host; a switch is an interface too, so pick another name`);
  } else if (edit.kind === 'host') {
    name = taken(DEFAULT_HOST_NODE) ? firstFree((i) => `${DEFAULT_HOST_NODE}${i}`, taken, 2) : DEFAULT_HOST_NODE;
  } else {
    const { prefix, first } = NODE_PREFIX[edit.kind];
    name = firstFree((i) => `${prefix}${i}`, taken, first);
  }
  const node: NodeSpec = { kind: edit.kind, interfaces: {}, routes: [], ...(edit.position ? { position: { ...edit.position } } : {}) };
  return { ok: true, topology: { ...t, nodes: { ...t.nodes, [name]: node } } };
}

function renameNode(t: Topology, from: string, to: string, ctx: EditContext): EditResult {
  if (!Object.hasOwn(t.nodes, from)) return fail('from', `${q(from)} is not a node of the lab`);
  if (from === to) return { ok: true, topology: t };
  if (Object.hasOwn(t.nodes, to)) return fail('to', `${q(to)} is already a node of the lab; pick another name`);
  if (isNamespaceKind(t.nodes[from].kind) && (ctx.namespaces ?? []).includes(to)) {
    return fail('to', `namespace ${q(to)} already exists on this machine and is not the lab's; pick another name`);
  }
  // A namespace cannot be renamed in the kernel: the planner makes the new one with the same cables and removes the old.
  const nodes = Object.fromEntries(Object.entries(t.nodes).map(([n, spec]) => [n === from ? to : n, spec]));
  const links = t.links.map((l) => ({ endpoints: l.endpoints.map((e) => (e.node === from ? { ...e, node: to } : e)) as [Endpoint, Endpoint] }));
  return { ok: true, topology: { ...t, nodes, links } };
}

function deleteNode(t: Topology, name: string): EditResult {
  if (!Object.hasOwn(t.nodes, name)) return fail('name', `${q(name)} is not a node of the lab`);
  let out: Topology = t;
  for (const link of t.links.filter((l) => l.endpoints.some((e) => e.node === name))) out = withoutLink(out, link);
  const nodes = { ...out.nodes };
  delete nodes[name];
  return { ok: true, topology: { ...out, nodes } };
}

function moveNodes(t: Topology, positions: Record<string, { x: number; y: number }>): EditResult {
  const nodes = { ...t.nodes };
  for (const [name, position] of Object.entries(positions)) {
    if (!Object.hasOwn(nodes, name)) return fail(`positions.${name}`, `${q(name)} is not a node of the lab`);
    nodes[name] = { ...nodes[name], position: { ...position } };
  }
  return { ok: true, topology: { ...t, nodes } };
}

// ---- links ----

function addLink(t: Topology, observed: Topology, a: string, b: string, ctx: EditContext): EditResult {
  if (!Object.hasOwn(t.nodes, a)) return fail('a', `${q(a)} is not a node of the lab`);
  if (!Object.hasOwn(t.nodes, b)) return fail('b', `${q(b)} is not a node of the lab`);
  // Lab-wide, as the tutorials number them: the first cable is veth0 <-> veth1, the next veth2 <-> veth3.
  const used = new Set<string>();
  for (const topo of [t, observed]) for (const node of Object.values(topo.nodes)) for (const name of Object.keys(node.interfaces)) used.add(name);
  if (kindModule(t.nodes[a].kind).inRoot || kindModule(t.nodes[b].kind).inRoot) for (const n of ctx.hostInterfaces ?? []) used.add(n);
  // Bridges are interfaces of the root too.
  for (const [name, node] of Object.entries(t.nodes)) if (node.kind === 'bridge') used.add(name);
  const nameEnd = (): string => {
    const name = firstFree((i) => `${VETH_PREFIX}${i}`, (n) => used.has(n), 0);
    used.add(name);
    return name;
  };
  const ea: Endpoint = { node: a, iface: nameEnd() };
  const eb: Endpoint = { node: b, iface: nameEnd() };
  const nodes = { ...t.nodes };
  for (const e of [ea, eb]) {
    nodes[e.node] = { ...nodes[e.node], interfaces: { ...nodes[e.node].interfaces, [e.iface]: { addresses: [], up: true } } };
  }
  return { ok: true, topology: { ...t, nodes, links: [...t.links, { endpoints: [ea, eb] }] } };
}

function firstFree(make: (i: number) => string, taken: (name: string) => boolean, start: number): string {
  for (let i = start; ; i++) if (!taken(make(i))) return make(i);
}

function sameEnd(x: Endpoint, y: Endpoint): boolean {
  return x.node === y.node && x.iface === y.iface;
}

function deleteLink(t: Topology, a: Endpoint, b: Endpoint): EditResult {
  const link = t.links.find((l) => (sameEnd(l.endpoints[0], a) && sameEnd(l.endpoints[1], b)) || (sameEnd(l.endpoints[0], b) && sameEnd(l.endpoints[1], a)));
  if (!link) return fail('a', `there is no link between ${q(endpointKey(a))} and ${q(endpointKey(b))}`);
  return { ok: true, topology: withoutLink(t, link) };
}

/** Removes a link, both its interfaces and the routes through them. */
function withoutLink(t: Topology, link: LinkSpec): Topology {
  const nodes = { ...t.nodes };
  for (const e of link.endpoints) {
    const node = nodes[e.node];
    if (!node) continue;
    const interfaces = { ...node.interfaces };
    delete interfaces[e.iface];
    nodes[e.node] = { ...node, interfaces, routes: node.routes.filter((r) => r.dev !== e.iface) };
  }
  return { ...t, nodes, links: t.links.filter((l) => l !== link) };
}

// ---- interfaces and routes ----

function setInterface(t: Topology, observed: Topology, edit: Extract<LabEdit, { op: 'set-interface' }>, ctx: EditContext): EditResult {
  const node = t.nodes[edit.node];
  if (!node || !Object.hasOwn(t.nodes, edit.node)) return fail('node', `${q(edit.node)} is not a node of the lab`);
  if (!Object.hasOwn(node.interfaces, edit.iface)) {
    const known = Object.keys(node.interfaces).join(', ') || 'none';
    return fail('iface', `${q(edit.iface)} is not an interface of ${edit.node} that the lab manages (it has ${known})`);
  }
  const elsewhere = new Map<string, string>();
  for (const [other, spec] of Object.entries(node.interfaces)) {
    if (other === edit.iface) continue;
    for (const a of spec.addresses) {
      const p = parsePrefix(a);
      if (p) elsewhere.set(`${p.family}:${p.address}`, other);
    }
  }
  for (const [i, text] of edit.addresses.entries()) {
    const checked = checkAddress(text);
    if ('error' in checked) return fail(`addresses.${i}`, checked.error);
    const other = elsewhere.get(`${checked.prefix.family}:${checked.prefix.address}`);
    if (other) return fail(`addresses.${i}`, `address ${q(text)} is already on ${other} of ${edit.node}; an address may appear only once per node`);
  }
  const name = edit.rename ?? edit.iface;
  if (name !== edit.iface) {
    if (edit.iface === LOOPBACK) return fail('rename', 'lo is the loopback interface and keeps its name');
    const inKernel = Object.hasOwn(observed.nodes[edit.node]?.interfaces ?? {}, name) || Object.hasOwn(node.interfaces, name);
    if (inKernel) return fail('rename', `${edit.node} already has an interface ${q(name)}; pick another name`);
    if (node.kind === 'host' && (ctx.hostInterfaces ?? []).includes(name)) {
      return fail('rename', `${q(name)} is already an interface of this machine; pick another name for the host end`);
    }
  }
  const mtu = edit.mtu ?? node.interfaces[edit.iface].mtu;
  const spec: InterfaceSpec = { addresses: [...edit.addresses], up: edit.up, ...(mtu !== undefined ? { mtu } : {}) };
  // The planner sees the cable under its new end name and renames the interface in place (see planner/renames.ts).
  const interfaces = Object.fromEntries(Object.entries(node.interfaces).map(([n, s]) => (n === edit.iface ? [name, spec] : [n, s])));
  const routes = node.routes.map((r) => (r.dev === edit.iface ? { ...r, dev: name } : r));
  const links = t.links.map((l) => ({
    endpoints: l.endpoints.map((e) => (e.node === edit.node && e.iface === edit.iface ? { node: e.node, iface: name } : e)) as [Endpoint, Endpoint],
  }));
  return { ok: true, topology: { ...t, nodes: { ...t.nodes, [edit.node]: { ...node, interfaces, routes } }, links } };
}

function setForwarding(t: Topology, name: string, on: boolean): EditResult {
  const node = t.nodes[name];
  if (!node || !Object.hasOwn(t.nodes, name)) return fail('node', `${q(name)} is not a node of the lab`);
  if (node.kind === 'bridge') return fail('on', `${name} is a switch; it switches frames and does not route`);
  // A namespace that forwards is a router, and one that stops is a plain namespace again.
  const kind = isNamespaceKind(node.kind) ? (on ? 'router' : 'netns') : node.kind;
  return { ok: true, topology: { ...t, nodes: { ...t.nodes, [name]: { ...node, kind, forwarding: on } } } };
}

function setBridge(t: Topology, name: string, settings: BridgeSettings): EditResult {
  const node = t.nodes[name];
  if (!node || !Object.hasOwn(t.nodes, name)) return fail('node', `${q(name)} is not a node of the lab`);
  if (node.kind !== 'bridge') return fail('node', `${q(name)} is a ${kindModule(node.kind).title}, not a switch`);
  return { ok: true, topology: { ...t, nodes: { ...t.nodes, [name]: { ...node, bridge: { ...settings } } } } };
}

function findLink(t: Topology, a: Endpoint, b: Endpoint): { link: LinkSpec; flipped: boolean } | undefined {
  for (const link of t.links) {
    if (sameEnd(link.endpoints[0], a) && sameEnd(link.endpoints[1], b)) return { link, flipped: false };
    if (sameEnd(link.endpoints[0], b) && sameEnd(link.endpoints[1], a)) return { link, flipped: true };
  }
  return undefined;
}

function setNetem(t: Topology, edit: Extract<LabEdit, { op: 'set-netem' }>): EditResult {
  const found = findLink(t, edit.a, edit.b);
  if (!found) return fail('a', `there is no link between ${q(endpointKey(edit.a))} and ${q(endpointKey(edit.b))}`);
  const ends: (NetemSpec | null)[] = [];
  for (const [i, raw] of edit.netem.entries()) {
    if (raw === null) {
      ends.push(null);
      continue;
    }
    const { spec, errors } = parseNetem(raw);
    if (errors.length > 0) return fail(`netem.${i}.${errors[0].field}`, errors[0].message);
    ends.push(isEmptyNetem(spec) ? null : spec);
  }
  const [na, nb] = found.flipped ? [ends[1], ends[0]] : [ends[0], ends[1]];
  const link: LinkSpec = { endpoints: found.link.endpoints, ...(na || nb ? { netem: [na, nb] } : {}) };
  return { ok: true, topology: { ...t, links: t.links.map((l) => (l === found.link ? link : l)) } };
}

function addressCable(t: Topology, a: Endpoint, b: Endpoint): EditResult {
  const found = findLink(t, a, b);
  if (!found) return fail('a', `there is no link between ${q(endpointKey(a))} and ${q(endpointKey(b))}`);
  const result = addressLink(t, found.link);
  if (!result.ok) return fail('a', result.error);
  const nodes = { ...t.nodes };
  for (const { end, address } of result.addresses) {
    const node = nodes[end.node];
    const spec = node.interfaces[end.iface];
    nodes[end.node] = { ...node, interfaces: { ...node.interfaces, [end.iface]: { ...spec, addresses: [...spec.addresses, address] } } };
  }
  return { ok: true, topology: { ...t, nodes } };
}

function setRoutes(t: Topology, name: string, routes: RouteSpec[]): EditResult {
  const node = t.nodes[name];
  if (!node || !Object.hasOwn(t.nodes, name)) return fail('node', `${q(name)} is not a node of the lab`);
  return { ok: true, topology: { ...t, nodes: { ...t.nodes, [name]: { ...node, routes: routes.map(copyRoute) } } } };
}
