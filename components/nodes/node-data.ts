/** What a namespace or host node on the canvas shows; React Flow node ids are node names. */
import type { Node } from '@xyflow/react';
import type { DanglingEnd, InterfaceSpec, NodeSpec } from '@/server/model/topology';

export type LabNodeData = {
  name: string;
  spec: NodeSpec;
  /** This node's veth ends whose peer is outside the lab. */
  dangling: DanglingEnd[];
};

export type FlowType = 'namespace' | 'router' | 'host' | 'bridge';
export type NamespaceNodeType = Node<LabNodeData, 'namespace'>;
export type RouterNodeType = Node<LabNodeData, 'router'>;
export type HostNodeType = Node<LabNodeData, 'host'>;
export type BridgeNodeType = Node<LabNodeData, 'bridge'>;
export type LabNode = NamespaceNodeType | RouterNodeType | HostNodeType | BridgeNodeType;

/** Nodes are at least this wide (wider for a long name); layouts plan with it. */
export const NODE_WIDTH_PX = 250;

/** Handle ids for the edges: each interface row has one on each side. */
export function interfaceHandleId(iface: string, side: 'l' | 'r'): string {
  return `if:${iface}:${side}`;
}

/** The handle a connection is dragged from. */
export const CONNECT_HANDLE_ID = 'connect';

/**
 * Interfaces the canvas shows: everything but an unconfigured loopback (and a
 * switch's own device unless it has an address), loopback last.
 */
export function shownInterfaces(spec: NodeSpec, nodeName?: string): [string, InterfaceSpec][] {
  const implicit = (name: string) => name === 'lo' || (spec.kind === 'bridge' && name === nodeName);
  return Object.entries(spec.interfaces)
    .filter(([name, i]) => !implicit(name) || i.addresses.length > 0)
    .sort(([a], [b]) => (a === 'lo' ? 1 : b === 'lo' ? -1 : a.localeCompare(b, 'en', { numeric: true })));
}

export type LinkState = 'up' | 'no-carrier' | 'down';

/** `no-carrier`: set up, but the peer is down (LOWERLAYERDOWN), so nothing passes yet. */
export function linkState(i: InterfaceSpec): LinkState {
  if (!i.up) return 'down';
  if (i.state === 'DOWN' || i.state === 'LOWERLAYERDOWN') return 'no-carrier';
  return 'up';
}

export const LINK_STATE_TEXT: Record<LinkState, string> = {
  up: 'up',
  'no-carrier': 'up, no carrier (the other end is down)',
  down: 'down',
};
