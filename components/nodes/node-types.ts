/**
 * The page's side of the node-kind registry (server/model/kinds/ is the
 * server's): each kind's React Flow type, component, and how the toolbar,
 * the inspector and the mini map name and colour it.
 */
import type { NodeKind } from '@/server/model/topology';
import BridgeNode from './BridgeNode';
import HostNode from './HostNode';
import NamespaceNode from './NamespaceNode';
import RouterNode from './RouterNode';
import type { FlowType } from './node-data';

export interface KindView {
  /** React Flow's node type. */
  type: FlowType;
  /** What the inspector's heading calls it. */
  title: string;
  /** The mini map's colour. */
  color: string;
}

export const KIND_VIEWS: Record<NodeKind, KindView> = {
  netns: { type: 'namespace', title: 'Network namespace', color: '#5b8def' },
  router: { type: 'router', title: 'Router (namespace with forwarding)', color: '#d9822b' },
  host: { type: 'host', title: 'Host (root namespace)', color: '#2f4a6d' },
  bridge: { type: 'bridge', title: 'Switch (Linux bridge)', color: '#2e9e6b' },
};

/** Module scope: React Flow re-mounts every node when this object changes identity. */
export const NODE_TYPES = { namespace: NamespaceNode, router: RouterNode, host: HostNode, bridge: BridgeNode };

export function colorOfType(type: string | undefined): string {
  return Object.values(KIND_VIEWS).find((v) => v.type === type)?.color ?? KIND_VIEWS.netns.color;
}

/** A node kind's colour, for drawings other than the diagram (the teacher's small ones). */
export function colorOfKind(kind: string): string {
  return (KIND_VIEWS as Record<string, KindView>)[kind]?.color ?? KIND_VIEWS.netns.color;
}
