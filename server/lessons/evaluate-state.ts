/**
 * State checks against the lab as observed: pure, so they run on every
 * change the server sees, and a failing one says what it looked for and
 * what it found ("veth0 is in vnet0 but DOWN").
 */
import { linkKey, parseEndpoint, type Endpoint, type InterfaceSpec, type NetemSpec, type Topology } from '../model/topology';
import { netemLabel } from '../model/netem';
import type { Check } from './check';

export interface CheckResult {
  /** What the check looks for, in words. */
  label: string;
  ok: boolean;
  /** What was found instead, when it failed (or a note when it passed). */
  found?: string;
  /** An active check not run yet (its step's state checks do not all pass). */
  pending?: boolean;
}

const has = <T extends object>(o: T, k: string) => Object.hasOwn(o, k);

function describeEnd(e: Endpoint): string {
  return `${e.iface} in ${e.node}`;
}

/** Where an interface of that name is, when it is not where it should be. */
function elsewhere(topo: Topology, e: Endpoint): string {
  const at = Object.entries(topo.nodes).filter(([, n]) => has(n.interfaces, e.iface)).map(([name]) => name);
  if (!has(topo.nodes, e.node)) return at.length ? `there is no ${e.node}; ${e.iface} is in ${at.join(', ')}` : `there is no ${e.node}`;
  return at.length ? `${e.iface} is in ${at.join(', ')}, not ${e.node}` : `${e.node} has no ${e.iface}`;
}

function interfaceAt(topo: Topology, e: Endpoint): InterfaceSpec | undefined {
  const node = has(topo.nodes, e.node) ? topo.nodes[e.node] : undefined;
  return node && has(node.interfaces, e.iface) ? node.interfaces[e.iface] : undefined;
}

function peerOf(topo: Topology, e: Endpoint): Endpoint | undefined {
  for (const l of topo.links) {
    const [a, b] = l.endpoints;
    if (a.node === e.node && a.iface === e.iface) return b;
    if (b.node === e.node && b.iface === e.iface) return a;
  }
  const d = topo.dangling?.find((x) => x.endpoint.node === e.node && x.endpoint.iface === e.iface);
  return d ? { node: d.peer, iface: '?' } : undefined;
}

export function checkLabel(c: Check): string {
  switch (c.type) {
    case 'namespace':
      return c.absent ? `no namespace ${c.namespace}` : `namespace ${c.namespace} exists`;
    case 'interface': {
      const e = parseEndpoint(c.interface)!;
      const parts = [c.kind ? `a ${c.kind}` : '', c.peer ? `peer ${c.peer.includes(':') ? c.peer : `in ${c.peer}`}` : '', c.up === true ? 'up' : c.up === false ? 'down' : '', c.address ? `with ${[c.address].flat().join(', ')}` : ''].filter(Boolean);
      return `${describeEnd(e)}${parts.length ? `: ${parts.join(', ')}` : ' exists'}`;
    }
    case 'pair':
      return `a veth pair ${c.pair[0]} ⟷ ${c.pair[1]}`;
    case 'switch':
      return `switch ${c.switch} exists`;
    case 'port': {
      const e = parseEndpoint(c.port)!;
      return `${e.iface} is a port of switch ${e.node}`;
    }
    case 'route':
      return `${c.route.node} has a route to ${c.route.to}${c.route.via ? ` via ${c.route.via}` : ''}${c.route.dev ? ` dev ${c.route.dev}` : ''}`;
    case 'forwarding':
      return c.on === false ? `${c.forwarding} does not forward` : `${c.forwarding} forwards packets (a router)`;
    case 'impaired':
      return `the cable ${c.impaired.join(' ⟷ ')} is impaired${c.delay !== undefined ? `, at least ${c.delay} ms delay` : ''}${c.loss !== undefined ? `, at least ${c.loss}% loss` : ''}`;
    case 'ping':
      return c.ping.fails
        ? `ping from ${c.ping.from} to ${c.ping.to} gets no answer`
        : `ping from ${c.ping.from} to ${c.ping.to} answers${c.ping.loss ? `, at most ${c.ping.loss}% lost` : ''}${c.ping.rtt ? `, round trip at least ${c.ping.rtt} ms` : ''}`;
    case 'path':
      return `the way from ${c.path.from} to ${c.path.to} crosses ${c.path.via}`;
    case 'packet':
      return `a${c.packet.protocol ? ` ${c.packet.protocol}` : ''} packet${c.packet.text ? ` "${c.packet.text}"` : ''} seen on ${c.packet.on}`;
  }
}

