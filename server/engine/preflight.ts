/**
 * The safety checks that need kernel facts, in real-host mode: the lab
 * touches only what it made, and never gives the host an address or route
 * that would cut the machine off its own network or capture its traffic.
 * Inside a lab machine everything is the lab's, and nothing reaches the real
 * machine, so there is nothing to check. Pure: the facts come from observe.
 */
import { isNamespaceKind, type Topology } from '../model/topology';
import { parseAddress, parsePrefix, prefixesOverlap, type Prefix } from '../model/prefix';
import type { ForeignFacts } from '../kernel/build-topology';
import type { TopologyError } from '../model/topology-errors';

export type PreflightError = TopologyError;

export interface KernelFacts {
  foreign: ForeignFacts;
  /** Named namespaces that exist and are not this lab's. */
  foreignNamespaces: string[];
}

function parsed(list: string[]): Prefix[] {
  return list.map(parsePrefix).filter((p): p is Prefix => p !== null);
}

/** Host routes shorter than this capture a large share of the machine's traffic (IPv4 /8, IPv6 /16). */
export const MIN_HOST_ROUTE_PREFIX = { 4: 8, 6: 16 } as const;

/** Why this kernel cannot give the topology its netem; in any mode. */
export const NO_NETEM = 'this kernel has no netem (the sch_netem module, CONFIG_NET_SCH_NETEM), so cables cannot be impaired here; load it with "modprobe sch_netem" on the machine, or remove the netem settings';

export function preflight(desired: Topology, facts: KernelFacts, mode: { realHost: boolean; netem?: boolean } = { realHost: true }): PreflightError[] {
  const errors: PreflightError[] = [];
  if (mode.netem === false) {
    desired.links.forEach((link, i) => {
      if (link.netem?.some((n) => n !== null)) errors.push({ path: `links[${i}].netem`, value: link.netem, message: NO_NETEM });
    });
  }
  if (!mode.realHost) return errors;
  const foreignNs = new Set(facts.foreignNamespaces);
  const foreignIfaces = new Set(facts.foreign.hostInterfaces);
  const foreignRoutes = facts.foreign.hostRoutes.map((r) => ({ ...r, prefix: parsePrefix(r.to) })).filter((r) => r.prefix);
  const foreignAddrs = parsed(facts.foreign.hostAddresses);

  for (const [name, node] of Object.entries(desired.nodes)) {
    if (isNamespaceKind(node.kind)) {
      if (foreignNs.has(name)) {
        errors.push({
          path: `nodes.${name}`,
          value: name,
          message: `namespace "${name}" already exists and was not created by this lab; vethlab will not touch it. Remove it with "ip netns del ${name}" or give the node another name`,
        });
      }
      continue;
    }
    if (node.kind === 'host' && node.forwarding !== undefined) {
      errors.push({ path: `nodes.${name}.forwarding`, value: node.forwarding, message: `forwarding on the host node would change the real machine's own forwarding; in real-host mode only namespaces can be routers` });
    }
    const hostAddrs: Prefix[] = [];
    for (const [ifname, iface] of Object.entries(node.interfaces)) {
      const at = `nodes.${name}.interfaces.${ifname}`;
      if (foreignIfaces.has(ifname)) {
        errors.push({ path: at, value: ifname, message: `"${ifname}" is an interface of this machine that vethlab did not create; vethlab never changes it. Pick another name for the host end` });
        continue;
      }
      iface.addresses.forEach((a, i) => {
        const p = parsePrefix(a);
        if (!p) return;
        hostAddrs.push(p);
        const clash = foreignRoutes.find((r) => prefixesOverlap(p, r.prefix!)) ?? null;
        const sameAddr = foreignAddrs.find((f) => f.family === p.family && (f.value === p.value || prefixesOverlap(p, f)));
        if (clash || sameAddr) {
          const what = clash ? `the route ${clash.to}${clash.dev ? ` of ${clash.dev}` : ''}` : `the address ${sameAddr!.address}/${sameAddr!.length}`;
          errors.push({
            path: `${at}.addresses[${i}]`,
            value: a,
            message: `${a} overlaps ${what}, which vethlab does not own; on the host it would cut this machine off its own network. Choose a prefix outside it`,
          });
        }
      });
    }
    node.routes.forEach((r, i) => {
      const at = `nodes.${name}.routes[${i}]`;
      const to = parsePrefix(r.to);
      const clash = to && foreignRoutes.find((f) => prefixesOverlap(to, f.prefix!));
      if (r.dev && !Object.hasOwn(node.interfaces, r.dev)) {
        errors.push({ path: `${at}.dev`, value: r.dev, message: `the host route ${r.to} goes through ${r.dev}, which is not one of this lab's host ends; vethlab routes host traffic only through its own interfaces` });
      }
      if (to && !desired.allowWideHostRoutes && to.length < MIN_HOST_ROUTE_PREFIX[to.family]) {
        errors.push({ path: `${at}.to`, value: r.to, message: `the host route ${r.to} is wider than /${MIN_HOST_ROUTE_PREFIX[to.family]} and would capture much of this machine's traffic; narrow it, or set "allow-wide-host-routes: true" in the file if that is what you want` });
      }
      if (clash) {
        errors.push({ path: `${at}.to`, value: r.to, message: `the host route ${r.to} overlaps ${clash.to}${clash.dev ? ` of ${clash.dev}` : ''}, which vethlab does not own; it would divert this machine's own traffic` });
      }
      if (r.via && !r.dev) {
        const via = parseAddress(r.via);
        const reachable = via && hostAddrs.some((p) => p.family === via.family && prefixesOverlap(p, { ...p, value: via.value, length: via.family === 4 ? 32 : 128 }));
        if (!reachable) {
          errors.push({ path: `${at}.via`, value: r.via, message: `host routes must go through the lab's own interfaces: ${r.via} is not in the subnet of any host end of this lab; add "dev" or an address in that subnet` });
        }
      }
    });
  }
  return errors;
}
