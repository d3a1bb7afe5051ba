/**
 * A lab's topology as the server sends it after a change: only the nodes
 * that differ from what every browser already has, not the whole lab again.
 * An edit in a lab of a hundred namespaces changes one node, about 700 bytes,
 * where the whole state is 70 kB that every browser would parse again. Pure.
 */
import type { NodeSpec, Topology } from './topology';

export interface TopologyPatch {
  /** Nodes that are new or differ, whole; null for a node that is gone. */
  nodes: Record<string, NodeSpec | null>;
  /** Every node name in order, when nodes came or went. */
  order?: string[];
  /** All the rest of the topology (its name, cables, dangling ends, ...), when any of it changed. */
  rest?: TopologyRest;
}

/** A topology without its nodes. */
export type TopologyRest = Omit<Topology, 'nodes'>;

function restOf(t: Topology): TopologyRest {
  const { nodes: _nodes, ...rest } = t;
  return rest;
}

/** Past this share of changed nodes the whole topology is sent instead: it is shorter to read. */
const PATCH_MAX_SHARE = 0.5;

/**
 * What a node was sent as: its text, and what that text was made of (its
 * frozen shared parts by reference, the rest as text), taken when it was
 * sent, so a node changed in place later (a move sets its position) cannot
 * pass for the one sent.
 */
interface SentNode {
  text: string;
  parts: unknown[];
  small: string;
}

/**
 * The parts of an observed node that the observation shares, frozen, with the
 * one before when its namespace did not change (build-topology.ts).
 */
const SHARED_PARTS = ['interfaces', 'routes', 'kernelRoutes'] as const;

/** The node without its shared parts, as text: kind, forwarding, position, ... */
function smallOf(node: NodeSpec): string {
  const { interfaces: _i, routes: _r, kernelRoutes: _k, ...small } = node;
  return JSON.stringify(small);
}

/** A node as sent; `before` spares serializing it when it is built again from the same frozen parts. */
function sentNode(node: NodeSpec, before: SentNode | undefined): SentNode {
  const parts = SHARED_PARTS.map((k) => node[k]);
  const small = smallOf(node);
  const same = before !== undefined && small === before.small && parts.every((p, i) => p === before.parts[i] && (p === undefined || Object.isFrozen(p)));
  return { text: same ? before.text : JSON.stringify(node), parts, small };
}

/**
 * Remembers the last topology sent, as text (a topology is changed in place
 * by a move, so a reference to it would not keep what was sent), and gives
 * the patch from it to the next.
 */
export class TopologyDiffer {
  private sent?: { nodes: Map<string, SentNode>; rest: string };

  /**
   * Records `next` as sent, and returns the patch that turns the last one
   * sent into it, or undefined when the whole topology should go (the first
   * one, or most nodes changed).
   */
  next(next: Topology): TopologyPatch | undefined {
    const last = this.sent;
    const nodes = new Map(Object.entries(next.nodes).map(([name, node]) => [name, sentNode(node, last?.nodes.get(name))]));
    const rest = JSON.stringify(restOf(next));
    this.sent = { nodes, rest };
    if (!last) return undefined;
    const patch: TopologyPatch = { nodes: {} };
    let changed = 0;
    for (const [name, sent] of nodes) {
      if (last.nodes.get(name)?.text === sent.text) continue;
      patch.nodes[name] = next.nodes[name];
      changed++;
    }
    for (const name of last.nodes.keys()) {
      if (nodes.has(name)) continue;
      patch.nodes[name] = null;
      changed++;
    }
    if (changed > Math.max(1, nodes.size * PATCH_MAX_SHARE)) return undefined;
    const names = [...nodes.keys()];
    const lastNames = [...last.nodes.keys()];
    if (names.length !== lastNames.length || names.some((n, i) => n !== lastNames[i])) patch.order = names;
    if (rest !== last.rest) patch.rest = restOf(next);
    return patch;
  }

  /** The last topology sent, rebuilt from its text: what a browser that joins now starts from. */
  last(): Topology | undefined {
    const sent = this.sent;
    if (!sent) return undefined;
    return { ...(JSON.parse(sent.rest) as TopologyRest), nodes: Object.fromEntries([...sent.nodes].map(([name, n]) => [name, JSON.parse(n.text) as NodeSpec])) };
  }
}

/** The topology a patch makes of the one it was made from; `base` is not changed. */
export function applyTopologyPatch(base: Topology, patch: TopologyPatch): Topology {
  const merged: Record<string, NodeSpec> = {};
  const order = patch.order ?? Object.keys(base.nodes);
  for (const name of order) {
    const node = Object.hasOwn(patch.nodes, name) ? patch.nodes[name] : base.nodes[name];
    if (node) merged[name] = node;
  }
  return { ...(patch.rest ?? restOf(base)), nodes: merged };
}