/** A state check's result; active checks are not state checks and answer `pending`. */
export function evaluateState(c: Check, topo: Topology): CheckResult {
  const label = checkLabel(c);
  const pass = (): CheckResult => ({ label, ok: true });
  const fail = (found: string): CheckResult => ({ label, ok: false, found });
  switch (c.type) {
    case 'namespace': {
      const there = has(topo.nodes, c.namespace);
      if (c.absent) return there ? fail(`${c.namespace} is still there`) : pass();
      return there ? pass() : fail(`there is no namespace ${c.namespace}`);
    }
    case 'interface': {
      const e = parseEndpoint(c.interface)!;
      const i = interfaceAt(topo, e);
      if (!i) return fail(elsewhere(topo, e));
      if (c.kind && i.kind !== c.kind) return fail(`${describeEnd(e)} is ${i.kind ? `a ${i.kind}` : 'of another kind'}, not a ${c.kind}`);
      if (c.peer) {
        const p = peerOf(topo, e);
        const want = c.peer.includes(':') ? parseEndpoint(c.peer)! : { node: c.peer, iface: '' };
        if (!p) return fail(`${describeEnd(e)} has no veth peer in the lab`);
        if (p.node !== want.node || (want.iface && p.iface !== want.iface)) return fail(`${describeEnd(e)}'s peer is ${p.iface === '?' ? `in ${p.node}` : `${p.iface} in ${p.node}`}`);
      }
      if (c.up === true && !i.up) return fail(`${e.iface} is in ${e.node} but DOWN`);
      if (c.up === false && i.up) return fail(`${e.iface} is in ${e.node} but UP`);
      for (const a of [c.address ?? []].flat()) {
        if (!i.addresses.includes(a)) return fail(i.addresses.length ? `${describeEnd(e)} has ${i.addresses.join(', ')}, not ${a}` : `${describeEnd(e)} has no address`);
      }
      return pass();
    }
    case 'pair': {
      const [x, y] = c.pair;
      const link = topo.links.find((l) => (l.endpoints[0].iface === x && l.endpoints[1].iface === y) || (l.endpoints[0].iface === y && l.endpoints[1].iface === x));
      if (link) return pass();
      const ends = [x, y].map((n) => Object.entries(topo.nodes).find(([, spec]) => has(spec.interfaces, n))?.[0]);
      if (!ends[0] && !ends[1]) return fail(`there is no ${x} and no ${y}`);
      return fail(ends.map((where, i) => (where ? `${c.pair[i]} is in ${where}` : `there is no ${c.pair[i]}`)).join('; ') + ', not paired');
    }
    case 'switch': {
      const sw = has(topo.nodes, c.switch) ? topo.nodes[c.switch] : undefined;
      if (!sw) return fail(`there is no switch ${c.switch}`);
      return sw.kind === 'bridge' ? pass() : fail(`${c.switch} is a ${sw.kind}, not a switch`);
    }
    case 'port': {
      const e = parseEndpoint(c.port)!;
      const sw = has(topo.nodes, e.node) ? topo.nodes[e.node] : undefined;
      if (!sw) return fail(`there is no switch ${e.node}`);
      if (sw.kind !== 'bridge') return fail(`${e.node} is not a switch`);
      return has(sw.interfaces, e.iface) && e.iface !== e.node ? pass() : fail(elsewhere(topo, e).replace(`${e.node} has no`, `${e.node} has no port`));
    }
    case 'route': {
      const r = c.route;
      const node = has(topo.nodes, r.node) ? topo.nodes[r.node] : undefined;
      if (!node) return fail(`there is no ${r.node}`);
      const all = [...node.routes, ...(node.kernelRoutes ?? [])];
      const found = all.some((x) => x.to === r.to && (!r.via || x.via === r.via) && (!r.dev || x.dev === r.dev));
      if (found) return pass();
      const same = all.filter((x) => x.to === r.to);
      if (same.length) return fail(`${r.node}'s route to ${r.to} is ${same.map((x) => `${x.via ? `via ${x.via}` : ''}${x.dev ? ` dev ${x.dev}` : ''}`.trim()).join('; ')}`);
      return fail(all.length ? `${r.node} has routes to ${all.map((x) => x.to).join(', ')} only` : `${r.node} has no routes`);
    }
    case 'forwarding': {
      const node = has(topo.nodes, c.forwarding) ? topo.nodes[c.forwarding] : undefined;
      if (!node) return fail(`there is no ${c.forwarding}`);
      const on = node.kind === 'router' || node.forwarding === true;
      if (c.on === false) return on ? fail(`${c.forwarding} forwards`) : pass();
      return on ? pass() : fail(`${c.forwarding} does not forward (net.ipv4.ip_forward is 0)`);
    }
    case 'impaired': {
      const [a, b] = c.impaired.map((x) => parseEndpoint(x)!);
      const key = linkKey({ endpoints: [a, b] });
      const link = topo.links.find((l) => linkKey(l) === key);
      if (!link) return fail(`there is no cable ${c.impaired.join(' ⟷ ')}`);
      const ends: NetemSpec[] = (link.netem ?? []).flatMap((x) => (x ? [x] : []));
      if (ends.length === 0) return fail('the cable has no netem');
      const ok = ends.some((n) => (c.delay === undefined || (n.delay ?? 0) >= c.delay) && (c.loss === undefined || (n.loss ?? 0) >= c.loss));
      return ok ? pass() : fail(`the cable has ${ends.map((n) => netemLabel(n)).join(' / ')}`);
    }
    default:
      return { label, ok: false, pending: true };
  }
}
