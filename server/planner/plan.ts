/**
 * The planner: a pure function from (desired, observed) topologies to an
 * ordered list of `ip` commands, each with a reason. Applying its plan and
 * observing again yields a topology for which it plans nothing.
 *
 * Order (so that each namespace's commands are contiguous and batch well):
 *   1. teardown inside surviving namespaces: routes, addresses, links
 *   2. the root namespace: host teardown, bridges and namespaces removed and
 *      added (each kind's module says how), veth pairs created (each end
 *      straight into its namespace), bridge ports attached, host ends configured
 *   3. set-up inside each namespace: mark, addresses, links up/down, routes,
 *      forwarding, netem on cable ends
 */
import {
  LOOPBACK,
  type Endpoint,
  type InterfaceSpec,
  type LinkSpec,
  type NetemSpec,
  type NodeSpec,
  type RouteSpec,
  type Topology,
  isNamespaceKind,
  linkKey,
} from '../model/topology';
import { formatNetwork, parsePrefix } from '../model/prefix';
import { kindModule } from '../model/kinds/kinds';
import { netemArgs, netemLabel, sameNetem } from '../model/netem';
import type { Step } from '../model/step';
import { byCodeUnits } from '../model/names';
import { findRenames, renameSteps, withRenames } from './renames';

export interface PlanContext {
  /**
   * Real-host mode: the alias that marks a namespace's lo and a host veth end
   * as this lab's. Undefined inside a lab machine, where everything is the lab's.
   */
  mark?: string;
  /** Namespaces and host ends (`host:IFACE`) the lab made whose mark is missing (a run stopped before setting it). */
  unmarked?: string[];
}

/** The kernel-side identity of a node: its namespace, or '' for the root namespace. */
const ROOT = '';

function nsOf(topo: Topology, node: string): string {
  const kind = topo.nodes[node]?.kind;
  return kind && kindModule(kind).inRoot ? ROOT : node;
}

function nsArg(ns: string): string | undefined {
  return ns === ROOT ? undefined : ns;
}

/** A link in kernel terms: endpoints as (namespace, interface), the host as ''. */
function kernelLinkKey(topo: Topology, link: LinkSpec): string {
  return link.endpoints
    .map((e) => `${nsOf(topo, e.node)}:${e.iface}`)
    .sort()
    .join(' <-> ');
}

function routeArgs(r: RouteSpec): string[] {
  const args = [r.to];
  if (r.via) args.push('via', r.via);
  if (r.dev) args.push('dev', r.dev);
  return args;
}

function describeRoute(r: RouteSpec): string {
  return routeArgs(r).join(' ');
}

/** Does an observed route satisfy a desired one? A desired route without `dev` matches any device. */
function routeMatches(desired: RouteSpec, observed: RouteSpec): boolean {
  return desired.to === observed.to && (desired.via ?? '') === (observed.via ?? '') && (!desired.dev || desired.dev === observed.dev);
}

/**
 * A route the kernel adds by itself when an address is configured
 * (`10.0.1.0/24 dev veth0 proto kernel`): desired, it needs no command.
 */
function isConnectedRoute(node: NodeSpec, r: RouteSpec): boolean {
  if (r.via || !r.dev) return false;
  const iface = node.interfaces[r.dev];
  if (!iface || !iface.up) return false;
  return iface.addresses.some((a) => {
    const p = parsePrefix(a);
    return p !== null && formatNetwork(p) === r.to;
  });
}

/**
 * The desired routes that are the kernel's own (a connected route for an
 * address): they need no command, and the lab keeps them so the file that
 * asked for them exports with them. By node.
 */
export function kernelMadeRoutes(desired: Topology): Record<string, RouteSpec[]> {
  const out: Record<string, RouteSpec[]> = {};
  for (const [name, node] of Object.entries(desired.nodes)) {
    const routes = node.routes.filter((r) => isConnectedRoute(node, r));
    if (routes.length > 0) out[name] = routes.map((r) => ({ to: r.to, dev: r.dev }));
  }
  return out;
}

function sortedKeys<T>(record: Record<string, T>): string[] {
  return Object.keys(record).sort();
}

interface Phases {
  teardown: Map<string, Step[]>;
  root: Step[];
  rootTail: Step[];
  setup: Map<string, Step[]>;
}

function push(map: Map<string, Step[]>, ns: string, step: Step): void {
  const list = map.get(ns) ?? [];
  list.push(step);
  map.set(ns, list);
}

