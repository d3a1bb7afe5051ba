/**
 * Sentences for the command log saying what changed between two observations
 * of the kernel, e.g. after a student typed `ip link set veth1 down` in a
 * terminal. Pure, no I/O.
 *
 * Only what the diagram shows counts: namespaces, veth pairs, interfaces,
 * their addresses and up/down flag, and routes. Counters, operstate, MACs,
 * positions and the topology's name are ignored (MACs only serve to recognise
 * a renamed interface).
 *
 * Order is fixed so that every browser shows the same log: namespaces deleted,
 * namespaces appeared, veth pairs removed, veth pairs appeared, then node by
 * node (sorted by name): renames, interfaces removed, interfaces appeared,
 * interface changes (interface by interface: down/up, addresses removed,
 * addresses added), routes removed, routes added.
 */
import { endpointKey, isNamespaceKind, linkKey, type InterfaceSpec, type LinkSpec, type NodeSpec, type RouteSpec, type Topology } from './topology';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** An interface that was not there before is compared against this: down, no addresses. */
const ABSENT: InterfaceSpec = { addresses: [], up: false };

function where(node: string): string {
  return `observed in ${node}:`;
}

function isNamespace(topo: Topology, name: string): boolean {
  const kind = topo.nodes[name]?.kind;
  return kind !== undefined && isNamespaceKind(kind);
}

/**
 * Interfaces of a node renamed between the two observations: one gone and one
 * new with the same MAC and kind. Returns before-name -> after-name.
 */
function renames(before: NodeSpec, after: NodeSpec): Map<string, string> {
  const out = new Map<string, string>();
  const gone = Object.keys(before.interfaces).filter((i) => !(i in after.interfaces)).sort(byText);
  const added = Object.keys(after.interfaces).filter((i) => !(i in before.interfaces)).sort(byText);
  const taken = new Set<string>();
  for (const old of gone) {
    const spec = before.interfaces[old];
    if (!spec.mac) continue;
    const match = added.filter((n) => !taken.has(n) && after.interfaces[n].mac === spec.mac && after.interfaces[n].kind === spec.kind);
    // Two candidates with one MAC cannot be told apart; say removed + appeared instead of guessing.
    if (match.length !== 1) continue;
    out.set(old, match[0]);
    taken.add(match[0]);
  }
  return out;
}

function routeKey(r: RouteSpec): string {
  return `${r.to} ${r.via ?? ''} ${r.dev ?? ''}`;
}

/** `default via 10.0.1.1`, as a student would type it; the device only when it is needed to tell routes apart. */
function routeText(r: RouteSpec, all: RouteSpec[]): string {
  let text = r.to;
  if (r.via) text += ` via ${r.via}`;
  const ambiguous = r.via !== undefined && all.some((o) => o !== r && o.to === r.to && o.via === r.via && o.dev !== r.dev);
  if (r.dev && (!r.via || ambiguous)) text += ` dev ${r.dev}`;
  return text;
}

function interfaceChanges(node: string, iface: string, was: InterfaceSpec, now: InterfaceSpec): string[] {
  const out: string[] = [];
  if (was.up && !now.up) out.push(`${where(node)} ${iface} went down`);
  const wasAddrs = new Set(was.addresses);
  const nowAddrs = new Set(now.addresses);
  for (const a of [...wasAddrs].filter((a) => !nowAddrs.has(a)).sort(byText)) out.push(`${where(node)} address ${a} removed from ${iface}`);
  for (const a of [...nowAddrs].filter((a) => !wasAddrs.has(a)).sort(byText)) out.push(`${where(node)} address ${a} added to ${iface}`);
  if (!was.up && now.up) out.push(`${where(node)} ${iface} came up`);
  return out;
}

