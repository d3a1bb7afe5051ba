/**
 * `kind: bridge`: a switch, made as the classic tutorials make one,
 * `ip link add br0 type bridge` and `ip link set br0 up`, in the root
 * namespace (the host's). Its interfaces are its own device (named after the
 * node, like lo in a namespace; it may carry addresses) and its ports: the
 * bridge-side ends of its cables, attached with `ip link set END master br0`.
 * Settings: `stp` and `vlan_filtering`, off unless said.
 */
import type { BridgeSettings } from '../topology';
import type { Step } from '../step';
import { showValue } from '../topology-errors';
import type { NodeKindModule } from './node-kind';

export const DEFAULT_BRIDGE: BridgeSettings = { stp: false, vlanFiltering: false };

function settingArgs(s: BridgeSettings, only?: BridgeSettings): string[] {
  const args: string[] = [];
  if (!only || only.stp !== s.stp) args.push('stp_state', s.stp ? '1' : '0');
  if (!only || only.vlanFiltering !== s.vlanFiltering) args.push('vlan_filtering', s.vlanFiltering ? '1' : '0');
  return args;
}

function settingsText(s: BridgeSettings): string {
  return `STP ${s.stp ? 'on' : 'off'}, VLAN filtering ${s.vlanFiltering ? 'on' : 'off'}`;
}

export const bridgeKind: NodeKindModule = {
  kind: 'bridge',
  title: 'switch (bridge)',
  inRoot: true,
  implicitInterfaces: (name) => ({ [name]: { addresses: [], up: true } }),
  defaultForwarding: 'never',
  hasRoutes: false,
  validate: (name, node, report) => {
    for (const [iface, spec] of Object.entries(node.interfaces)) {
      if (iface === name || spec.addresses.length === 0) continue;
      report(['nodes', name, 'interfaces', iface, 'addresses'], spec.addresses, `${showValue(iface)} is a port of bridge ${showValue(name)}, and a port's addresses are not used; give the address to the bridge itself (interface ${showValue(name)}) or to the namespace at the other end`);
    }
    if (node.routes.length > 0) report(['nodes', name, 'routes'], node.routes.length, `bridge ${showValue(name)} has no routing table of its own; routes of the root namespace belong to the host node`);
    if (node.forwarding !== undefined) report(['nodes', name, 'forwarding'], node.forwarding, `bridge ${showValue(name)} switches frames and does not route; forwarding applies to namespaces and routers`);
  },
  createSteps: (name, node, marks) => {
    const s = node.bridge ?? DEFAULT_BRIDGE;
    const extra = settingArgs(s, DEFAULT_BRIDGE);
    const steps: Step[] = [
      { args: ['link', 'add', name, 'type', 'bridge', ...extra], reason: `create the switch ${name}: a Linux bridge (${settingsText(s)})`, creates: { hostEnds: [name] } },
    ];
    if (marks.mark) steps.push({ args: ['link', 'set', name, 'alias', marks.mark], reason: `mark bridge ${name} as made by vethlab, so only it is ever changed or removed`, bookkeeping: true });
    return steps;
  },
  removeSteps: (name) => [{ args: ['link', 'del', name], reason: `the switch ${name} is not in the topology (its ports leave it)`, removes: { hostEnds: [name] } }],
  updateSteps: (name, want, have) => {
    const w = want.bridge ?? DEFAULT_BRIDGE;
    const h = have.bridge ?? DEFAULT_BRIDGE;
    const args = settingArgs(w, h);
    return args.length === 0 ? [] : [{ args: ['link', 'set', name, 'type', 'bridge', ...args], reason: `set ${settingsText(w)} on the switch ${name}` }];
  },
};