export function plan(desiredInput: Topology, observedInput: Topology, ctx: PlanContext): Step[] {
  const desired = withLoopback(desiredInput);
  // A cable whose end has a new name is renamed in place; the rest is planned against the renamed picture.
  const renames = findRenames(desired, observedInput);
  const observed = withRenames(observedInput, renames);
  const phases: Phases = { teardown: new Map(), root: [], rootTail: [], setup: new Map() };
  for (const r of renames) {
    const ns = nsOf(observed, r.node);
    for (const step of renameSteps(r, nsArg(ns))) {
      if (ns === ROOT) phases.root.push(step);
      else push(phases.teardown, ns, step);
    }
  }
  const add = (ns: string, which: 'teardown' | 'setup', step: Omit<Step, 'netns'>) => {
    const full: Step = { ...step, netns: nsArg(ns) };
    if (ns === ROOT) (which === 'teardown' ? phases.root : phases.rootTail).push(full);
    else push(phases[which], ns, full);
  };

  const desiredNs = new Set(Object.keys(desired.nodes).filter((n) => isNamespaceKind(desired.nodes[n].kind)));
  const observedNs = new Set(Object.keys(observed.nodes).filter((n) => isNamespaceKind(observed.nodes[n].kind)));
  const bridgesOf = (t: Topology) => new Set(Object.keys(t.nodes).filter((n) => t.nodes[n].kind === 'bridge'));
  const desiredBridges = bridgesOf(desired);
  const observedBridges = bridgesOf(observed);
  const removedNs = [...observedNs].filter((n) => !desiredNs.has(n)).sort();
  const addedNs = [...desiredNs].filter((n) => !observedNs.has(n)).sort();

  const observedLinks = new Map(observed.links.map((l) => [kernelLinkKey(observed, l), l]));
  const desiredLinks = new Map(desired.links.map((l) => [kernelLinkKey(desired, l), l]));
  const removedLinks = [...observedLinks.keys()].filter((k) => !desiredLinks.has(k)).sort();
  const addedLinks = [...desiredLinks.keys()].filter((k) => !observedLinks.has(k)).sort();

  /** Interfaces (ns:iface) that are created by this plan, or destroyed with their pair. */
  const fresh = new Set<string>();
  const gone = new Set<string>();
  for (const k of addedLinks) for (const e of desiredLinks.get(k)!.endpoints) fresh.add(`${nsOf(desired, e.node)}:${e.iface}`);
  for (const k of removedLinks) for (const e of observedLinks.get(k)!.endpoints) gone.add(`${nsOf(observed, e.node)}:${e.iface}`);

  const portOf = { desired: bridgePorts(desired), observed: bridgePorts(observed) };
  const netemOf = { desired: netemByEnd(desired), observed: netemByEnd(observed) };

  // 1 + 2a: teardown of what stays partly: routes, addresses, then links.
  const observedByNs = nodesByNamespace(observed);
  const desiredByNs = nodesByNamespace(desired);
  for (const ns of [...observedByNs.keys()].sort()) {
    if (ns !== ROOT && !desiredNs.has(ns)) continue; // the whole namespace goes
    const { node: oNode, label: oLabel } = observedByNs.get(ns)!;
    const dNode = desiredByNs.get(ns)?.node;
    for (const r of oNode.routes) {
      if (r.dev && gone.has(`${ns}:${r.dev}`)) continue; // leaves with its interface
      if (dNode?.routes.some((d) => routeMatches(d, r))) continue;
      // A kept route is the kernel's own for an address: no longer asked for, it stays the kernel's.
      if (isConnectedRoute(oNode, r)) continue;
      add(ns, 'teardown', { args: ['route', 'del', ...routeArgs(r)], reason: `route ${describeRoute(r)} is not in the topology of ${oLabel(r.dev)}` });
    }
    for (const ifname of sortedKeys(oNode.interfaces)) {
      const key = `${ns}:${ifname}`;
      if (gone.has(key)) continue;
      const want = dNode?.interfaces[ifname];
      if (!want || fresh.has(key)) continue;
      for (const a of oNode.interfaces[ifname].addresses) {
        if (!want.addresses.includes(a)) {
          add(ns, 'teardown', { args: ['addr', 'del', a, 'dev', ifname], reason: `${a} is no longer an address of ${ifname} on ${oLabel(ifname)}` });
        }
      }
    }
  }
  const isRemoved = (ns: string) => ns !== ROOT && removedNs.includes(ns);
  for (const k of removedLinks) {
    const link = observedLinks.get(k)!;
    const ends = link.endpoints.map((e) => ({ e, ns: nsOf(observed, e.node) }));
    if (ends.every(({ ns }) => isRemoved(ns))) continue; // goes with its namespaces
    // Deleting one end deletes the pair at once; a namespace's deletion takes its ends
    // only when the kernel gets round to it, so a pair into a surviving node is deleted first.
    // The root end is preferred so a host end never lingers.
    const end = ends.find(({ ns }) => ns === ROOT) ?? ends.find(({ ns }) => isRemoved(ns)) ?? ends[0];
    add(end.ns, 'teardown', {
      args: ['link', 'del', end.e.iface],
      reason: `the veth pair ${linkKey(link)} is not in the topology (deleting one end removes both)`,
      removes: { hostEnds: ends.filter(({ ns }) => ns === ROOT).map(({ e }) => e.iface) },
    });
  }

  // 2b: nodes that are made or removed as a whole: namespaces and bridges, as their kind's module says.
  const removedBridges = [...observedBridges].filter((n) => !desiredBridges.has(n)).sort();
  const addedBridges = [...desiredBridges].filter((n) => !observedBridges.has(n)).sort();
  for (const name of [...removedBridges, ...removedNs]) phases.root.push(...kindModule(observed.nodes[name].kind).removeSteps(name));
  for (const name of [...addedBridges, ...addedNs]) phases.root.push(...kindModule(desired.nodes[name].kind).createSteps(name, desired.nodes[name], { mark: ctx.mark }));
  for (const name of [...desiredBridges].filter((n) => observedBridges.has(n)).sort()) {
    phases.root.push(...kindModule('bridge').updateSteps(name, desired.nodes[name], observed.nodes[name]));
  }

  // 2c: veth pairs, each end created directly in its namespace.
  for (const k of addedLinks) {
    const link = desiredLinks.get(k)!;
    const [a, b] = orderEnds(desired, link.endpoints);
    const nsA = nsOf(desired, a.node);
    const nsB = nsOf(desired, b.node);
    const args = ['link', 'add', a.iface];
    if (nsA !== ROOT) args.push('netns', nsA);
    args.push('type', 'veth', 'peer', 'name', b.iface);
    if (nsB !== ROOT) args.push('netns', nsB);
    const hostEnds = [[a, nsA], [b, nsB]].filter(([, ns]) => ns === ROOT).map(([e]) => (e as Endpoint).iface);
    phases.root.push({ args, reason: `create the veth pair ${linkKey(link)}: ${where(a, nsA)} and ${where(b, nsB)}`, creates: { hostEnds } });
    for (const [end, ns] of [[a, nsA], [b, nsB]] as const) {
      if (ns === ROOT && ctx.mark) {
        phases.root.push({ args: ['link', 'set', end.iface, 'alias', ctx.mark], reason: `mark host end ${end.iface} as made by vethlab, so only it is ever changed or removed`, bookkeeping: true });
      }
    }
  }

  // 3: per namespace set-up (the root's goes at the end of the root batch).
  const nsList = [...desiredByNs.keys()].sort((x, y) => (x === ROOT ? -1 : y === ROOT ? 1 : byCodeUnits(x, y)));
  for (const ns of nsList) {
    const { node: dNode, label } = desiredByNs.get(ns)!;
    const dName = label();
    const oNode = desiredNs.has(ns) && observedNs.has(ns) ? observed.nodes[ns] : ns === ROOT ? observedByNs.get(ROOT)?.node : undefined;
    const isNew = ns !== ROOT && addedNs.includes(ns);
    if (ctx.mark && isNew) add(ns, 'setup', { args: ['link', 'set', LOOPBACK, 'alias', ctx.mark], reason: `mark ${ns} as made by vethlab`, bookkeeping: true });
    else if (ctx.mark && ns !== ROOT && ctx.unmarked?.includes(ns)) add(ns, 'setup', { args: ['link', 'set', LOOPBACK, 'alias', ctx.mark], reason: `mark ${ns} as made by vethlab (an earlier run stopped before it could)`, bookkeeping: true });
    if (ctx.mark && ns === ROOT) {
      for (const ifname of sortedKeys(dNode.interfaces)) {
        if (!fresh.has(`${ROOT}:${ifname}`) && ctx.unmarked?.includes(`host:${ifname}`)) {
          add(ns, 'setup', { args: ['link', 'set', ifname, 'alias', ctx.mark], reason: `mark host end ${ifname} as made by vethlab (an earlier run stopped before it could)`, bookkeeping: true });
        }
      }
    }
    for (const ifname of interfaceOrder(dNode)) {
      const want = dNode.interfaces[ifname];
      const key = `${ns}:${ifname}`;
      const owner = label(ifname);
      const made = (isNew && ifname === LOOPBACK) || (ns === ROOT && addedBridges.includes(ifname));
      const have: InterfaceSpec | undefined = fresh.has(key) ? undefined : oNode?.interfaces[ifname] ?? (made ? { addresses: [], up: false } : undefined);
      const exists = have !== undefined || fresh.has(key);
      if (!exists) continue; // validation guarantees every interface is implicit (lo, a bridge) or a link end
      if (ns === ROOT) {
        // A bridge port joins its bridge before it comes up, as the tutorials do it.
        const wantMaster = portOf.desired.get(ifname);
        const haveMaster = fresh.has(key) ? undefined : portOf.observed.get(ifname);
        if (wantMaster && wantMaster !== haveMaster) add(ns, 'setup', { args: ['link', 'set', ifname, 'master', wantMaster], reason: `make ${ifname} a port of the switch ${wantMaster}` });
        if (!wantMaster && haveMaster) add(ns, 'setup', { args: ['link', 'set', ifname, 'nomaster'], reason: `take ${ifname} out of the switch ${haveMaster}` });
      }
      for (const a of want.addresses) {
        if (!have?.addresses.includes(a)) add(ns, 'setup', { args: ['addr', 'add', a, 'dev', ifname], reason: `give ${ifname} on ${owner} the address ${a}` });
      }
      // Before the link comes up, as one would type it; absent in the topology, the MTU is left as it is.
      if (want.mtu !== undefined && want.mtu !== (have?.mtu ?? defaultMtu(ifname))) {
        add(ns, 'setup', { args: ['link', 'set', 'dev', ifname, 'mtu', String(want.mtu)], reason: `set the MTU of ${ifname} on ${owner} to ${want.mtu} bytes` });
      }
      const isUp = have?.up ?? false;
      const upReason = ifname === LOOPBACK ? `bring up lo on ${owner}: traffic to its own addresses goes through it` : ns === ROOT && desiredBridges.has(ifname) ? `bring up the switch ${ifname}` : `bring up ${ifname} on ${owner}`;
      if (want.up && !isUp) add(ns, 'setup', { args: ['link', 'set', ifname, 'up'], reason: upReason });
      if (!want.up && isUp) add(ns, 'setup', { args: ['link', 'set', ifname, 'down'], reason: `take ${ifname} on ${owner} down` });
    }
    for (const r of dNode.routes) {
      if (isConnectedRoute(dNode, r)) continue;
      const present = oNode?.routes.some((o) => routeMatches(r, o) && !(o.dev && gone.has(`${ns}:${o.dev}`)));
      if (!present) add(ns, 'setup', { args: ['route', 'add', ...routeArgs(r)], reason: `route ${describeRoute(r)} on ${dName}` });
    }
    // A namespace forwards only if told to (a router always); the host node is left as it is unless the topology says.
    const byDefault = kindModule(dNode.kind).defaultForwarding;
    const wantForwarding = dNode.forwarding ?? (typeof byDefault === 'boolean' ? byDefault : undefined);
    if (wantForwarding !== undefined && wantForwarding !== (oNode?.forwarding ?? false)) add(ns, 'setup', forwardingStep(dName, wantForwarding));
    // netem last: on an interface that is up, as one would type it after the cable works.
    for (const ifname of interfaceOrder(dNode)) {
      const key = `${ns}:${ifname}`;
      const want = netemOf.desired.get(key) ?? null;
      const have = fresh.has(key) ? null : netemOf.observed.get(key) ?? null;
      if (sameNetem(want, have)) continue;
      const owner = label(ifname);
      if (want) add(ns, 'setup', { program: 'tc', args: ['qdisc', 'replace', 'dev', ifname, 'root', 'netem', ...netemArgs(want)], reason: `impair what ${ifname} on ${owner} sends: ${netemLabel(want)}` });
      else add(ns, 'setup', { program: 'tc', args: ['qdisc', 'del', 'dev', ifname, 'root'], reason: `remove the impairments of ${ifname} on ${owner}` });
    }
  }

  const steps: Step[] = [];
  for (const ns of [...phases.teardown.keys()].sort()) steps.push(...phases.teardown.get(ns)!);
  steps.push(...phases.root, ...phases.rootTail);
  for (const ns of [...phases.setup.keys()].sort()) steps.push(...phases.setup.get(ns)!);
  return steps;
}

