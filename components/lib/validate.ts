/**
 * Checks the inspector runs as the teacher types. The rules are the server's
 * own (server/model is pure and runs in the browser too); the server checks
 * again, this only makes mistakes visible before Apply.
 */
import { normalizeRouteTarget, parseAddress, parsePrefix, prefixesOverlap } from '@/server/model/prefix';
import type { Topology } from '@/server/model/topology';
import { interfaceNameProblem, netnsNameProblem } from '@/server/model/names';

export { interfaceNameProblem, netnsNameProblem };

export function addressProblem(text: string): string | null {
  const t = text.trim();
  if (t === '') return 'type an address such as 10.0.1.1/24, or remove the line';
  if (!t.includes('/')) return parseAddress(t) ? 'add the prefix length, e.g. /24' : 'not an IPv4 or IPv6 address';
  if (!parsePrefix(t)) return 'not an address with prefix length such as 10.0.1.1/24 or fd00::1/64';
  return null;
}

/** A problem per address line (duplicates included), or null when the list is fine. */
export function addressListProblems(lines: string[]): (string | null)[] {
  const canonical = lines.map((l) => {
    const p = parsePrefix(l.trim());
    return p ? `${p.address}/${p.length}` : null;
  });
  return lines.map((l, i) => addressProblem(l) ?? (canonical[i] !== null && canonical.indexOf(canonical[i]) !== i ? 'listed twice' : null));
}

export interface RouteDraft {
  to: string;
  via: string;
  dev: string;
}

export type RouteProblems = Partial<Record<keyof RouteDraft, string>>;

export function routeProblems(r: RouteDraft, interfaces: string[]): RouteProblems {
  const out: RouteProblems = {};
  const target = normalizeRouteTarget(r.to.trim());
  if ('error' in target) out.to = r.to.trim() === '' ? 'destination: "default" or a prefix such as 10.0.2.0/24' : target.error;
  const via = r.via.trim();
  if (via !== '') {
    const gw = parseAddress(via);
    if (!gw) out.via = 'not an IPv4 or IPv6 address (no prefix length here)';
    else if (!('error' in target) && gw.family !== target.family) out.via = `an IPv${gw.family} gateway for an IPv${target.family} route`;
  }
  if (r.dev !== '' && !interfaces.includes(r.dev)) out.dev = `no interface ${r.dev} here`;
  if (via === '' && r.dev === '') out.via = 'give a gateway (via), an interface (dev), or both';
  return out;
}

export function hasProblems(p: RouteProblems): boolean {
  return Object.keys(p).length > 0;
}

/** A name another node (or another interface of this node) already has: caught while typing, before the server refuses it. */
export function takenProblem(text: string, taken: Iterable<string>, what: string): string | null {
  for (const t of taken) if (t === text) return `${text} is already ${what}`;
  return null;
}

/**
 * Addresses that another interface in the lab already has in the same subnet:
 * allowed (the kernel takes it), but two machines answering ARP for one
 * address is a lesson in confusion, so the form warns.
 */
export function sameAddressWarning(topology: Topology | null, here: { node: string; iface: string }, line: string): string | null {
  const p = parsePrefix(line.trim());
  if (!p || !topology) return null;
  for (const [node, spec] of Object.entries(topology.nodes)) {
    for (const [iface, i] of Object.entries(spec.interfaces)) {
      if (node === here.node && iface === here.iface) continue;
      for (const a of i.addresses) {
        const q = parsePrefix(a);
        if (q && q.family === p.family && q.value === p.value && prefixesOverlap(p, q)) return `${p.address} is also on ${node}:${iface}: two interfaces with one address in a subnet confuse ARP`;
      }
    }
  }
  return null;
}
