/**
 * Layered layout with dagre, on the nodes' measured sizes: the host (or the
 * best connected node) on the left, then each node one column right of the
 * nearest node before it, the way a packet travels; nodes without links go
 * in a row below. Unmeasured nodes (not yet drawn) get an estimated size.
 */
import dagre from '@dagrejs/dagre';
import type { Position, Topology } from '@/server/model/topology';
import { shownInterfaces } from '../nodes/node-data';
import { NODE_WIDTH_PX } from '../nodes/node-data';

export type NodeSizes = Record<string, { width: number; height: number }>;

const ORIGIN: Position = { x: 40, y: 40 };
/** Header, padding and the routes summary of a node, and one interface row: for nodes not measured yet. */
const NODE_BASE_HEIGHT_PX = 90;
const ROW_HEIGHT_PX = 44;
/** Between columns: room for a cable's label. */
const COLUMN_GAP_PX = 190;
const ROW_GAP_PX = 50;
const UNLINKED_PER_ROW = 5;

function sizeOf(topology: Topology, name: string, sizes: NodeSizes): { width: number; height: number } {
  return sizes[name] ?? { width: NODE_WIDTH_PX, height: NODE_BASE_HEIGHT_PX + shownInterfaces(topology.nodes[name], name).length * ROW_HEIGHT_PX };
}

export function autoLayout(topology: Topology, sizes: NodeSizes = {}): Record<string, Position> {
  const names = Object.keys(topology.nodes).sort();
  const neighbours = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const l of topology.links) {
    const [a, b] = l.endpoints;
    if (a.node === b.node || !neighbours.has(a.node) || !neighbours.has(b.node)) continue;
    neighbours.get(a.node)!.add(b.node);
    neighbours.get(b.node)!.add(a.node);
  }
  const degree = (n: string) => neighbours.get(n)!.size;
  const linked = names.filter((n) => degree(n) > 0);
  // Roots: the host first, then the busiest node of each part not yet reached; cables point away from them.
  const roots = [...linked].sort((a, b) => {
    const ha = topology.nodes[a].kind === 'host' ? 1 : 0;
    const hb = topology.nodes[b].kind === 'host' ? 1 : 0;
    return hb - ha || degree(b) - degree(a) || a.localeCompare(b);
  });
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: ROW_GAP_PX, ranksep: COLUMN_GAP_PX, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of linked) g.setNode(n, sizeOf(topology, n, sizes));
  const depth = new Map<string, number>();
  for (const root of roots) {
    if (depth.has(root)) continue;
    depth.set(root, 0);
    const queue = [root];
    while (queue.length > 0) {
      const n = queue.shift()!;
      for (const m of [...neighbours.get(n)!].sort()) {
        if (!depth.has(m)) {
          depth.set(m, depth.get(n)! + 1);
          queue.push(m);
        }
        // Each cable once, from the nearer node to the farther (or across a column, by name).
        const dn = depth.get(n)!;
        const dm = depth.get(m)!;
        if (dn < dm || (dn === dm && n < m)) g.setEdge(n, m);
      }
    }
  }
  dagre.layout(g);

  const out: Record<string, Position> = {};
  let bottom = ORIGIN.y;
  for (const n of linked) {
    const { x, y, width, height } = g.node(n);
    // dagre gives centres; React Flow places by the top-left corner.
    out[n] = { x: Math.round(ORIGIN.x + x - width / 2), y: Math.round(ORIGIN.y + y - height / 2) };
    bottom = Math.max(bottom, out[n].y + height + ROW_GAP_PX);
  }
  const unlinked = names.filter((n) => degree(n) === 0);
  let rowTop = linked.length ? bottom : ORIGIN.y;
  for (let i = 0; i < unlinked.length; i += UNLINKED_PER_ROW) {
    const row = unlinked.slice(i, i + UNLINKED_PER_ROW);
    let x = ORIGIN.x;
    for (const n of row) {
      out[n] = { x, y: rowTop };
      x += sizeOf(topology, n, sizes).width + COLUMN_GAP_PX / 2;
    }
    rowTop += Math.max(...row.map((n) => sizeOf(topology, n, sizes).height)) + ROW_GAP_PX;
  }
  return out;
}