/** What an interface has when observe reports no MTU. */
function defaultMtu(ifname: string): number {
  return ifname === LOOPBACK ? 65536 : 1500;
}

/** `sysctl -w` of IPv4 and IPv6 forwarding, as the routing tutorials type it. */
function forwardingStep(node: string, on: boolean): Omit<Step, 'netns'> {
  const v = on ? '1' : '0';
  return {
    program: 'sysctl',
    args: ['-w', `net.ipv4.ip_forward=${v}`, `net.ipv6.conf.all.forwarding=${v}`],
    reason: on ? `turn on IP forwarding on ${node}: it routes packets between its interfaces` : `turn off IP forwarding on ${node}`,
  };
}

/** lo first, then the rest by name. */
function interfaceOrder(node: NodeSpec): string[] {
  return sortedKeys(node.interfaces).sort((a, b) => (a === LOOPBACK ? -1 : b === LOOPBACK ? 1 : 0));
}

interface NamespaceView {
  /** The namespace's nodes merged: the root holds the host and every bridge. */
  node: NodeSpec;
  /** The node an interface belongs to, for the reasons; without an interface, the namespace's main node. */
  label: (iface?: string) => string;
}

/**
 * The nodes by kernel namespace. A namespace node is its own; the root's
 * view merges the host's interfaces with every bridge's (its device and its
 * ports), and takes its routes and forwarding from the host node.
 */
