/**
 * Client-side layered layout: the host (or the best connected node) on the
 * left, then each node one column right of the nearest node before it, the
 * way a packet travels; nodes without links go in a row below.
 */
import type { Position, Topology } from '@/server/model/topology';
import { shownInterfaces } from '../nodes/node-data';
import { GRID_COLUMN_PX } from './positions';

const ORIGIN: Position = { x: 40, y: 40 };
/** Header, padding and the routes summary of a node, and one interface row. */
const NODE_BASE_HEIGHT_PX = 90;
const ROW_HEIGHT_PX = 44;
const VERTICAL_GAP_PX = 50;
const UNLINKED_PER_ROW = 5;

function estimatedHeight(topology: Topology, name: string): number {
  return NODE_BASE_HEIGHT_PX + shownInterfaces(topology.nodes[name], name).length * ROW_HEIGHT_PX;
}

export function autoLayout(topology: Topology): Record<string, Position> {
  const names = Object.keys(topology.nodes).sort();
  const neighbours = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const l of topology.links) {
    const [a, b] = l.endpoints;
    if (a.node === b.node) continue;
    neighbours.get(a.node)?.add(b.node);
    neighbours.get(b.node)?.add(a.node);
  }
  const degree = (n: string) => neighbours.get(n)!.size;
  const layer = new Map<string, number>();
  const linked = names.filter((n) => degree(n) > 0);
  // Roots: the host first, then the busiest node of each component not yet reached.
  const roots = [...linked].sort((a, b) => {
    const ha = topology.nodes[a].kind === 'host' ? 1 : 0;
    const hb = topology.nodes[b].kind === 'host' ? 1 : 0;
    return hb - ha || degree(b) - degree(a) || a.localeCompare(b);
  });
  const out: Record<string, Position> = {};
  let bandTop = ORIGIN.y;
  for (const root of roots) {
    if (layer.has(root)) continue;
    // One band per connected part, columns by hop count from its root.
    layer.set(root, 0);
    const columns: string[][] = [[root]];
    const queue = [root];
    while (queue.length > 0) {
      const n = queue.shift()!;
      for (const m of [...neighbours.get(n)!].sort()) {
        if (layer.has(m)) continue;
        const depth = layer.get(n)! + 1;
        layer.set(m, depth);
        (columns[depth] ??= []).push(m);
        queue.push(m);
      }
    }
    // Columns centred on each other: a host with four namespaces sits in the middle of them.
    const heights = columns.map((c) => c.reduce((h, n) => h + estimatedHeight(topology, n) + VERTICAL_GAP_PX, 0));
    const bandHeight = Math.max(...heights);
    columns.forEach((column, i) => {
      let y = bandTop + (bandHeight - heights[i]) / 2;
      for (const n of column) {
        out[n] = { x: ORIGIN.x + i * GRID_COLUMN_PX, y: Math.round(y) };
        y += estimatedHeight(topology, n) + VERTICAL_GAP_PX;
      }
    });
    bandTop += bandHeight;
  }
  const unlinked = names.filter((n) => degree(n) === 0);
  let rowTop = bandTop;
  for (let i = 0; i < unlinked.length; i += UNLINKED_PER_ROW) {
    const row = unlinked.slice(i, i + UNLINKED_PER_ROW);
    row.forEach((n, j) => (out[n] = { x: ORIGIN.x + j * GRID_COLUMN_PX, y: rowTop }));
    rowTop += Math.max(...row.map((n) => estimatedHeight(topology, n))) + VERTICAL_GAP_PX;
  }
  return out;
}
