/** Where nodes go on the canvas when the lab does not say. */
import type { Position, Topology } from '@/server/model/topology';
import { NODE_WIDTH_PX } from '../nodes/node-data';

/** Grid for nodes without a stored position, and for new nodes. */
export const GRID_COLUMN_PX = NODE_WIDTH_PX + 110;
export const GRID_ROW_PX = 230;
const GRID_COLUMNS = 4;
const GRID_ORIGIN: Position = { x: 40, y: 40 };

function slot(i: number): Position {
  return { x: GRID_ORIGIN.x + (i % GRID_COLUMNS) * GRID_COLUMN_PX, y: GRID_ORIGIN.y + Math.floor(i / GRID_COLUMNS) * GRID_ROW_PX };
}

function near(a: Position, b: Position): boolean {
  return Math.abs(a.x - b.x) < GRID_COLUMN_PX * 0.8 && Math.abs(a.y - b.y) < GRID_ROW_PX * 0.8;
}

/** The first grid slot no node (nor any of `taken`) is close to. */
export function freeSlot(taken: Position[]): Position {
  for (let i = 0; ; i++) {
    const p = slot(i);
    if (!taken.some((t) => near(t, p))) return p;
  }
}

/** Every node's position: the local override (a drag not yet stored), the lab's, or a free grid slot. */
export function effectivePositions(topology: Topology, overrides: Record<string, Position>): Record<string, Position> {
  const out: Record<string, Position> = {};
  const missing: string[] = [];
  for (const [name, node] of Object.entries(topology.nodes)) {
    const p = overrides[name] ?? node.position;
    if (p) out[name] = p;
    else missing.push(name);
  }
  for (const name of missing.sort()) out[name] = freeSlot(Object.values(out));
  return out;
}