function nodesByNamespace(topo: Topology): Map<string, NamespaceView> {
  const map = new Map<string, NamespaceView>();
  const rootNames = sortedKeys(topo.nodes).filter((n) => kindModule(topo.nodes[n].kind).inRoot);
  for (const name of sortedKeys(topo.nodes)) {
    if (!rootNames.includes(name)) map.set(name, { node: topo.nodes[name], label: () => name });
  }
  if (rootNames.length > 0) {
    const host = rootNames.find((n) => topo.nodes[n].kind === 'host');
    const owner = new Map<string, string>();
    const interfaces: Record<string, InterfaceSpec> = {};
    for (const name of rootNames) {
      for (const [iface, spec] of Object.entries(topo.nodes[name].interfaces)) {
        interfaces[iface] = spec;
        owner.set(iface, name);
      }
    }
    const hostNode = host ? topo.nodes[host] : undefined;
    map.set(ROOT, {
      node: { kind: 'host', interfaces, routes: hostNode?.routes ?? [], ...(hostNode?.forwarding !== undefined ? { forwarding: hostNode.forwarding } : {}) },
      label: (iface) => (iface && owner.get(iface)) || host || 'the host',
    });
  }
  return map;
}

/** Bridge port -> its bridge, for every bridge of a topology. */
function bridgePorts(topo: Topology): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, node] of Object.entries(topo.nodes)) {
    if (node.kind !== 'bridge') continue;
    for (const iface of Object.keys(node.interfaces)) if (iface !== name) out.set(iface, name);
  }
  return out;
}

