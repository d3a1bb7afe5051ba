/**
 * `kind: host`: the root namespace (the lab machine's own; in real-host mode
 * the real machine's). The lab makes nothing for it: it only cables veth
 * ends to it, and leaves its forwarding as it is unless the topology says.
 */
import type { NodeKindModule } from './node-kind';

export const hostKind: NodeKindModule = {
  kind: 'host',
  title: 'host',
  inRoot: true,
  implicitInterfaces: () => ({}),
  defaultForwarding: undefined,
  hasRoutes: true,
  validate: () => {},
  createSteps: () => [],
  removeSteps: () => [],
  updateSteps: () => [],
};