export function describeChanges(before: Topology, after: Topology): string[] {
  const out: string[] = [];
  const nodeNames = [...new Set([...Object.keys(before.nodes), ...Object.keys(after.nodes)])].sort(byText);

  // Namespaces that came or went: one sentence each, nothing about their insides.
  const deleted = nodeNames.filter((n) => isNamespace(before, n) && !(n in after.nodes));
  const appeared = nodeNames.filter((n) => isNamespace(after, n) && !(n in before.nodes));
  for (const n of deleted) out.push(`observed: namespace ${n} was deleted`);
  for (const n of appeared) out.push(`observed: namespace ${n} appeared`);
  const wholeNode = new Set([...deleted, ...appeared]);

  const renamed = new Map<string, Map<string, string>>();
  for (const n of nodeNames) {
    const b = before.nodes[n];
    const a = after.nodes[n];
    if (b && a) renamed.set(n, renames(b, a));
  }
  const afterName = (node: string, iface: string) => renamed.get(node)?.get(iface) ?? iface;
  const renamedLink = (l: LinkSpec): LinkSpec => ({
    endpoints: l.endpoints.map((e) => ({ node: e.node, iface: afterName(e.node, e.iface) })) as LinkSpec['endpoints'],
  });

  // Veth pairs, compared after renames so that renaming an end does not read as a new pair.
  const beforeLinks = new Map(before.links.map((l) => [linkKey(renamedLink(l)), l]));
  const afterLinks = new Map(after.links.map((l) => [linkKey(l), l]));
  const removedLinks = [...beforeLinks].filter(([k]) => !afterLinks.has(k)).sort(([x], [y]) => byText(linkKey(beforeLinks.get(x)!), linkKey(beforeLinks.get(y)!)));
  const addedLinks = [...afterLinks].filter(([k]) => !beforeLinks.has(k)).sort(([x], [y]) => byText(x, y));
  for (const [, l] of removedLinks) out.push(`observed: veth pair ${linkKey(l)} was removed`);
  for (const [k] of addedLinks) out.push(`observed: veth pair ${k} appeared`);
  // Ends whose coming or going the pair's sentence already tells.
  const removedEnds = new Set(removedLinks.flatMap(([, l]) => l.endpoints.map(endpointKey)));
  const addedEnds = new Set(addedLinks.flatMap(([, l]) => l.endpoints.map(endpointKey)));
  const danglingBefore = new Set((before.dangling ?? []).map((d) => endpointKey(d.endpoint)));
  const danglingAfter = new Set((after.dangling ?? []).map((d) => endpointKey(d.endpoint)));

  for (const n of nodeNames) {
    if (wholeNode.has(n)) continue;
    const b: NodeSpec = before.nodes[n] ?? { kind: 'host', interfaces: {}, routes: [] };
    const a: NodeSpec = after.nodes[n] ?? { kind: 'host', interfaces: {}, routes: [] };
    const ren = renamed.get(n) ?? new Map<string, string>();
    const renamedTo = new Set(ren.values());

    for (const [old, now] of [...ren].sort(([x], [y]) => byText(x, y))) out.push(`${where(n)} interface ${old} was renamed to ${now}`);

    const removed = Object.keys(b.interfaces).filter((i) => !(i in a.interfaces) && !ren.has(i)).sort(byText);
    for (const i of removed) if (!removedEnds.has(`${n}:${i}`)) out.push(`${where(n)} interface ${i} was removed`);

    const added = Object.keys(a.interfaces).filter((i) => !(i in b.interfaces) && !renamedTo.has(i)).sort(byText);
    for (const i of added) {
      const key = `${n}:${i}`;
      if (addedEnds.has(key)) continue;
      const kind = a.interfaces[i].kind ?? 'unknown';
      out.push(danglingAfter.has(key) ? `${where(n)} interface ${i} appeared (${kind}, peer outside the lab)` : `${where(n)} interface ${i} appeared (${kind})`);
    }

    // Interfaces there before and after (perhaps renamed), then new ones against an empty, down baseline.
    const kept = Object.keys(b.interfaces)
      .filter((i) => afterName(n, i) in a.interfaces)
      .map((i) => [i, afterName(n, i)] as const)
      .sort(([, x], [, y]) => byText(x, y));
    for (const [old, now] of kept) {
      const key = `${n}:${now}`;
      if (danglingAfter.has(key) && !danglingBefore.has(`${n}:${old}`)) out.push(`${where(n)} ${now}'s peer is now outside the lab`);
      out.push(...interfaceChanges(n, now, b.interfaces[old], a.interfaces[now]));
    }
    for (const i of added) out.push(...interfaceChanges(n, i, ABSENT, a.interfaces[i]));

    // Routes through a removed interface went with it; its sentence says so.
    const gone = new Set(removed);
    const beforeRoutes = b.routes.map((r) => ({ ...r, ...(r.dev ? { dev: afterName(n, r.dev) } : {}) }));
    const afterKeys = new Set(a.routes.map(routeKey));
    const beforeKeys = new Set(beforeRoutes.map(routeKey));
    const routesRemoved = beforeRoutes.filter((r, i) => !afterKeys.has(routeKey(r)) && !(b.routes[i].dev && gone.has(b.routes[i].dev!)));
    const routesAdded = a.routes.filter((r) => !beforeKeys.has(routeKey(r)));
    const all = [...beforeRoutes, ...a.routes];
    for (const r of routesRemoved.sort((x, y) => byText(routeKey(x), routeKey(y)))) out.push(`${where(n)} route ${routeText(r, all)} removed`);
    for (const r of routesAdded.sort((x, y) => byText(routeKey(x), routeKey(y)))) out.push(`${where(n)} route ${routeText(r, all)} added`);
  }
  return out;
}