/** `ns:iface` of each link end -> the netem on it. */
function netemByEnd(topo: Topology): Map<string, NetemSpec | null> {
  const out = new Map<string, NetemSpec | null>();
  for (const link of topo.links) link.endpoints.forEach((e, i) => out.set(`${nsOf(topo, e.node)}:${e.iface}`, link.netem?.[i] ?? null));
  return out;
}

/**
 * The host end first, so the command reads `ip link add veth0 type veth peer
 * name veth1 netns ns`; otherwise by namespace and name, whatever order the file used.
 */
function orderEnds(topo: Topology, ends: [Endpoint, Endpoint]): [Endpoint, Endpoint] {
  const key = (e: Endpoint) => `${nsOf(topo, e.node) === ROOT ? 0 : 1}${nsOf(topo, e.node)}:${e.iface}`;
  const [a, b] = ends;
  return key(a) <= key(b) ? [a, b] : [b, a];
}

function where(e: Endpoint, ns: string): string {
  return ns === ROOT ? `${e.iface} on the host` : `${e.iface} in ${ns}`;
}

/** Every node has its kind's implicit interfaces (lo, a bridge's device), up unless the topology says otherwise. */
function withLoopback(topo: Topology): Topology {
  const nodes: Record<string, NodeSpec> = {};
  for (const [name, node] of Object.entries(topo.nodes)) {
    const implicit = Object.entries(kindModule(node.kind).implicitInterfaces(name)).filter(([i]) => !node.interfaces[i]);
    nodes[name] = implicit.length > 0 ? { ...node, interfaces: { ...Object.fromEntries(implicit), ...node.interfaces } } : node;
  }
  return { ...topo, nodes };
}
