/**
 * One-click addressing for a cable: the addresses a student would pick.
 * A free /24 for the two ends (a /30 between two routers, as point-to-point
 * links are numbered), or, for a cable to a switch, the next free address of
 * the LAN the switch already carries. Pure: it returns the addresses, and the
 * edit makes them a desired topology like any other.
 */
import { endpointKey, type Endpoint, type LinkSpec, type Topology } from './topology';
import { parsePrefix, prefixesOverlap, type Prefix } from './prefix';

export type Addressing = { ok: true; addresses: { end: Endpoint; address: string }[] } | { ok: false; error: string };

const ipv4 = (v: bigint) => [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');

function v4Prefixes(t: Topology): Prefix[] {
  const out: Prefix[] = [];
  for (const node of Object.values(t.nodes)) {
    for (const spec of Object.values(node.interfaces)) {
      for (const a of spec.addresses) {
        const p = parsePrefix(a);
        if (p && p.family === 4) out.push(p);
      }
    }
  }
  return out;
}

function v4Of(t: Topology, e: Endpoint): Prefix | undefined {
  return t.nodes[e.node]?.interfaces[e.iface]?.addresses.map(parsePrefix).find((p): p is Prefix => p !== null && p.family === 4);
}

/** The first 10.0.N.0/24 that overlaps nothing in the lab. */
function freeSubnet(t: Topology): bigint | null {
  const used = v4Prefixes(t);
  for (let n = 1n; n < 256n; n++) {
    const net = (10n << 24n) | (n << 8n);
    const candidate: Prefix = { family: 4, address: ipv4(net), length: 24, value: net };
    if (!used.some((u) => prefixesOverlap(u, candidate))) return net;
  }
  return null;
}

/** The lowest host address of `net` no interface of the lab has. */
function freeHost(t: Topology, net: Prefix): string | null {
  const taken = new Set(v4Prefixes(t).map((p) => p.value));
  const size = 1n << BigInt(32 - net.length);
  const base = (net.value >> BigInt(32 - net.length)) << BigInt(32 - net.length);
  for (let h = 1n; h < size - 1n; h++) if (!taken.has(base + h)) return `${ipv4(base + h)}/${net.length}`;
  return null;
}

const isRouter = (t: Topology, e: Endpoint) => t.nodes[e.node]?.kind === 'router' || t.nodes[e.node]?.forwarding === true;

/** The LAN a switch carries: the first IPv4 prefix at the far end of any of its other cables, or on the switch itself. */
function lanOf(t: Topology, bridge: string, except: LinkSpec): Prefix | undefined {
  const own = v4Of(t, { node: bridge, iface: bridge });
  if (own) return own;
  for (const link of t.links) {
    if (link === except) continue;
    const i = link.endpoints.findIndex((e) => e.node === bridge);
    if (i < 0) continue;
    const far = v4Of(t, link.endpoints[1 - i]);
    if (far) return far;
  }
  return undefined;
}

export function addressLink(t: Topology, link: LinkSpec): Addressing {
  const [a, b] = link.endpoints;
  const bridgeEnd = link.endpoints.filter((e) => t.nodes[e.node]?.kind === 'bridge');
  if (bridgeEnd.length === 2) return { ok: false, error: 'a cable between two switches carries frames, not addresses; address the namespaces cabled to them' };
  if (bridgeEnd.length === 1) {
    const end = bridgeEnd[0] === a ? b : a;
    if (v4Of(t, end)) return { ok: false, error: `${endpointKey(end)} already has an IPv4 address` };
    const lan = lanOf(t, bridgeEnd[0].node, link);
    if (lan) {
      const address = freeHost(t, lan);
      return address ? { ok: true, addresses: [{ end, address }] } : { ok: false, error: `the LAN of ${bridgeEnd[0].node} has no free address left` };
    }
    const net = freeSubnet(t);
    return net === null ? { ok: false, error: 'no free 10.0.N.0/24 subnet is left in the lab' } : { ok: true, addresses: [{ end, address: `${ipv4(net + 1n)}/24` }] };
  }
  const [pa, pb] = [v4Of(t, a), v4Of(t, b)];
  if (pa && pb) return { ok: false, error: `both ends already have IPv4 addresses (${pa.address}/${pa.length} and ${pb.address}/${pb.length})` };
  if (pa || pb) {
    // One end is addressed: the other joins its subnet.
    const [has, lacks] = pa ? [pa, b] : [pb!, a];
    const address = freeHost(t, has);
    return address ? { ok: true, addresses: [{ end: lacks, address }] } : { ok: false, error: `the subnet of ${has.address}/${has.length} has no free address left` };
  }
  const net = freeSubnet(t);
  if (net === null) return { ok: false, error: 'no free 10.0.N.0/24 subnet is left in the lab' };
  const length = isRouter(t, a) && isRouter(t, b) ? 30 : 24;
  return { ok: true, addresses: [{ end: a, address: `${ipv4(net + 1n)}/${length}` }, { end: b, address: `${ipv4(net + 2n)}/${length}` }] };
}
