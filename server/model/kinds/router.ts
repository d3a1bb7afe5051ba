/**
 * `kind: router`: a namespace with IP forwarding on, as the routing tutorials
 * make one: `ip netns add R`, then `ip netns exec R sysctl -w
 * net.ipv4.ip_forward=1`. Observe calls any namespace that forwards a router,
 * so a `sysctl` typed in a terminal turns the node into one on the canvas.
 */
import { showValue } from '../topology-errors';
import { namespaceKind } from './namespace';
import type { NodeKindModule } from './node-kind';

export const routerKind: NodeKindModule = {
  ...namespaceKind,
  kind: 'router',
  title: 'router',
  defaultForwarding: true,
  validate: (name, node, report) => {
    if (node.forwarding === false) {
      report(['nodes', name, 'forwarding'], false, `forwarding ${showValue(false)} on router ${showValue(name)}: a router forwards; make it kind "netns" for a namespace that does not`);
    }
  },
};
