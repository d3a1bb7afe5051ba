/**
 * `kind: netns`: a network namespace named after the node, made with
 * `ip netns add`, with its own lo. It forwards nothing unless it says
 * `forwarding: true` (then it is drawn as a router).
 */
import { LOOPBACK, type NodeSpec } from '../topology';
import type { Step } from '../step';
import type { NodeKindModule } from './node-kind';

export function namespaceCreateSteps(name: string): Step[] {
  return [
    { args: ['netns', 'add', name], reason: `create network namespace ${name}`, creates: { namespaces: [name] } },
    { args: ['netns', 'set', name, 'auto'], reason: `give ${name} an id in the host's namespace, so its changes reach \`ip monitor all-nsid\` and the canvas`, bookkeeping: true },
  ];
}

export function namespaceRemoveSteps(name: string): Step[] {
  return [{ args: ['netns', 'del', name], reason: `namespace ${name} is not in the topology (its interfaces go with it)`, removes: { namespaces: [name] } }];
}

export const namespaceKind: NodeKindModule = {
  kind: 'netns',
  title: 'namespace',
  inRoot: false,
  implicitInterfaces: () => ({ [LOOPBACK]: { addresses: [], up: true } }),
  defaultForwarding: false,
  hasRoutes: true,
  validate: () => {},
  createSteps: namespaceCreateSteps,
  removeSteps: namespaceRemoveSteps,
  updateSteps: () => [],
};

/** What observe calls a namespace it reads: a router when it forwards. */
export function observedNamespaceKind(node: Pick<NodeSpec, 'forwarding'>): 'netns' | 'router' {
  return node.forwarding ? 'router' : 'netns';
}
