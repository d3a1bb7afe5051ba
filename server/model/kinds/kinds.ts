/** The registry of node kinds: each kind's module, by the name the file uses. */
import type { NodeKind } from '../topology';
import { bridgeKind } from './bridge';
import { hostKind } from './host';
import { namespaceKind } from './namespace';
import type { NodeKindModule } from './node-kind';
import { routerKind } from './router';

export const NODE_KINDS: Record<NodeKind, NodeKindModule> = {
  netns: namespaceKind,
  router: routerKind,
  host: hostKind,
  bridge: bridgeKind,
};

export const KIND_NAMES = Object.keys(NODE_KINDS) as NodeKind[];

export function kindModule(kind: NodeKind): NodeKindModule {
  return NODE_KINDS[kind];
}

/** The namespace a node's interfaces are in: its own name, or '' for the root. */
export function namespaceOf(name: string, kind: NodeKind): string {
  return NODE_KINDS[kind].inRoot ? '' : name;
}
