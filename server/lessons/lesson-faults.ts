/**
 * Faults for a troubleshooting lesson: a working lab with some things
 * broken (a cable end down, a route missing, a prefix too narrow), chosen
 * per lab from its name, so students beside each other have different
 * faults to find. Pure and deterministic.
 */
import { LOOPBACK, type Topology } from '../model/topology';
import { formatPrefix, parsePrefix } from '../model/prefix';
import type { FaultKind } from './lesson';

/** A prefix made this much narrower no longer reaches the rest of its subnet. */
const NARROWER_BY_BITS = 5;

export interface Fault {
  kind: FaultKind;
  /** What was broken, in words (for the teacher, and the tests). */
  what: string;
}

/** A small seeded generator (mulberry32): the same lab name gives the same faults. */
function random(seedText: string): () => number {
  let h = 1779033703 ^ seedText.length;
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 3432918353);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: T[]): T | undefined => (xs.length ? xs[Math.floor(r() * xs.length)] : undefined);

export function injectFaults(start: Topology, count: number, kinds: FaultKind[], seed: string): { topology: Topology; faults: Fault[] } {
  const t: Topology = structuredClone(start);
  const r = random(seed);
  const faults: Fault[] = [];
  // Different kinds first, in an order of the seed's choosing; then again if more are asked for.
  const order = [...kinds].sort(() => r() - 0.5);
  for (let i = 0; faults.length < count && i < count * 4; i++) {
    const kind = order[i % order.length];
    const f = inject(t, kind, r, faults);
    if (f) faults.push(f);
  }
  return { topology: t, faults };
}

function inject(t: Topology, kind: FaultKind, r: () => number, done: Fault[]): Fault | undefined {
  const touched = new Set(done.map((f) => f.what.split(' ')[0]));
  const ends = Object.entries(t.nodes).flatMap(([node, n]) => Object.keys(n.interfaces).filter((i) => i !== LOOPBACK && i !== node).map((iface) => `${node}:${iface}`));
  if (kind === 'down') {
    const e = pick(r, ends.filter((x) => !touched.has(x) && t.nodes[x.split(':')[0]].interfaces[x.split(':')[1]].up));
    if (!e) return undefined;
    const [node, iface] = e.split(':');
    t.nodes[node].interfaces[iface].up = false;
    return { kind, what: `${e} is down` };
  }
  if (kind === 'route') {
    const node = pick(r, Object.keys(t.nodes).filter((n) => t.nodes[n].routes.length > 0 && !touched.has(n)));
    if (!node) return undefined;
    const routes = t.nodes[node].routes;
    const [gone] = routes.splice(Math.floor(r() * routes.length), 1);
    return { kind, what: `${node} lacks its route to ${gone.to}` };
  }
  // A narrower prefix, only where no route of the node's own needs the subnet (a router's ends).
  const candidates = ends.filter((e) => !touched.has(e) && t.nodes[e.split(':')[0]].routes.length === 0 && t.nodes[e.split(':')[0]].interfaces[e.split(':')[1]].addresses.some((a) => !a.includes(':')));
  const e = pick(r, candidates);
  if (!e) return undefined;
  const [node, iface] = e.split(':');
  const spec = t.nodes[node].interfaces[iface];
  const i = spec.addresses.findIndex((a) => !a.includes(':'));
  const p = parsePrefix(spec.addresses[i])!;
  const narrower = formatPrefix({ ...p, length: Math.min(30, p.length + NARROWER_BY_BITS) });
  const was = spec.addresses[i];
  spec.addresses[i] = narrower;
  return { kind: 'prefix', what: `${e} has ${narrower} instead of ${was}` };
}
