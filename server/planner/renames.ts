/**
 * Interface renames: a cable that the desired topology has with one end (or
 * both) under a new name is the same veth pair renamed, not a new one. The
 * kernel renames an interface in place (`ip link set dev OLD down`, `ip link
 * set dev OLD name NEW`), so the pair, its MAC, its ifindex and its routes
 * stay. Pure.
 */
import { isNamespaceKind, type LinkSpec, type NodeSpec, type Topology } from '../model/topology';
import type { Step } from '../model/step';
import { byCodeUnits } from '../model/names';

export interface Rename {
  /** The node the interface is on. */
  node: string;
  from: string;
  to: string;
}

const endsKey = (l: LinkSpec) => l.endpoints.map((e) => `${e.node}:${e.iface}`).sort().join(' <-> ');
const nodesKey = (l: LinkSpec) => l.endpoints.map((e) => e.node).sort().join(' <-> ');

/**
 * Cables of `observed` that `desired` no longer has, matched one to one with
 * new cables of `desired` between the same two nodes: the ends that differ
 * are renames. A name already taken on the node (in either topology) is no
 * rename; nor is a node whose kind changes.
 */
export function findRenames(desired: Topology, observed: Topology): Rename[] {
  // Each cable's key once: a lab of a hundred cables is planned on every edit.
  const keyOf = new Map<LinkSpec, string>([...desired.links, ...observed.links].map((l) => [l, endsKey(l)]));
  const desiredKeys = new Set(desired.links.map((l) => keyOf.get(l)!));
  const observedKeys = new Set(observed.links.map((l) => keyOf.get(l)!));
  const byKey = (a: LinkSpec, b: LinkSpec) => byCodeUnits(keyOf.get(a)!, keyOf.get(b)!);
  const gone = observed.links.filter((l) => !desiredKeys.has(keyOf.get(l)!)).sort(byKey);
  const fresh = desired.links.filter((l) => !observedKeys.has(keyOf.get(l)!)).sort(byKey);
  const renames: Rename[] = [];
  const used = new Set<LinkSpec>();
  for (const old of gone) {
    if (old.endpoints[0].node === old.endpoints[1].node) continue; // a loop: which end is which is not for guessing
    const match = fresh.find((n) => !used.has(n) && nodesKey(n) === nodesKey(old) && sameKinds(desired, observed, n));
    if (!match) continue;
    const pairs = old.endpoints.map((o) => [o, match.endpoints.find((n) => n.node === o.node)!] as const);
    const changes = pairs.filter(([o, n]) => o.iface !== n.iface);
    const free = changes.every(([o, n]) => !Object.hasOwn(observed.nodes[o.node]?.interfaces ?? {}, n.iface) && !otherLinkUses(desired, match, n.node, n.iface));
    if (changes.length === 0 || !free) continue;
    used.add(match);
    for (const [o, n] of changes) renames.push({ node: o.node, from: o.iface, to: n.iface });
  }
  return renames;
}

/** Each end's node is in the same place in the kernel in both (a namespace that became a router still is its namespace). */
function sameKinds(desired: Topology, observed: Topology, link: LinkSpec): boolean {
  return link.endpoints.every((e) => {
    const d = desired.nodes[e.node]?.kind;
    const o = observed.nodes[e.node]?.kind;
    return d !== undefined && o !== undefined && (d === o || (isNamespaceKind(d) && isNamespaceKind(o)));
  });
}

function otherLinkUses(t: Topology, except: LinkSpec, node: string, iface: string): boolean {
  return t.links.some((l) => l !== except && l.endpoints.some((e) => e.node === node && e.iface === iface));
}

/** The observed topology as it is once the renames have run: the interfaces under their new names, down. */
export function withRenames(observed: Topology, renames: readonly Rename[]): Topology {
  if (renames.length === 0) return observed;
  const nodes: Record<string, NodeSpec> = { ...observed.nodes };
  for (const r of renames) {
    const node = nodes[r.node];
    const interfaces = Object.fromEntries(Object.entries(node.interfaces).map(([name, spec]) => (name === r.from ? [r.to, { ...spec, up: false }] : [name, spec])));
    nodes[r.node] = { ...node, interfaces, routes: node.routes.map((route) => (route.dev === r.from ? { ...route, dev: r.to } : route)) };
  }
  const links = observed.links.map((l) => ({
    ...l,
    endpoints: l.endpoints.map((e) => {
      const r = renames.find((x) => x.node === e.node && x.from === e.iface);
      return r ? { node: e.node, iface: r.to } : e;
    }) as LinkSpec['endpoints'],
  }));
  return { ...observed, nodes, links };
}

/** The commands of one rename, in the interface's namespace (`netns` undefined: the root). */
export function renameSteps(r: Rename, netns: string | undefined): Step[] {
  return [
    { netns, args: ['link', 'set', 'dev', r.from, 'down'], reason: `take ${r.from} on ${r.node} down: an interface is renamed while down` },
    { netns, args: ['link', 'set', 'dev', r.from, 'name', r.to], reason: `rename ${r.from} on ${r.node} to ${r.to}: the same veth end, so its MAC, its peer and its routes stay` },
  ];
}
