/**
 * A lab's topology as the server sends it after a change: only the nodes
 * that differ from what every browser already has, not the whole lab again.
 * An edit in a lab of a hundred namespaces changes one node, about 700 bytes,
 * where the whole state is 70 kB that every browser would parse again. Pure.
 */
import type { LinkSpec, NodeSpec, Topology } from './topology';

export interface TopologyPatch {
  /** Nodes that are new or differ, whole; null for a node that is gone. */
  nodes: Record<string, NodeSpec | null>;
  /** Every node name in order, when nodes came or went. */
  order?: string[];
  /** Every cable, when any changed. */
  links?: LinkSpec[];
  /** The lab's new name, when it changed. */
  name?: string;
}

/** Past this share of changed nodes the whole topology is sent instead: it is shorter to read. */
const PATCH_MAX_SHARE = 0.5;

/**
 * Remembers the last topology sent, as text (a topology is changed in place
 * by a move, so a reference to it would not keep what was sent), and gives
 * the patch from it to the next.
 */
export class TopologyDiffer {
  private sent?: { name: string; nodes: Map<string, string>; links: string };

  /**
   * Records `next` as sent, and returns the patch that turns the last one
   * sent into it, or undefined when the whole topology should go (the first
   * one, or most nodes changed).
   */
  next(next: Topology): TopologyPatch | undefined {
    const nodes = new Map(Object.entries(next.nodes).map(([name, node]) => [name, JSON.stringify(node)]));
    const links = JSON.stringify(next.links);
    const last = this.sent;
    this.sent = { name: next.name, nodes, links };
    if (!last) return undefined;
    const patch: TopologyPatch = { nodes: {} };
    let changed = 0;
    for (const [name, text] of nodes) {
      if (last.nodes.get(name) === text) continue;
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
    if (links !== last.links) patch.links = next.links;
    if (next.name !== last.name) patch.name = next.name;
    return patch;
  }

  /** The last topology sent, rebuilt from its text: what a browser that joins now starts from. */
  last(): Topology | undefined {
    const sent = this.sent;
    if (!sent) return undefined;
    return { name: sent.name, nodes: Object.fromEntries([...sent.nodes].map(([name, text]) => [name, JSON.parse(text) as NodeSpec])), links: JSON.parse(sent.links) as LinkSpec[] };
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
  return { name: patch.name ?? base.name, nodes: merged, links: patch.links ?? base.links };
}
